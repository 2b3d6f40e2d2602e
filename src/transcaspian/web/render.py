"""Interactive folium maps: styled overlays, legend, safe popups, offline mode.

Every map is a folium :class:`~folium.Map` whose overlays, popups, legend
and controls are built in the browser by ``data/map.js`` from one JSON
document embedded in the page. That split is what keeps the maps safe with
any data: folium's ``Tooltip``, ``Popup``, ``GeoJsonTooltip`` and
``GeoJsonPopup`` insert their text as HTML (the tooltip inside a JavaScript
template literal), so a property such as ``<img src=x onerror=alert(1)>`` or
``${alert(1)}`` would run. Here data never passes through them: it is
serialised as JSON into ``<script type="application/json">`` with ``<``, ``>``
and ``&`` escaped, and the script puts every string into the page with
``textContent``. Links are made only for ``http``/``https`` URLs.

Functions here are pure: they return maps, payloads and HTML strings;
:mod:`transcaspian.pipeline` and the CLI write them.

Two modes:

- CDN (default): Leaflet's script and stylesheet from the CDN folium uses,
  OpenStreetMap tiles.
- offline: one self-contained file; Leaflet inlined from ``xstatic-leaflet``
  (its images as ``data:`` URIs), and a vector basemap of the shipped Natural
  Earth countries instead of tiles. The page makes no network request.

The map's own controls (search, measuring tool, fullscreen, legend, deep
links) are small scripts in ``data/map.js``, inlined in both modes, so both
modes behave the same and no third-party plugin renders data as HTML.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.template import Template
from markupsafe import escape
from shapely.geometry.base import BaseGeometry

from transcaspian.geo.countries import load_countries
from transcaspian.geo.antimeridian import split_at_antimeridian
from transcaspian.geo.geodesy import GEOD, densify
from transcaspian.network.lines import latlon
from transcaspian.network.records import LAYERS
from transcaspian.styles import (
    FERRY_DASH,
    ILLUSTRATIVE_DASH,
    LAYER_COLORS,
    MODE_WIDTHS,
    PLACE_STYLES,
    STATUS_DASH,
    LineStyle,
    line_style,
)
from transcaspian.values import FIELD_LABELS, LENGTH_NOTE, format_km, format_number, is_missing
from transcaspian.web import assets as render_assets
from transcaspian.web import biglayer
from transcaspian.web.elements import Text, TextMacroElement

#: Decimal places of coordinates written into the page (1e-5 degree is
#: about 1 m, far below what a screen shows).
DISPLAY_PRECISION = 5
#: Longest straight segment drawn, in km: longer segments are densified
#: along the WGS84 geodesic so sea legs follow the ellipsoid on the map.
DISPLAY_SPACING_KM = 20.0
#: Simplification tolerance (degrees) and precision of the offline basemap.
BASEMAP_TOLERANCE_DEG = 0.02
BASEMAP_PRECISION = 3
#: Fallback colours of user layers, one per file (Okabe–Ito, then greys).
USER_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
#: Attribute rows shown at most in a user feature's popup.
MAX_POPUP_ROWS = 60
#: Longest attribute value shown, in characters.
MAX_VALUE_CHARS = 500
#: Title of the curated combined map.
INDEX_TITLE = "Across the Caspian: Middle Corridor, fiber, power cables and the BTC pipeline"
SUBTITLE = "Lengths: WGS84 geodesic, measured along the drawn lines."
BASEMAP_ATTRIBUTION = "Natural Earth"
#: Credit for the curated lines, many of whose waypoints come from OpenStreetMap.
DATA_ATTRIBUTION = "Route data: transcaspian, with waypoints © OpenStreetMap contributors (ODbL)"
#: Names of the embed page and the combined map.
INDEX_FILE = "index.html"
EMBED_FILE = "embed.html"

_SLUG = re.compile(r"[^a-z0-9_-]+")
_SCRIPT_UNSAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
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
    return text.translate(_SCRIPT_UNSAFE)


def is_http_url(value: Any) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL string."""
    return isinstance(value, str) and re.match(r"^https?://[^\s/?#]+", value.strip(), re.IGNORECASE) is not None


def _human(value: str) -> str:
    """``subsea_cable`` -> ``subsea cable``."""
    return str(value).replace("_", " ")


def _missing(value: Any) -> bool:
    # Text shown to people: a blank string is no information either.
    return is_missing(value, blank=True)


def _links(links: Iterable[Mapping[str, str] | None]) -> list[dict[str, str]]:
    """Links as map.js takes them, keeping only http(s) URLs."""
    out = []
    for link in links:
        if link and is_http_url(link.get("href")):
            item = {"text": str(link.get("text") or link["href"]), "href": str(link["href"]).strip()}
            if link.get("title"):
                item["title"] = str(link["title"])
            out.append(item)
    return out


