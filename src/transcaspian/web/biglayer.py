"""Big user layers on one page: compact geometry, drawn on a canvas, popups on demand.

A map of a user's file with tens of thousands of features cannot carry one
Leaflet object and one GeoJSON feature per line: at 100,000 lines that is a
59 MB page, a 1.2 GB JavaScript heap and seconds per zoom step. A layer with
more than :data:`BIG_FEATURES` features is packed instead as

- **levels of detail**: the lines and polygon rings simplified (shapely's
  topology-preserving Douglas-Peucker, per feature) to half a screen pixel
  at the zoom levels of :data:`LEVEL_ZOOMS`, plus the full-detail level used
  when zoomed in further;
- **quantised, delta-encoded coordinates**: longitude/latitude on a grid of
  10^-:data:`PRECISION` degrees at full detail (about a metre, as the
  curated maps; coarser for the simplified levels), each vertex stored as
  its difference from the one before in one or two bytes
  (:func:`pack_ints`), base64 text inside the page's JSON data: about 5
  bytes per vertex instead of 40 in GeoJSON;
- **attributes as one JSON text**, parsed only when the first popup opens.

``web/static/biglayer.js`` decodes the levels once, projects them to Web
Mercator once, and draws the level that fits the zoom with Leaflet's canvas
renderer (one path per colour per frame, features outside the view skipped;
polygons filled, their rings oriented here for the nonzero rule, while few
enough are in view to fill quickly); hovering names the nearest feature
within a few pixels (or the polygon under the pointer) in a tooltip, and a
click opens a text-only popup.

Above :data:`PAGE_VERTEX_LIMIT` vertices one page stops being useful (it
takes longer to load than anyone waits, and a phone cannot hold it):
:func:`check_page_size` says so and suggests ``--simplify`` or vector tiles.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping, Sequence
from importlib.resources import files
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from transcaspian.errors import DataError
from transcaspian.geo.geodesy import line_lengths_m
from transcaspian.values import is_missing
from transcaspian.web.popups import value_text

#: Layers with more features than this are drawn by biglayer.js.
BIG_FEATURES = 5_000
#: Coordinates are rounded to 10**-PRECISION degrees (1.1 m at the equator).
PRECISION = 5
#: Each simplified level is drawn up to this zoom; beyond the last, full detail.
LEVEL_ZOOMS = (3, 5, 7, 9, 11)
#: Simplification tolerance, in screen pixels at the level's zoom.
TOLERANCE_PX = 0.5
#: Vertices (full detail) above which one page is not written.
PAGE_VERTEX_LIMIT = 6_000_000
#: Attribute values longer than this are clipped in popups.
MAX_VALUE_CHARS = 300
# shapely type ids
_POINT, _LINESTRING, _LINEARRING, _POLYGON = 0, 1, 2, 3


def degrees_per_pixel(zoom: float) -> float:
    """Longitude degrees one Web Mercator screen pixel spans at ``zoom`` (256-pixel tiles)."""
    return 360.0 / (256.0 * 2.0**zoom)


def _flatten(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every part of every geometry (lines, rings, points), with its feature and whether it is a ring.

    Polygons are oriented first (exteriors counter-clockwise, holes
    clockwise), so the page fills them with the nonzero rule: a hole stays
    open, and polygons that overlap are filled once, not cancelled.
    """
    parts, owner = shapely.get_parts(geometries, return_index=True)
    types = shapely.get_type_id(parts)
    while np.any(types >= 4):  # multi-parts inside collections
        nested = types >= 4
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
        types = shapely.get_type_id(parts)
    polygons = types == _POLYGON
    rings, ring_owner = shapely.get_rings(shapely.orient_polygons(parts[polygons]), return_index=True)
    keep = ~polygons & ~shapely.is_empty(parts)
    paths = np.concatenate([parts[keep], rings])
    owners = np.concatenate([owner[keep], owner[polygons][ring_owner]])
    is_ring = np.concatenate([np.zeros(int(keep.sum()), dtype=bool), np.ones(len(rings), dtype=bool)])
    order = np.argsort(owners, kind="stable")
    return paths[order], owners[order], is_ring[order]


