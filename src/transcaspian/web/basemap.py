"""The offline world basemap: Natural Earth by zoom, with names in the page's language.

The shipped ``data/basemap.json.gz``, ``data/basemap-50m.json.gz`` and
``data/basemap-10m.json.gz`` (made by ``scripts/make_basemap.py``) hold the world's countries at three
levels of detail (about Natural Earth 110m, 50m and 10m), quantised and
delta-encoded, and labels for countries, seas and cities in English,
Russian, Azerbaijani, Kazakh and Turkish. The first file has the coarsest
level and the labels, all an online page needs: a twelfth of the data, so
such a page does not parse the finer levels it leaves out (a quarter of a
second); the static images read the one finer level their view needs.

A page carries the whole world at the coarsest level and the finer levels
only around its data (:func:`page_basemap`), which keeps the offline page
within its size budget; map.js draws each level from its first zoom on, over
a patch of sea that hides the coarser coast beneath it.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

import numpy as np
import orjson
import shapely

#: Margin (degrees) around the data within which each finer level is carried.
LEVEL_MARGINS_DEG: dict[str, float] = {"50m": 8.0, "10m": 2.5}
#: Largest longitude/latitude span (degrees) of the region a finer level may cover;
#: a map of data spread wider gets that level around the data's centre only.
MAX_SPAN_DEG: dict[str, float] = {"50m": 70.0, "10m": 25.0}
#: Most bytes the basemap may add to a page: a finer level's region shrinks
#: until the page fits (a map of a long, crinkled coast gets less detail).
BUDGET_BYTES = 550_000
#: Zoom beyond which the offline basemap has no more detail to show: the
#: limit of the curated maps, whose traces are no finer either.
MAX_ZOOM = 11
ATTRIBUTION = "Natural Earth · names: CLDR, Wikidata"


def _read(name: str) -> dict[str, Any]:
    raw = (files("transcaspian.data") / name).read_bytes()
    # orjson: a third of the standard parser's time on these million integers (12 ms for 50m, not 37).
    document: dict[str, Any] = orjson.loads(gzip.decompress(raw))
    return document


@functools.lru_cache(maxsize=1)
def shipped_world() -> dict[str, Any]:
    """The shipped basemap with its coarsest level only (and every label), read once per process. Read-only."""
    return _read("basemap.json.gz")


#: The finer levels, coarse to fine, each in its own file (``basemap-<name>.json.gz``).
DETAIL_LEVELS = ("50m", "10m")


@functools.lru_cache(maxsize=1)
def shipped() -> dict[str, Any]:
    """The whole shipped basemap document, every level, read once per process. Read-only."""
    world = shipped_world()
    return {**world, "levels": world["levels"] + [shipped_level(name) for name in DETAIL_LEVELS]}


@functools.lru_cache(maxsize=4)
def shipped_level(name: str) -> dict[str, Any]:
    """One level of the shipped basemap ("110m", "50m" or "10m"), reading only its file. Read-only."""
    if name not in DETAIL_LEVELS:
        return next(level for level in shipped_world()["levels"] if level["name"] == name)
    (level,) = _read(f"basemap-{name}.json.gz")["levels"]
    return level


def decode_ring(ring: Sequence[int], quantum: float) -> np.ndarray:
    """Delta-encoded integers back to closed (lon, lat) degrees."""
    xy = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
    xy = np.vstack([xy, xy[:1]])
    return xy * quantum


def encode_ring(xy: np.ndarray, quantum: float) -> list[int] | None:
    """A closed ring as ``[x0, y0, dx1, dy1, ...]`` in units of ``quantum`` degrees."""
    q = np.round(np.asarray(xy)[:, :2] / quantum).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    if len(q) >= 2 and np.all(q[0] == q[-1]):
        q = q[:-1]
    if len(q) < 3:
        return None
    delta = np.vstack([q[:1], np.diff(q, axis=0)])
    return [int(v) for v in delta.ravel()]


def _region(bounds: Sequence[Sequence[float]], margin: float, max_span: float) -> tuple[float, float, float, float]:
    (south, west), (north, east) = bounds
    cx, cy = (west + east) / 2, (south + north) / 2
    half_x = min((east - west) / 2 + margin, max_span / 2)
    half_y = min((north - south) / 2 + margin, max_span / 2)
    return (max(-180.0, cx - half_x), max(-85.0, cy - half_y), min(180.0, cx + half_x), min(85.0, cy + half_y))


def clip_level(polygons: Sequence[Sequence[Sequence[Sequence[int]]]], quantum: float, box: tuple[float, float, float, float]) -> list[Any]:
    """The level's polygons cut to ``box`` (lon/lat degrees), re-encoded.

    Parts wholly outside are skipped before decoding, so only what the page
    shows is rebuilt; parts wholly inside are kept as they are.
    """
    west, south, east, north = box
    lo = np.array([west, south]) / quantum
    hi = np.array([east, north]) / quantum
    flat = [poly for country in polygons for poly in country]
    low, high = _shell_bounds([poly[0] for poly in flat])
    near = ~(np.any(high < lo, axis=1) | np.any(low > hi, axis=1))
    inside = np.all(low >= lo, axis=1) & np.all(high <= hi, axis=1)
    out: list[Any] = []
    for i in np.flatnonzero(near):
        poly = flat[i]
        if inside[i]:
            out.append(list(poly))
            continue
        geom = shapely.Polygon(decode_ring(poly[0], quantum), [decode_ring(h, quantum) for h in poly[1:]])
        cut = shapely.clip_by_rect(shapely.make_valid(geom), west, south, east, north)
        for part in getattr(cut, "geoms", [cut]):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            rings = [encode_ring(np.asarray(part.exterior.coords), quantum)]
            rings += [encode_ring(np.asarray(i.coords), quantum) for i in part.interiors]
            if rings[0] is not None:
                out.append([r for r in rings if r is not None])
    return out


def _shell_bounds(shells: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Each delta-encoded ring's (min x, min y) and (max x, max y) in quanta, as two N×2 arrays.

    One pass over every ring at once: a level has thousands of small islands,
    and decoding them one by one took three times as long as the image they are drawn in.

    Raises
    ------
    ValueError
        On a ring that is not whole (x, y) pairs, or is empty (never in the shipped levels).
    """
    sizes = np.fromiter((len(ring) for ring in shells), dtype=np.int64, count=len(shells))
    if len(shells) and (sizes.min() < 2 or np.any(sizes % 2)):
        raise ValueError("a basemap ring must hold at least one (x, y) pair, and whole pairs only")
    counts = sizes // 2
    xy = np.fromiter(itertools.chain.from_iterable(shells), dtype=np.int64, count=int(sizes.sum())).reshape(-1, 2)
    if not len(shells):
        return xy, xy
    absolute = np.cumsum(xy, axis=0)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Each ring's first pair is absolute, not a step: take off what the rings before it summed to.
    before = np.zeros((len(shells), 2), dtype=np.int64)
    before[1:] = absolute[starts[1:] - 1]
    absolute -= np.repeat(before, counts, axis=0)
    return np.minimum.reduceat(absolute, starts, axis=0), np.maximum.reduceat(absolute, starts, axis=0)