def _row(
    key: str,
    label: str,
    text: str = "",
    *,
    links: Iterable[Mapping[str, str] | None] = (),
    note: str = "",
    items: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """One popup row.

    ``text`` and ``links`` fill one line; ``items`` (each ``{"text",
    "links"}``) are shown one per line below; ``note`` in small print.
    Links keep only http(s) URLs.
    """
    row: dict[str, Any] = {"key": key, "label": label, "text": text}
    safe = _links(links)
    if safe:
        row["links"] = safe
    if items:
        row["items"] = [{"text": str(i.get("text", "")), "links": _links(i.get("links", ()))} for i in items]
    if note:
        row["note"] = note
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
        parts = [
            g
            for g in (display_geometry(p, precision=precision, spacing_km=spacing_km) for p in geom.geoms)
            if g is not None
        ]
        return {"type": "GeometryCollection", "geometries": parts} if parts else None
    return None


def basemap_geojson(
    countries: Mapping[str, Any] | None = None,
    *,
    tolerance_deg: float = BASEMAP_TOLERANCE_DEG,
    precision: int = BASEMAP_PRECISION,
) -> dict[str, Any]:
    """The Natural Earth countries, simplified to display precision.

    Borders shared by two countries are simplified once
    (:func:`shapely.coverage_simplify`), so neighbours still meet.

    Parameters
    ----------
    countries : dict, optional
        A GeoJSON FeatureCollection of country polygons; the shipped
        :func:`sources.load_countries` when omitted.
    tolerance_deg : float
        Simplification tolerance in degrees.
    precision : int
        Decimal places kept.

    Returns
    -------
    dict
        A FeatureCollection with geometry only (no properties), lon/lat.
    """
    countries = load_countries() if countries is None else countries
    geoms = [shapely.geometry.shape(f["geometry"]) for f in countries["features"]]
    # The shipped file covers the world (for measuring anywhere); the basemap keeps the
    # region it details, so the offline page stays within its size budget.
    if countries.get("detail_bbox"):
        region = shapely.box(*countries["detail_bbox"])
        clipped = shapely.intersection(np.asarray(geoms, dtype=object), region)
        # A border along the box's edge leaves a line in a GeometryCollection: keep the polygons.
        geoms = [shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]) for g in clipped]
        geoms = [g for g in geoms if not g.is_empty]
    try:
        simple = list(shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance_deg))
    except (AttributeError, shapely.errors.GEOSException):  # old GEOS, or not a clean coverage
        simple = [shapely.simplify(g, tolerance_deg, preserve_topology=True) for g in geoms]
    features = []
    for geom in simple:
        shape = display_geometry(geom, precision=precision, spacing_km=None)
        if shape is not None:
            features.append({"type": "Feature", "properties": {}, "geometry": shape})
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=1)
def _shipped_basemap() -> dict[str, Any]:
    """:func:`basemap_geojson` of the shipped boundaries, made once per process
    (simplifying them is the slow part of an offline build). Read-only."""
    return basemap_geojson()


# ---------------------------------------------------------------------------
# Styles and legend


class StyleTable:
    """Distinct drawing styles of one map, each stored once and used by index."""

    def __init__(self) -> None:
        self.styles: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def add(self, style: Mapping[str, Any]) -> int:
        """Index of ``style`` in :attr:`styles`, adding it if new."""
        key = json.dumps(style, sort_keys=True)
        if key not in self._index:
            self._index[key] = len(self.styles)
            self.styles.append(dict(style))
        return self._index[key]


def line_style_json(style: LineStyle, *, halo: bool = False) -> dict[str, Any]:
    """A :class:`styles.LineStyle` as the style map.js draws.

    Parameters
    ----------
    style : LineStyle
        Colour, width (px) and dash pattern.
    halo : bool
        Draw as a wide, translucent band beneath other lines (routes that
        follow legs drawn on their own).
    """
    out: dict[str, Any] = {"color": style.color, "weight": style.width, "dash": style.dasharray()}
    if style.dash == ILLUSTRATIVE_DASH:
        out["dotted"] = True
    if halo:
        out["weight"] = style.width + 4
        out["opacity"] = 0.3
    return out


def place_style_json(kind: str, fallback: str = "#444444") -> dict[str, Any]:
    """Circle marker style of a place kind (colour, radius in px)."""
    color, radius = PLACE_STYLES.get(kind, (fallback, 4.0))
    return {"color": "#ffffff", "weight": 1, "fill": color, "fillOpacity": 0.95, "radius": radius}


def _status_items(statuses: Iterable[str], modes: Iterable[str], accuracies: Iterable[str]) -> list[dict[str, Any]]:
    neutral = "#444444"
    statuses, modes, accuracies = set(statuses), set(modes), set(accuracies)
    items = []
    if "operational" in statuses:
        items.append({"label": "operational", "line": {"color": neutral, "weight": 3, "dash": None}})
    if "under_construction" in statuses:
        items.append({"label": "under construction", "line": line_style_json(LineStyle(neutral, 3, STATUS_DASH["under_construction"]))})
    planned = sorted(s for s in ("planned", "proposed") if s in statuses)
    if planned:
        items.append({"label": " / ".join(planned), "line": line_style_json(LineStyle(neutral, 3, STATUS_DASH["planned"]))})
    if "ferry" in modes:
        items.append({"label": "ferry (operational)", "line": line_style_json(LineStyle(neutral, 3, FERRY_DASH))})
    if "illustrative" in accuracies:
        items.append({"label": "illustrative course", "line": line_style_json(LineStyle(neutral, 3, ILLUSTRATIVE_DASH))})
    return items