def pack_ints(values: np.ndarray) -> dict[str, Any]:
    """Signed integers as little-endian bytes of one width with an escape, base64-encoded.

    Each value takes ``w`` bytes (1 or 2, whichever makes the text
    shorter); a value that does not fit is written as the escape (the
    smallest ``w``-byte integer) followed by the value in 4 bytes. Deltas of
    quantised coordinates mostly fit in one or two bytes, and packing is a
    few numpy operations (a varint coder in numpy was fifty times slower).

    Parameters
    ----------
    values : numpy.ndarray of int
        Values within +-2**31.

    Returns
    -------
    dict
        ``w`` (the width) and ``b`` (the base64 text).

    Examples
    --------
    >>> pack_ints(np.array([0, -1, 1, 300, -32768]))
    {'w': 1, 'b': 'AP8BgCwBAACAAID//w=='}
    """
    v = np.asarray(values, dtype=np.int64)
    best: tuple[int, int, np.ndarray] | None = None
    for width in (1, 2):
        limit = 1 << (8 * width - 1)
        fits = (v > -limit) & (v < limit)
        size = width * len(v) + 4 * int((~fits).sum())
        if best is None or size < best[0]:
            best = (size, width, fits)
    assert best is not None
    size, width, fits = best
    if size == width * len(v):
        return {"w": width, "b": base64.b64encode(v.astype(f"<i{width}").tobytes()).decode("ascii")}
    escape = -(1 << (8 * width - 1))
    sizes = np.where(fits, width, width + 4)
    start = np.cumsum(sizes) - sizes
    out = np.zeros(size, dtype=np.uint8)
    head = np.where(fits, v, escape).astype(f"<i{width}").view(np.uint8).reshape(-1, width)
    for b in range(width):
        out[start + b] = head[:, b]
    big = np.flatnonzero(~fits)
    if big.size:
        tail = v[big].astype("<i4").view(np.uint8).reshape(-1, 4)
        for b in range(4):
            out[start[big] + width + b] = tail[:, b]
    return {"w": width, "b": base64.b64encode(out.tobytes()).decode("ascii")}


def level_scale(tolerance_deg: float) -> int:
    """Grid (units per degree) a level's coordinates are rounded to: a tenth of
    its tolerance or finer, at most 10**PRECISION; coarse levels get small
    numbers, so their deltas take one byte where full detail takes two or three."""
    if tolerance_deg <= 0:
        return 10**PRECISION
    return int(min(10 ** np.ceil(-np.log10(tolerance_deg / 10.0)), 10**PRECISION))


def simplify_paths(paths: np.ndarray, tolerance_deg: float) -> np.ndarray:
    """Paths simplified to ``tolerance_deg`` for drawing, connections kept.

    Lines get Douglas-Peucker, which keeps every line's end points, so lines
    that meet (a network's junctions) still meet at every zoom; polygon
    rings get GEOS's topology-preserving simplifier, so they stay valid
    rings. (The topology-preserving simplifier on every line as well costs
    ten times as much and changes nothing visible at half a pixel.)
    """
    out = paths.copy()
    rings = shapely.get_type_id(paths) == _LINEARRING
    out[~rings] = shapely.simplify(paths[~rings], tolerance_deg, preserve_topology=False)
    if rings.any():
        out[rings] = shapely.simplify(paths[rings], tolerance_deg, preserve_topology=True)
    return out


def encode_level(paths: np.ndarray, owner: np.ndarray, tolerance_deg: float) -> dict[str, Any]:
    """One level of detail: simplified, quantised, delta-encoded paths.

    Parameters
    ----------
    paths : numpy.ndarray of LineString / LinearRing / Point
        In longitude/latitude degrees.
    owner : numpy.ndarray of int
        Feature of each path (non-decreasing).
    tolerance_deg : float
        Simplification tolerance (degrees, :func:`simplify_paths`); 0 for full detail.

    Returns
    -------
    dict
        ``n`` (vertex count of each path), ``f`` (feature of each path, delta
        encoded), ``xy`` (x, y interleaved, delta encoded), all as
        :func:`pack_ints` texts, and ``vertices``.
    """
    if tolerance_deg > 0:
        paths = simplify_paths(paths, tolerance_deg)
    xy, path = shapely.get_coordinates(paths, return_index=True)
    scale = level_scale(tolerance_deg)
    q = np.rint(xy * scale).astype(np.int64)
    # Drop vertices that repeat the one before once rounded (zoomed out, many do).
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (path[1:] != path[:-1]) | np.any(q[1:] != q[:-1], axis=1)
    q, path = q[keep], path[keep]
    counts = np.bincount(path, minlength=len(paths))
    deltas = _pair_deltas(q)
    return {
        "n": pack_ints(counts),
        "f": pack_ints(np.diff(owner, prepend=0)),
        "xy": pack_ints(deltas),
        "vertices": int(len(q)),
        "scale": scale,
    }


