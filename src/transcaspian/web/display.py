"""Geometry and text as the pages carry them: rounded, densified, escaped.

``number`` and ``km_text`` are :func:`transcaspian.values.format_number` and
:func:`~transcaspian.values.format_km`, shared with the reports and KML.

Pure helpers shared by :mod:`~transcaspian.web.popups`,
:mod:`~transcaspian.web.payload` and :mod:`~transcaspian.web.page`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from transcaspian.geo.antimeridian import split_at_antimeridian
from transcaspian.geo.geodesy import densify
from transcaspian.values import format_km as km_text
from transcaspian.values import format_number as number
from transcaspian.values import is_missing

#: Decimal places of coordinates written into the page (1e-5 degree is
#: about 1 m, far below what a screen shows).
DISPLAY_PRECISION = 5
#: Longest straight segment drawn, in km: longer segments are densified
#: along the WGS84 geodesic so sea legs follow the ellipsoid on the map.
DISPLAY_SPACING_KM = 20.0
_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


# ---------------------------------------------------------------------------
# Small formatting helpers


def json_for_script(obj: Any) -> str:
    """Serialise ``obj`` as JSON that is inert inside an HTML ``<script>``.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` so
    no string can close the element or open a comment; U+2028/U+2029 are
    escaped too. The result parses back to the same object.

    Examples
    --------
    >>> json_for_script({"name": "</script><b>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # One str.replace per character, each a single C-speed pass: str.translate
    # goes through a dict lookup per character, half a second on a 5 MB page.
    for char, escaped in _SCRIPT_UNSAFE.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


def is_http_url(value: Any) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL string."""
    return isinstance(value, str) and re.match(r"^https?://[^\s/?#]+", value.strip(), re.IGNORECASE) is not None


def human(value: str) -> str:
    """``subsea_cable`` -> ``subsea cable``."""
    return str(value).replace("_", " ")


def missing(value: Any) -> bool:
    """True for no value; for text shown to people a blank string is no information either."""
    return is_missing(value, blank=True)


def safe_links(links: Iterable[Mapping[str, str] | None]) -> list[dict[str, str]]:
    """Links as map.js takes them, keeping only http(s) URLs."""
    out = []
    for link in links:
        if link and is_http_url(link.get("href")):
            item = {"text": str(link.get("text") or link["href"]), "href": str(link["href"]).strip()}
            if link.get("title"):
                item["title"] = str(link["title"])
            out.append(item)
    return out


def make_row(
    key: str,
    label: str,
    text: str = "",
    *,
    links: Iterable[Mapping[str, str] | None] = (),
    note: str = "",
    items: Sequence[Mapping[str, Any]] = (),
    detail: bool = False,
) -> dict[str, Any]:
    """One popup row.

    ``text`` and ``links`` fill one line; ``items`` (each ``{"text",
    "links"}``) are shown one per line below; ``note`` in small print;
    ``detail`` rows sit behind the popup's disclosure. Links keep only
    http(s) URLs.
    """
    row: dict[str, Any] = {"key": key, "label": label, "text": text}
    safe = safe_links(links)
    if safe:
        row["links"] = safe
    if items:
        row["items"] = [{"text": str(i.get("text", "")), "links": safe_links(i.get("links", ()))} for i in items]
    if note:
        row["note"] = note
    if detail:
        row["detail"] = True
    return row


# ---------------------------------------------------------------------------
# Geometry at display precision


def _round_line(coords: np.ndarray, precision: int, spacing_km: float | None) -> list[list[float]]:
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    if spacing_km and len(xy) >= 2:
        xy = densify(xy, spacing_km)
    xy = np.round(xy, precision)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    xy = xy[keep]
    if len(xy) == 1:  # a line shorter than the precision: keep it drawable
        xy = np.vstack([xy, xy])
    return (xy + 0.0).tolist()  # + 0.0 turns -0.0 into 0.0


def _display_parts(coords: np.ndarray, precision: int, spacing_km: float | None) -> list[list[list[float]]]:
    """A line densified, split where it crosses the antimeridian, and rounded.

    Leaflet draws a segment from 170°E to 170°W the long way round the
    world; split at 180° (:mod:`transcaspian.geo.antimeridian`) each part
    stays on its side, as the geodesic does.
    """
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    if spacing_km and len(xy) >= 2:
        xy = densify(xy, spacing_km)
    pieces = split_at_antimeridian(xy) if len(xy) >= 2 else [xy]
    return [_round_line(piece, precision, None) for piece in pieces] or [_round_line(xy, precision, None)]


def _round_ring(ring: BaseGeometry, precision: int) -> list[list[float]] | None:
    xy = np.round(np.asarray(ring.coords, dtype="float64")[:, :2], precision)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    xy = xy[keep]
    if len(xy) < 4:
        return None
    return (xy + 0.0).tolist()


def display_geometry(
    geom: BaseGeometry | None,
    *,
    precision: int = DISPLAY_PRECISION,
    spacing_km: float | None = DISPLAY_SPACING_KM,
    simplify_deg: float | None = None,
) -> dict[str, Any] | None:
    """A GeoJSON geometry for drawing: densified, simplified and rounded.

    Lines are densified along the WGS84 geodesic (:func:`measure.densify`,
    pyproj ``Geod.npts``) so long segments are drawn as the ellipsoid's
    shortest path; lengths are never measured on this output.

    Parameters
    ----------
    geom : shapely geometry or None
        Lon/lat degrees (EPSG:4326); Z values are dropped.
    precision : int
        Decimal places kept (5 is about 1 m).
    spacing_km : float or None
        Longest drawn line segment in km; None to keep the vertices as they are.
    simplify_deg : float or None
        Douglas–Peucker tolerance in degrees applied first, for large user
        geometries; None to keep every vertex.

    Returns
    -------
    dict or None
        A GeoJSON geometry (lon, lat order), or None for an empty or
        missing geometry.
    """
    if geom is None or geom.is_empty:
        return None
    geom = shapely.force_2d(geom)
    if simplify_deg:
        geom = shapely.simplify(geom, simplify_deg, preserve_topology=True)
    kind = geom.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": _round_line(np.asarray(geom.coords), precision, None)[0]}
    if kind == "MultiPoint":
        return {"type": "MultiPoint", "coordinates": [_round_line(np.asarray(p.coords), precision, None)[0] for p in geom.geoms]}
    if kind in ("LineString", "LinearRing"):
        parts = _display_parts(np.asarray(geom.coords), precision, spacing_km)
        if len(parts) == 1:
            return {"type": "LineString", "coordinates": parts[0]}
        return {"type": "MultiLineString", "coordinates": parts}
    if kind == "MultiLineString":
        parts = [part for p in geom.geoms if not p.is_empty for part in _display_parts(np.asarray(p.coords), precision, spacing_km)]
        return {"type": "MultiLineString", "coordinates": parts} if parts else None
    if kind in ("Polygon", "MultiPolygon"):
        polygons = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.is_empty:
                continue
            shell = _round_ring(poly.exterior, precision)
            if shell is None:
                continue
            holes = [r for r in (_round_ring(i, precision) for i in poly.interiors) if r is not None]
            polygons.append([shell, *holes])
        if not polygons:
            return None
        if kind == "Polygon":
            return {"type": "Polygon", "coordinates": polygons[0]}
        return {"type": "MultiPolygon", "coordinates": polygons}
    if kind == "GeometryCollection":
        members = [
            g
            for g in (display_geometry(p, precision=precision, spacing_km=spacing_km) for p in geom.geoms)
            if g is not None
        ]
        return {"type": "GeometryCollection", "geometries": members} if members else None
    return None


__all__ = ["DISPLAY_PRECISION", "DISPLAY_SPACING_KM", "display_geometry", "human", "is_http_url", "json_for_script", "km_text", "make_row", "missing", "number", "safe_links"]