def _name(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names.get("en") or ""


def page_basemap(
    bounds: Sequence[Sequence[float]] | None, lang: str = "en", *, budget: int = BUDGET_BYTES, max_zoom: int = MAX_ZOOM, detail: bool = True
) -> dict[str, Any]:
    """The basemap a page carries: the world coarse, detail near the data.

    Parameters
    ----------
    bounds : [[south, west], [north, east]] or None
        The data's extent in degrees; None for a world map with no detail.
    lang : str
        Language of the labels (``en``, ``ru``, ``az``, ``kk``, ``tr``);
        English where a name is missing in that language.
    budget : int
        Most bytes of compact JSON; the finer levels' regions shrink around
        the data's centre until it fits.
    max_zoom : int
        Deepest zoom of the page: the basemap's detail for the curated maps,
        deeper for a user's data surveyed to the metre.
    detail : bool
        Carry the finer levels around the data. An online page shows them only
        when its tiles fail and then makes do with the world level, so it
        leaves them out and the build does not clip them for nothing.

    Returns
    -------
    dict
        ``levels``: ``{"z": first zoom, "q": quantum (degrees), "box":
        [w, s, e, n] in quanta, or None, "p": polygons of delta-encoded rings}``;
        ``labels``: ``[kind, lon, lat, min zoom, max zoom, text]``;
        ``max_zoom``; ``attribution``.
    """
    bounds = bounds if detail else None
    if bounds is None:  # the world level only, nothing to fit in the budget
        return _world_basemap(lang, max_zoom)
    doc = shipped()
    spans = dict(MAX_SPAN_DEG)
    while True:
        page = _page_basemap(doc, bounds, lang, spans)
        page["max_zoom"] = max_zoom
        size = len(json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        finer = [name for name in ("10m", "50m") if spans.get(name, 0) >= 2.0]
        if size <= budget or not finer:
            return page
        spans[finer[0]] *= 0.7


# Every online page of a build carries this same world level: made once per language.
@functools.lru_cache(maxsize=8)
def _world_basemap(lang: str, max_zoom: int) -> dict[str, Any]:
    page = _page_basemap(shipped_world(), None, lang, {})
    page["max_zoom"] = max_zoom
    return page


def _page_basemap(doc: dict[str, Any], bounds: Sequence[Sequence[float]] | None, lang: str, spans: dict[str, float]) -> dict[str, Any]:
    levels = []
    for level in doc["levels"]:
        name, quantum = level["name"], level["quantum"]
        if level["min_zoom"] == 0:
            box = None
            polys = [poly for country in level["polygons"] for poly in country]
        elif bounds is None or spans.get(name, 0) < 2.0:
            continue
        else:
            box = _region(bounds, LEVEL_MARGINS_DEG[name], spans[name])
            polys = clip_level(level["polygons"], quantum, box)
        levels.append(
            {"z": level["min_zoom"], "q": quantum, "box": [round(v / quantum) for v in box] if box else None, "p": polys}
        )
    labels: list[list[Any]] = []
    for sea in doc["seas"]:
        labels.append(["sea", sea["lon"], sea["lat"], sea["min_zoom"], 99, _name(sea["names"], lang)])
    for country in doc["countries"]:
        text = _name(country["names"], lang)
        if text:
            labels.append(["country", *country["label"], max(2.0, country["min_label"]), 99, text])
    for city in doc["cities"]:
        labels.append(["city", city["lon"], city["lat"], 5, 99, _name(city["names"], lang)])
    return {"levels": levels, "labels": labels, "max_zoom": MAX_ZOOM, "attribution": ATTRIBUTION}


def page_basemap_json_size(bounds: Sequence[Sequence[float]] | None, lang: str = "en") -> int:
    """Bytes the basemap adds to a page (compact JSON), for the size budgets."""
    return len(json.dumps(page_basemap(bounds, lang), separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