def _pair_deltas(q: np.ndarray) -> np.ndarray:
    """x, y of each vertex minus those of the one before, interleaved."""
    d = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return d.reshape(-1)


def attribute_table(frame: gpd.GeoDataFrame, lengths_km: np.ndarray) -> dict[str, Any]:
    """The popup text of every feature, column by column.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer.
    lengths_km : numpy.ndarray
        Geodesic length of each feature (NaN for points).

    Returns
    -------
    dict
        ``columns`` (names) and ``values`` (one list of texts per column,
        ``""`` where missing), the first column the measured length.
    """
    columns = ["Measured length (km, WGS84 geodesic)"]
    values: list[Any] = [["" if not math.isfinite(km) else f"{km:.3f}" for km in np.asarray(lengths_km, dtype=float).tolist()]]
    for name in frame.columns:
        if name == frame.geometry.name:
            continue
        series = frame[name]
        if isinstance(series.dtype, gpd.array.GeometryDtype):
            continue
        columns.append(str(name))
        values.append(_dictionary(column_texts(series)))
    return {"columns": columns, "values": values}


def column_texts(series: pd.Series) -> list[str]:
    """Each value of a column as :func:`~transcaspian.web.popups.value_text` writes it, ``""`` where missing.

    Integer, boolean, float and text columns take one pass over
    ``series.tolist()`` (the Python values ``value_text`` would see):
    calling it once per value is most of the time of a 100,000-row table.
    """
    items = series.tolist()
    # numpy dtypes only: pandas' nullable ones hold pd.NA, which value_text is needed for.
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""
    if kind in ("i", "u", "b"):
        return [str(v) for v in items]  # value_text of an int or bool
    if kind == "f":
        return ["" if v != v else repr(v) for v in items]  # NaN is missing
    limit = MAX_VALUE_CHARS
    if isinstance(series.dtype, pd.StringDtype):  # pandas 3 reads text columns so; missing is NaN or pd.NA
        blank = pd.isna(series).to_numpy()
        return ["" if m else v if len(v) <= limit else v[: limit - 1] + "…" for v, m in zip(items, blank)]
    if series.dtype == object and all(type(v) is str for v in items):
        return [v if len(v) <= limit else v[: limit - 1] + "…" for v in items]
    missing = pd.isna(series).to_numpy() if series.dtype != object else np.array([is_missing(v) for v in items], dtype=bool)
    return [("" if m else value_text(v, MAX_VALUE_CHARS)) for v, m in zip(items, missing)]


def _dictionary(texts: list[str]) -> Any:
    """A column as ``{"d": distinct texts, "i": index of each}`` when that is shorter."""
    distinct = sorted(set(texts))
    if len(distinct) * 2 > len(texts):
        return texts
    index = {t: i for i, t in enumerate(distinct)}
    return {"d": distinct, "i": [index[t] for t in texts]}


def feature_lengths_km(paths: np.ndarray, owner: np.ndarray, n_features: int) -> np.ndarray:
    """Geodesic length of each feature (lines and rings), km; NaN when it has none."""
    linear = shapely.get_type_id(paths) != _POINT
    xy, path = shapely.get_coordinates(paths[linear], return_index=True)
    out = np.full(n_features, np.nan)
    if len(xy) >= 2:
        dist = line_lengths_m(xy[:, 0], xy[:, 1])
        dist[path[1:] != path[:-1]] = 0.0
        per_path = np.bincount(path[:-1], weights=dist, minlength=int(linear.sum()))
        per_feature = np.bincount(owner[linear], weights=per_path, minlength=n_features) / 1000.0
        has = np.bincount(owner[linear], minlength=n_features) > 0
        out[has] = per_feature[has]
    return out


def count_vertices(frame: gpd.GeoDataFrame) -> int:
    """Vertices of a layer's geometries."""
    return int(shapely.get_num_coordinates(frame.geometry.values).sum())


def is_big(frame: gpd.GeoDataFrame) -> bool:
    """Whether a layer is drawn by biglayer.js rather than one Leaflet object per feature."""
    return len(frame) > BIG_FEATURES