def legend_sections(
    layers: Sequence[Mapping[str, Any]],
    *,
    statuses: Iterable[str] = (),
    modes: Iterable[str] = (),
    accuracies: Iterable[str] = (),
    place_kinds: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The categorical legend: layer colours, line styles, modes and places.

    Parameters
    ----------
    layers : sequence of dict
        Legend entries of the overlays: ``{"label", "line" | "circle" | "area"}``.
    statuses, modes, accuracies, place_kinds : iterable of str
        Values present on the map; only those get a legend entry.

    Returns
    -------
    list of dict
        Sections ``{"title", "items"}``; map.js draws each item as a small SVG
        sample and its label as text.
    """
    sections = []
    if layers:
        sections.append({"title": "Layers", "items": list(layers)})
    status_items = _status_items(statuses, modes, accuracies)
    if status_items:
        sections.append({"title": "Status and course", "items": status_items})
    mode_items = [
        {"label": _human(mode), "line": {"color": "#444444", "weight": width, "dash": None}}
        for mode, width in MODE_WIDTHS.items()
        if mode in set(modes)
    ]
    if mode_items:
        sections.append({"title": "Mode (line width)", "items": mode_items})
    kinds = set(place_kinds)
    place_items = [
        {"label": _human(kind), "circle": {"color": color, "radius": radius}}
        for kind, (color, radius) in PLACE_STYLES.items()
        if kind in kinds
    ]
    if place_items:
        sections.append({"title": "Places", "items": place_items})
    return sections


# ---------------------------------------------------------------------------
# Popups


def _capacity_text(row: Mapping[str, Any]) -> str:
    if not _missing(row.get("capacity")):
        return str(row["capacity"])
    parts = []
    if not _missing(row.get("capacity_mw")):
        parts.append(f"{format_number(row['capacity_mw'])} MW")
    if not _missing(row.get("capacity_tbps")):
        parts.append(f"{format_number(row['capacity_tbps'])} Tbps")
    return ", ".join(parts)


def _cite(publisher: Any, title: Any, url: Any, date: Any = "") -> dict[str, str] | None:
    """A short source link: publisher (and date) as text, the title on hover."""
    if not is_http_url(url):
        return None
    text = str(publisher) if not _missing(publisher) else str(url)
    if not _missing(date):
        text += f", {date}"
    link = {"text": text, "href": str(url)}
    if not _missing(title):
        link["title"] = str(title)
    return link


def _source_items(sources: Any) -> list[dict[str, Any]]:
    """One line per source of a leg or route (its ``sources`` column)."""
    items = []
    if isinstance(sources, (list, tuple, np.ndarray)):
        for source in sources:
            if isinstance(source, Mapping):
                link = _cite(source.get("publisher"), source.get("title"), source.get("url"), source.get("date"))
                if link:
                    items.append({"text": "", "links": [link]})
    return items


def _source_link(source: Any, sources: Mapping[str, Any] | None) -> dict[str, str] | None:
    """A link to a source given by id (looked up in ``sources``) or by URL."""
    if _missing(source):
        return None
    found = (sources or {}).get(str(source))
    if found is not None:
        return _cite(getattr(found, "publisher", ""), getattr(found, "title", ""), getattr(found, "url", None), getattr(found, "date", ""))
    if is_http_url(source):
        return {"text": str(source), "href": str(source)}
    return None


def line_popup_rows(
    row: Mapping[str, Any],
    sources: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Popup rows of a leg or route.

    Parameters
    ----------
    row : mapping
        A row of ``Measured.legs`` or ``Measured.routes``: ``mode``,
        ``status``, ``route_accuracy``, ``operator``, capacity columns,
        ``length_km``, ``country_lengths_km``, ``sources``, ``notes``; and,
        when the check has run, ``stated_length_km``, ``stated_source``,
        ``length_ratio``, ``check`` and ``facts``.
    sources : mapping of str to sources.Source, optional
        Sources by id, to link ``stated_source`` and the facts' sources.

    Returns
    -------
    list of dict
        ``{"key", "label", "text", "links"?, "items"?, "note"?}``, plain text only;
        map.js renders them with ``textContent``.
    """
    rows = []
    label = FIELD_LABELS
    for key in ("mode", "status", "route_accuracy"):
        if not _missing(row.get(key)):
            rows.append(_row(key, label[key], _human(row[key])))
    if not _missing(row.get("operator")):
        rows.append(_row("operator", label["operator"], str(row["operator"])))
    capacity = _capacity_text(row)
    if capacity:
        rows.append(_row("capacity", label["capacity"], capacity))
    if not _missing(row.get("length_km")):
        rows.append(_row("length_km", label["length_km"], format_km(row["length_km"]), note=LENGTH_NOTE))
    by_country = row.get("country_lengths_km")
    if isinstance(by_country, Mapping) and len(by_country) > 1:
        text = " · ".join(f"{code} {format_km(km)}" for code, km in sorted(by_country.items(), key=lambda kv: -kv[1]))
        rows.append(_row("country_lengths_km", label["country_lengths_km"], text))
    if not _missing(row.get("stated_length_km")):
        link = _source_link(row.get("stated_source"), sources)
        text = f"{format_number(row['stated_length_km'])} km"
        if link is None and not _missing(row.get("stated_source")):
            text += f" ({row['stated_source']})"
        rows.append(_row("stated_length_km", label["stated_length_km"], text, links=[link] if link else []))
    if not _missing(row.get("check")):
        text = _human(row["check"])
        has_ratio = not _missing(row.get("length_ratio"))
        if has_ratio:
            text += f" · ratio {float(row['length_ratio']):.2f}"
        rows.append(_row("check", label["check"], text, note="ratio = measured ÷ stated" if has_ratio else ""))
    facts = row.get("facts")
    if isinstance(facts, (list, tuple, np.ndarray)):
        items = [
            {
                "text": f"{_human(fact.get('metric') or 'figure').capitalize()}: {fact['text']}",
                "links": [_source_link(fact.get("source"), sources)],
            }
            for fact in facts
            if isinstance(fact, Mapping) and not _missing(fact.get("text"))
        ]
        if items:
            rows.append(_row("facts", label["facts"], items=items))
    items = _source_items(row.get("sources"))
    if items:
        rows.append(_row("sources", label["sources"], items=items))
    if not _missing(row.get("notes")):
        rows.append(_row("notes", label["notes"], str(row["notes"])))
    return rows


def place_popup_rows(row: Mapping[str, Any], country_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Popup rows of a place: kind, country, coordinates and their source."""
    rows = []
    if not _missing(row.get("kind")):
        rows.append(_row("kind", FIELD_LABELS["kind"], _human(row["kind"])))
    code = row.get("country")
    if not _missing(code):
        name = (country_names or {}).get(str(code))
        rows.append(_row("country", FIELD_LABELS["country"], f"{name} ({code})" if name else str(code)))
    geom = row.get("geometry")
    if isinstance(geom, BaseGeometry) and geom.geom_type == "Point":
        lat, lon = geom.y, geom.x
        text = f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"
        rows.append(_row("coordinates", "Location", text))
    source = row.get("source")
    if not _missing(source):
        if is_http_url(source):
            rows.append(_row("source", FIELD_LABELS["source"], links=[{"text": str(source), "href": str(source)}]))
        else:
            rows.append(_row("source", FIELD_LABELS["source"], str(source)))
    return rows


def _value_text(value: Any) -> str:
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (np.floating,)):
        text = repr(float(value))
    elif isinstance(value, (np.integer,)):
        text = str(int(value))
    elif isinstance(value, (datetime, date, pd.Timestamp)):
        text = value.isoformat()
    elif isinstance(value, (bytes, bytearray, memoryview)):
        text = f"<{len(bytes(value))} bytes>"
    elif isinstance(value, (Mapping, list, tuple, np.ndarray)):
        try:
            text = json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def attribute_popup_rows(row: Mapping[str, Any], *, geometry_column: str = "geometry") -> list[dict[str, Any]]:
    """Popup rows listing a user feature's attributes, as text.

    Keys and values are shown as they are (as text, never markup); http(s)
    URL values become links; missing values are left out; lines get their
    geodesic length measured on the full-resolution geometry.
    """
    rows = []
    geom = row.get(geometry_column)
    if isinstance(geom, BaseGeometry) and not geom.is_empty and geom.geom_type in ("LineString", "MultiLineString"):
        km = GEOD.geometry_length(shapely.force_2d(geom)) / 1000.0
        rows.append(_row("_measured_length_km", FIELD_LABELS["length_km"], format_km(km), note="WGS84 geodesic"))
    for key, value in row.items():
        if key == geometry_column or isinstance(value, BaseGeometry) or _missing(value):
            continue
        if len(rows) >= MAX_POPUP_ROWS:
            rows.append(_row("_more", "…", f"{len(row) - MAX_POPUP_ROWS} more attributes not shown"))
            break
        text = _value_text(value)
        if is_http_url(value):
            rows.append(_row(str(key), str(key), links=[{"text": text, "href": str(value).strip()}]))
        else:
            rows.append(_row(str(key), str(key), text))
    return rows


# ---------------------------------------------------------------------------
# Layers of the curated data


def _bounds(frames: Iterable[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f) and not f.geometry.is_empty.all()]
    if not boxes:
        return None
    arr = np.asarray(boxes)
    corners = np.array([[arr[:, 0].min(), arr[:, 1].min()], [arr[:, 2].max(), arr[:, 3].max()]])
    return [[round(v, 4) for v in pair] for pair in latlon(corners)]


def network_layer(
    frame: gpd.GeoDataFrame,
    *,
    layer_id: str,
    title: str,
    table: StyleTable,
    halo: bool = False,
    sources: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One overlay of legs or routes, styled by layer, mode, status, accuracy.

    Parameters
    ----------
    frame : GeoDataFrame
        Rows of ``Measured.legs`` (one layer) or ``Measured.routes``.
    layer_id : str
        The layer key (``fiber``, ``routes`` ...), for its colour.
    title : str
        Shown in the layer control, legend, popups and search results.
    table : StyleTable
        Receives the styles used.
    halo : bool
        Draw as translucent bands beneath the legs (routes on the combined map).
    sources : mapping, optional
        Sources by id, for the popups' links.
    """
    features = []
    for _, row in frame.iterrows():
        style = line_style(row.get("layer") or layer_id, row.get("mode", ""), row.get("status", ""), row.get("route_accuracy", ""))
        if layer_id == "routes":
            style = LineStyle(LAYER_COLORS["routes"], style.width, style.dash)
        geometry = display_geometry(row.geometry)
        if geometry is None:
            continue
        features.append(
            {
                "id": str(row["id"]),
                "name": str(row["name"]),
                "g": geometry,
                "s": table.add(line_style_json(style, halo=halo)),
                "rows": line_popup_rows(row.to_dict(), sources),
            }
        )
    return {
        "id": layer_id,
        "title": title,
        "color": LAYER_COLORS.get(layer_id, "#666666"),
        "pane": "under" if halo else "lines",
        "features": features,
    }


def places_layer(frame: gpd.GeoDataFrame, *, table: StyleTable, title: str = "Places", country_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The places overlay: circle markers coloured and sized by kind."""
    features = []
    for _, row in frame.iterrows():
        geometry = display_geometry(row.geometry)
        if geometry is None:
            continue
        features.append(
            {
                "id": str(row["id"]),
                "name": str(row["name"]),
                "g": geometry,
                "s": table.add(place_style_json(str(row.get("kind", "")))),
                "rows": place_popup_rows(row.to_dict(), country_names),
            }
        )
    return {"id": "places", "title": title, "color": PLACE_STYLES["port"][0], "pane": "places", "features": features}


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO alpha-3 to country name, from the shipped boundaries (read once: a
    build renders several maps). Callers must not change the dict."""
    return {
        str(f["properties"].get("iso_a3")): str(f["properties"].get("name"))
        for f in load_countries()["features"]
        if f["properties"].get("name")
    }


def chain_coords(parts: Sequence[Sequence[Sequence[float]]]) -> list[list[float]]:
    """Join lines end to start, keeping a shared junction vertex once.

    map.js does the same to draw a route from its legs' coordinates.
    """
    out: list[list[float]] = []
    for part in parts:
        part = [list(c) for c in part]
        if out and part and out[-1] == part[0]:
            part = part[1:]
        out.extend(part)
    return out


def _routes_by_reference(layers: list[dict[str, Any]], routes: gpd.GeoDataFrame) -> None:
    """Draw routes from their legs' coordinates instead of repeating them.

    On the combined map every leg is already in the page; a route that is
    exactly the chain of its legs' drawn lines carries only its leg ids
    (``"legs"``) and map.js joins them (:func:`chain_coords`). Any route that
    does not match keeps its own geometry.
    """
    lines = {
        f["id"]: f["g"]["coordinates"]
        for layer in layers
        if layer["id"] != "routes"
        for f in layer["features"]
        if f["g"]["type"] == "LineString"
    }
    legs_of = {str(rid): list(legs) for rid, legs in zip(routes["id"], routes["legs"])}
    for layer in layers:
        if layer["id"] != "routes":
            continue
        for feature in layer["features"]:
            legs = legs_of.get(feature["id"], [])
            if legs and all(leg in lines for leg in legs) and feature["g"]["type"] == "LineString":
                if chain_coords([lines[leg] for leg in legs]) == feature["g"]["coordinates"]:
                    del feature["g"]
                    feature["legs"] = legs


def _all_sources(measured: Any) -> dict[str, Any]:
    """Sources by id: the geodata's, and the claims register's once checked."""
    sources = dict(measured.geodata.sources)
    checks = getattr(measured, "checks", None)
    if checks is not None:
        sources.update(checks.register.sources)
    return sources


def network_payload(measured: Any, layer_ids: Sequence[str] | None = None, *, title: str | None = None) -> dict[str, Any]:
    """The JSON document of a map of the curated network.

    Parameters
    ----------
    measured : pipeline.Measured
        Legs, routes and places, measured.
    layer_ids : sequence of str, optional
        Which layers to show, any of the network layers, ``routes`` and
        ``places``; all of them (the combined map) when omitted. Network
        layers come in :data:`sources.LAYERS` order, then routes, then places.
        A map without ``places`` still shows the places its lines pass.
    title : str, optional
        The map's title; defaults to the layer's title or :data:`INDEX_TITLE`.
    """
    titles = {k: layer.title for k, layer in measured.geodata.layers.items()}
    titles.update(routes="Routes (chains of legs)", places="Places")
    network = [k for k in LAYERS if k in titles]
    combined = layer_ids is None
    wanted = [*network, "routes", "places"] if combined else list(layer_ids)
    order = [k for k in [*network, "routes", "places"] if k in wanted]
    table = StyleTable()
    sources = _all_sources(measured)
    layers: list[dict[str, Any]] = []
    frames: list[gpd.GeoDataFrame] = []
    legend_layers: list[dict[str, Any]] = []
    place_ids: set[str] = set()
    statuses: set[str] = set()
    modes: set[str] = set()
    accuracies: set[str] = set()
    for key in order:
        if key == "places":
            continue
        frame = measured.routes if key == "routes" else measured.legs[measured.legs["layer"] == key]
        halo = combined and key == "routes"
        layers.append(network_layer(frame, layer_id=key, title=titles[key], table=table, halo=halo, sources=sources))
        frames.append(frame)
        for places in frame["places"]:
            place_ids.update(places)
        if key != "routes":
            statuses.update(frame["status"])
            modes.update(frame["mode"])
            accuracies.update(frame["route_accuracy"])
        sample = line_style_json(LineStyle(LAYER_COLORS.get(key, "#666666"), 3.0, None), halo=halo)
        legend_layers.append({"label": titles[key], "line": sample})
    if combined:
        _routes_by_reference(layers, measured.routes)
    places = measured.places if "places" in order else measured.places[measured.places["id"].isin(place_ids)]
    if len(places):
        layers.append(places_layer(places, table=table, title=titles["places"], country_names=_country_names()))
        frames.append(places)
    if title is None:
        title = INDEX_TITLE if combined else titles[order[0]] if len(order) == 1 else ", ".join(titles[k] for k in order)
    return {
        "title": title,
        "subtitle": SUBTITLE,
        "styles": table.styles,
        "layers": layers,
        "legend": legend_sections(
            legend_layers,
            statuses=statuses,
            modes=modes,
            accuracies=accuracies,
            place_kinds=set(places["kind"]) if len(places) else (),
        ),
        "bounds": _bounds(frames),
        "data_attribution": DATA_ATTRIBUTION,
    }


# ---------------------------------------------------------------------------
# Layers of user files


def _slug(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return _SLUG.sub("-", stem.lower()).strip("-") or "layer"


def _name_of(row: Mapping[str, Any], fallback: str) -> str:
    lower = {str(k).lower(): k for k in row}
    for key in ("name", "title", "label", "id"):
        if key in lower and not _missing(row[lower[key]]) and not isinstance(row[lower[key]], BaseGeometry):
            return _value_text(row[lower[key]])
    return fallback


def user_layer(name: str, frame: gpd.GeoDataFrame, *, color: str, table: StyleTable, slug: str) -> tuple[dict[str, Any], set[str], set[str], set[str], set[str], set[str]]:
    """One overlay from a user's file, in the curated styles where it can.

    A feature with the curated attributes (``layer``, ``mode``, ``status``,
    ``route_accuracy``, or a place ``kind``) gets the curated style; anything
    else is drawn in the file's colour. Returns the layer and the statuses,
    modes, accuracies, place kinds and geometry families it holds (for the
    legend).
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometry_column = frame.geometry.name
    features = []
    statuses: set[str] = set()
    modes: set[str] = set()
    accuracies: set[str] = set()
    kinds: set[str] = set()
    families: set[str] = set()
    for i, (_, series) in enumerate(frame.iterrows()):
        row = series.to_dict()
        geom = row.get(geometry_column)
        geometry = display_geometry(geom, simplify_deg=10.0**-DISPLAY_PRECISION)
        if geometry is None:
            continue
        kind = geom.geom_type
        attrs = {k: ("" if _missing(v) or not isinstance(v, str) else v) for k, v in row.items() if k != geometry_column}
        if "Point" in kind:
            families.add("point")
            place_kind = attrs.get("kind", "")
            if place_kind in PLACE_STYLES:
                kinds.add(place_kind)
                style = place_style_json(place_kind)
            else:
                style = {"color": "#ffffff", "weight": 1, "fill": color, "fillOpacity": 0.95, "radius": 5}
        elif "Polygon" in kind:
            families.add("area")
            style = {"color": color, "weight": 1.5, "fill": color, "fillOpacity": 0.2}
        else:
            families.add("line")
            line = line_style(attrs.get("layer", ""), attrs.get("mode", ""), attrs.get("status", ""), attrs.get("route_accuracy", ""))
            if attrs.get("layer") not in LAYER_COLORS:
                line = LineStyle(color, line.width if attrs.get("mode") in MODE_WIDTHS else 3.0, line.dash)
            style = line_style_json(line)
            if attrs.get("status") in STATUS_DASH:
                statuses.add(attrs["status"])
            if attrs.get("mode") in MODE_WIDTHS:
                modes.add(attrs["mode"])
            if attrs.get("route_accuracy") == "illustrative":
                accuracies.add("illustrative")
        features.append(
            {
                "id": f"{slug}-{i + 1}",
                "name": _name_of(row, f"{name} #{i + 1}"),
                "g": geometry,
                "s": table.add(style),
                "rows": attribute_popup_rows(row, geometry_column=geometry_column),
            }
        )
    layer = {"id": slug, "title": name, "color": color, "pane": "places" if families == {"point"} else "lines", "features": features}
    return layer, statuses, modes, accuracies, kinds, families


def user_payload(layers: Sequence[tuple[str, gpd.GeoDataFrame]], *, title: str | None = None) -> dict[str, Any]:
    """The JSON document of a map of user files.

    Parameters
    ----------
    layers : sequence of (str, GeoDataFrame)
        Display name (usually the file name) and features of each file, in
        the order they are drawn and listed.
    title : str, optional
        The map's title; the file names when omitted.
    """
    table = StyleTable()
    out_layers = []
    legend_layers = []
    statuses: set[str] = set()
    modes: set[str] = set()
    accuracies: set[str] = set()
    kinds: set[str] = set()
    frames = []
    used: dict[str, int] = {}
    for i, (name, frame) in enumerate(layers):
        color = USER_COLORS[i % len(USER_COLORS)]
        slug = _slug(name)
        used[slug] = used.get(slug, 0) + 1
        if used[slug] > 1:
            slug = f"{slug}-{used[slug]}"
        if biglayer.is_big(frame):
            layer, families = biglayer.big_layer(name, frame, color=color, slug=slug), biglayer.families(frame)
            s, m, a, k = set(), set(), set(), set()
        else:
            layer, s, m, a, k, families = user_layer(name, frame, color=color, table=table, slug=slug)
        out_layers.append(layer)
        statuses |= s
        modes |= m
        accuracies |= a
        kinds |= k
        frames.append(frame.to_crs(4326) if frame.crs is not None and frame.crs.to_epsg() != 4326 else frame)
        if families == {"point"}:
            legend_layers.append({"label": name, "circle": {"color": color, "radius": 5}})
        elif families == {"area"}:
            legend_layers.append({"label": name, "area": {"color": color}})
        else:
            legend_layers.append({"label": name, "line": {"color": color, "weight": 3, "dash": None}})
    return {
        "title": title if title else ", ".join(name for name, _ in layers),
        "subtitle": "Lengths: WGS84 geodesic, measured on the full-resolution geometry.",
        "styles": table.styles,
        "layers": out_layers,
        "legend": legend_sections(legend_layers, statuses=statuses, modes=modes, accuracies=accuracies, place_kinds=kinds),
        "bounds": _bounds(frames),
    }


# ---------------------------------------------------------------------------
# Packing: the page carries each repeated string once


def pack_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the page carries it: repeated strings stored once.

    Popup rows repeat their labels and notes on every feature, and many
    features cite the same sources, so rows become ``[field, text, links?,
    items?]`` with ``field`` an index into ``fields`` (``[key, label,
    note]``) and links indices into ``links`` (``[text, href, title]``).
    This keeps the combined map well inside its size budget; map.js unpacks
    it.

    Parameters
    ----------
    payload : mapping
        From :func:`network_payload` or :func:`user_payload` (readable rows).

    Returns
    -------
    dict
        A new payload; the input is not changed.
    """
    fields: list[list[str]] = []
    field_index: dict[tuple[str, str, str], int] = {}
    links: list[list[str]] = []
    link_index: dict[tuple[str, str, str], int] = {}

    def field(row: Mapping[str, Any]) -> int:
        key = (str(row["key"]), str(row["label"]), str(row.get("note", "")))
        if key not in field_index:
            field_index[key] = len(fields)
            fields.append(list(key))
        return field_index[key]

    def link(item: Mapping[str, str]) -> int:
        key = (item["text"], item["href"], item.get("title", ""))
        if key not in link_index:
            link_index[key] = len(links)
            links.append(list(key))
        return link_index[key]

    def row(r: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = [field(r), r.get("text", "")]
        items = [[i["text"], [link(x) for x in i.get("links", ())]] for i in r.get("items", ())]
        if r.get("links") or items:
            out.append([link(x) for x in r.get("links", ())])
        if items:
            out.append(items)
        return out

    layers = [{**layer, "features": [{**f, "rows": [row(r) for r in f.get("rows", ())]} for f in layer["features"]]} for layer in payload.get("layers", ())]
    return {**payload, "layers": layers, "fields": fields, "links": links}


# ---------------------------------------------------------------------------
# The folium map and its HTML


class MapData(TextMacroElement):
    """Title, the map's own script and stylesheet, and its data as JSON.

    The data sits in ``<script type="application/json" id="tc-data">``; the
    one line of generated JavaScript passes the folium map to map.js. The
    template is fixed; title and data are attributes it inserts, never
    template source (:class:`~transcaspian.web.elements.TextMacroElement`).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {{ this.head_html }}
        {% endmacro %}
        {% macro html(this, kwargs) %}
        {{ this.data_html }}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        transcaspianMap({{ this._parent.get_name() }}, document.getElementById("tc-data"));
        {% endmacro %}
        """
    )

    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__()
        self._name = "MapData"
        title = str(payload.get("title") or "Map")
        self.head_html = (
            f"<title>{escape(title)}</title>\n"
            + render_assets.style_tag(render_assets.map_css())
            + "\n"
            + render_assets.script_tag(render_assets.map_js())
            + ("\n" + render_assets.script_tag(biglayer.biglayer_js()) if biglayer.has_big(payload) else "")
        )
        self.data_html = f'<script type="application/json" id="tc-data">{json_for_script(payload)}</script>'


def _fix_ids(root: Element) -> None:
    """Replace folium's random element ids by a counter, for identical builds."""
    counter = itertools.count()

    def walk(element: Element) -> None:
        element._id = f"tc{next(counter)}"
        for child in element._children.values():
            walk(child)

    walk(root)


def make_map(payload: Mapping[str, Any], *, offline: bool = False) -> folium.Map:
    """A folium map that draws ``payload`` with map.js.

    Parameters
    ----------
    payload : dict
        From :func:`network_payload` or :func:`user_payload`.
    offline : bool
        Inline Leaflet and draw the Natural Earth basemap instead of linking
        the CDN and OpenStreetMap tiles.

    Returns
    -------
    folium.Map
        Element ids are deterministic; render with :func:`map_html`.
    """
    payload = pack_payload(payload)
    bounds = payload.get("bounds") or [[35.0, 40.0], [50.0, 60.0]]
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    # zoomSnap 0.25: fitBounds can fill the frame instead of jumping a whole level.
    m = folium.Map(location=center, zoom_start=4, tiles=None, zoom_control=True, zoom_snap=0.25, min_zoom=2)
    figure = m.get_root()
    if offline:
        payload["basemap"] = _shipped_basemap()
        payload["basemap_attribution"] = BASEMAP_ATTRIBUTION
        js, css = render_assets.leaflet_inline()
        # No jQuery, Bootstrap or awesome-markers: the map needs none of them.
        m.default_js = []
        m.default_css = []
        figure.header.add_child(Text(render_assets.style_tag(css)), name="leaflet_css")
        figure.header.add_child(Text(render_assets.script_tag(js)), name="leaflet")
    else:
        js_url, css_url = render_assets.leaflet_cdn_urls()
        m.default_js = [("leaflet", js_url)]
        m.default_css = [("leaflet_css", css_url)]
        folium.TileLayer("OpenStreetMap", max_zoom=19, control=False).add_to(m)
    m.add_child(MapData(payload))
    _fix_ids(figure)
    return m


def map_html(m: folium.Map) -> str:
    """The complete HTML page of a map made by :func:`make_map`."""
    return m.get_root().render()


def embed_page(map_file: str = INDEX_FILE, *, title: str = INDEX_TITLE) -> str:
    """A page with a ready-to-paste responsive ``<iframe>`` and the live map.

    Parameters
    ----------
    map_file : str
        The map's address relative to the page (or an absolute URL).
    title : str
        The iframe's accessible title.
    """
    snippet = (
        f'<iframe src="{escape(map_file)}" title="{escape(title)}" '
        'style="display:block;width:100%;aspect-ratio:4/3;min-height:360px;max-height:90vh;border:0" '
        'allowfullscreen loading="lazy"></iframe>'
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Embed: {escape(title)}</title>
<style>
body {{ font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto; padding: 1rem; max-width: 960px; }}
pre {{ background: #f4f4f4; padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }}
</style>
</head>
<body>
<h1>Embed this map</h1>
<p>Paste this into your page. It fills the width of its container and keeps a 4:3 shape; the
fullscreen button works inside the frame. Replace <code>{escape(map_file)}</code> with the address where you
publish the <code>maps/</code> folder. Deep links work too: append <code>#</code> and a feature id,
for example <code>{escape(map_file)}#fiber_aktau_sumgayit</code>.</p>
<pre><code id="snippet">{escape(snippet)}</code></pre>
<h2>Live</h2>
{snippet}
</body>
</html>
"""


def network_maps(measured: Any, *, offline: bool = False) -> dict[str, str]:
    """Every map page of the curated network, by file name.

    Returns
    -------
    dict of str to str
        ``index.html`` (all layers), ``<layer>.html`` for each network layer,
        ``routes.html`` and ``places.html``, and ``embed.html``.
    """
    pages = {INDEX_FILE: map_html(make_map(network_payload(measured), offline=offline))}
    keys = [k for k in LAYERS if k in measured.geodata.layers]
    for key in [*keys, "routes", "places"]:
        pages[f"{key}.html"] = map_html(make_map(network_payload(measured, [key]), offline=offline))
    pages[EMBED_FILE] = embed_page(INDEX_FILE, title=INDEX_TITLE)
    return pages


def user_map_html(layers: Sequence[tuple[str, gpd.GeoDataFrame]], *, title: str | None = None, offline: bool = False) -> str:
    """The HTML page of a map of user files (``transcaspian map``).

    Parameters
    ----------
    layers : sequence of (str, GeoDataFrame)
        Display name (file name) and features of each file.
    title : str, optional
        The map's title.
    offline : bool
        One self-contained file, as :func:`make_map`.
    """
    return map_html(make_map(user_payload(layers, title=title), offline=offline))