def families(frame: gpd.GeoDataFrame) -> set[str]:
    """The geometry families of a layer (``line``, ``area``, ``point``), for the legend."""
    kinds = set(frame.geometry.geom_type.dropna().unique())
    out = set()
    if any("Point" in k for k in kinds):
        out.add("point")
    if any("Polygon" in k for k in kinds):
        out.add("area")
    if any("Line" in k or k == "GeometryCollection" for k in kinds):
        out.add("line")
    return out


def has_big(payload: Mapping[str, Any]) -> bool:
    """Whether a page payload holds a big layer (the page then loads biglayer.js)."""
    return any("big" in layer for layer in payload.get("layers", ()))


def biglayer_js() -> str:
    """The script that decodes and draws big layers (web/static/biglayer.js)."""
    return (files("transcaspian.web.static") / "biglayer.js").read_text(encoding="utf-8")


def big_layer(name: str, frame: gpd.GeoDataFrame, *, color: str, slug: str) -> dict[str, Any]:
    """The payload entry of a big layer (see the module docstring).

    Parameters
    ----------
    name : str
        Display name (the file name).
    frame : GeoDataFrame
        Features in WGS84 longitude/latitude.
    color : str
        ``#rrggbb`` colour of the layer.
    slug : str
        The layer's id.

    Returns
    -------
    dict
        The layer as map.js expects it, with no ``features`` and a ``big``
        member for biglayer.js.
    """
    geometries = frame.geometry.values
    geometries = np.asarray(shapely.force_2d(np.asarray(geometries, dtype=object)), dtype=object)
    paths, owner, is_ring = _flatten(geometries)
    levels = [{"maxZoom": None, **encode_level(paths, owner, 0.0)}]
    # Levels whose tolerance is far below the typical segment would keep
    # nearly every vertex: not worth computing.
    xy, path = shapely.get_coordinates(paths, return_index=True)
    same = path[1:] == path[:-1]
    step = np.median(np.hypot(*(xy[1:] - xy[:-1]).T)[same]) if same.any() else 0.0
    for zoom in sorted(LEVEL_ZOOMS, reverse=True):
        tolerance = TOLERANCE_PX * degrees_per_pixel(zoom)
        if tolerance < step / 4:
            continue
        level = {"maxZoom": zoom, **encode_level(paths, owner, tolerance)}
        # A level that saves little over the finer one is not worth its bytes.
        if len(level["xy"]["b"]) <= 0.6 * len(levels[0]["xy"]["b"]):
            levels.insert(0, level)
    lengths = feature_lengths_km(paths, owner, len(frame))
    table = attribute_table(frame, lengths)
    big = {
        "scale": 10**PRECISION,
        "features": int(len(frame)),
        "levels": levels,
        # A JSON text inside the JSON: the page parses it when a popup first opens.
        "attributes": json.dumps(table, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
    }
    if is_ring.any():
        # Which paths are polygon rings (1), in every level's order: the page fills them.
        big["rings"] = pack_ints(is_ring.astype(np.int64))
    return {"id": slug, "title": name, "color": color, "pane": "lines", "features": [], "big": big}


def check_page_size(layers: Sequence[tuple[str, gpd.GeoDataFrame]], *, limit: int | None = None) -> None:
    """Refuse a page too big to be useful, saying what to do instead.

    Raises
    ------
    DataError
        When the layers hold more than ``limit`` vertices.
    """
    limit = PAGE_VERTEX_LIMIT if limit is None else limit
    total = sum(count_vertices(frame) for _, frame in layers)
    if total > limit:
        names = ", ".join(name for name, _ in layers)
        raise DataError(
            f"{total:,} vertices is more than one web page can draw smoothly (limit {limit:,}); "
            "give --simplify METRES (e.g. --simplify 50) to draw simpler lines, or make vector tiles "
            "(PMTiles, e.g. with tippecanoe or GDAL's PMTiles driver) and serve them with a PMTiles viewer",
            file=names,
        )


def simplify_frame(frame: gpd.GeoDataFrame, metres: float) -> gpd.GeoDataFrame:
    """The layer with every geometry simplified to ``metres`` (topology kept per feature).

    The tolerance is converted to degrees at the equator (1 degree = 111.32 km),
    so it is at most ``metres`` on the ground anywhere.
    """
    if metres <= 0:
        return frame
    out = frame.copy()
    out[frame.geometry.name] = shapely.simplify(frame.geometry.values, metres / 111_320.0, preserve_topology=True)
    return out
