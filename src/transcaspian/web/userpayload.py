"""The JSON document of a map of a user's own files (``transcaspian map``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from transcaspian.styles import LAYER_COLORS, MODE_WIDTHS, PLACE_STYLES, LineStyle, line_style
from transcaspian.web import biglayer
from transcaspian.web.display import DISPLAY_PRECISION, display_geometry, missing
from transcaspian.web.i18n import check_language, text
from transcaspian.web.payload import Legend, StyleTable, _bounds, line_label, line_style_json, page_fields, place_style_json
from transcaspian.web.popups import attribute_popup_rows, value_text

#: Colours of user layers, one per file: Okabe–Ito hues darkened to 3:1
#: against land and sea (as :data:`styles.LAYER_COLORS`), then greys.
USER_COLORS = ("#0072B2", "#CB5900", "#008A64", "#BE548F", "#A47100", "#000000", "#555555", "#7A7A7A")
#: Deepest zoom of a user map (the curated maps stop at the basemap's detail).
USER_MAX_ZOOM = 18
_SLUG = re.compile(r"[^a-z0-9_-]+")


def _slug(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return _SLUG.sub("-", stem.lower()).strip("-") or "layer"


def _name_of(row: Mapping[str, Any], fallback: str) -> str:
    lower = {str(k).lower(): k for k in row}
    for key in ("name", "title", "label", "id"):
        if key in lower and not missing(row[lower[key]]) and not isinstance(row[lower[key]], BaseGeometry):
            return value_text(row[lower[key]])
    return fallback


def user_layer(name: str, frame: gpd.GeoDataFrame, *, color: str, table: StyleTable, slug: str, legend: Legend | None = None, lang: str = "en") -> dict[str, Any]:
    """One overlay from a user's file, in the curated styles where it can.

    A feature with the curated attributes (``layer``, ``mode``, ``status``,
    ``route_accuracy``, or a place ``kind``) gets the curated style; anything
    else is drawn in the file's colour. Each distinct style goes into the
    legend under the file's name, drawn as the map draws it.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometry_column = frame.geometry.name
    legend = legend if legend is not None else Legend()
    features = []
    families: set[str] = set()
    for i, (_, series) in enumerate(frame.iterrows()):
        row = series.to_dict()
        geom = row.get(geometry_column)
        geometry = display_geometry(geom, simplify_deg=10.0**-DISPLAY_PRECISION)
        if geometry is None:
            continue
        kind = geom.geom_type
        attrs = {k: ("" if missing(v) or not isinstance(v, str) else v) for k, v in row.items() if k != geometry_column}
        if "Point" in kind:
            families.add("point")
            place_kind = attrs.get("kind", "")
            if place_kind in PLACE_STYLES:
                style = place_style_json(place_kind)
                legend.add(name, text(lang, place_kind), circle=style)
            else:
                style = {"color": "#ffffff", "weight": 1, "fill": color, "fillOpacity": 0.95, "radius": 5}
                legend.add(name, name, circle=style)
        elif "Polygon" in kind:
            families.add("area")
            style = {"color": color, "weight": 1.5, "fill": color, "fillOpacity": 0.2}
            legend.add(name, name, area={"color": color})
        else:
            families.add("line")
            mode, status, accuracy = attrs.get("mode", ""), attrs.get("status", ""), attrs.get("route_accuracy", "")
            line = line_style(attrs.get("layer", ""), mode, status, accuracy)
            if attrs.get("layer") not in LAYER_COLORS:
                line = LineStyle(color, line.width if mode in MODE_WIDTHS else 3.0, line.dash)
            style = line_style_json(line)
            legend.add(name, line_label(mode if mode in MODE_WIDTHS else "", status, accuracy, lang) or name, line=style)
        features.append(
            {
                "id": f"{slug}-{i + 1}",
                "name": _name_of(row, f"{name} #{i + 1}"),
                "g": geometry,
                "s": table.add(style),
                "rows": attribute_popup_rows(row, geometry_column=geometry_column),
            }
        )
    return {"id": slug, "title": name, "color": color, "pane": "places" if families == {"point"} else "lines", "features": features}


def user_payload(layers: Sequence[tuple[str, gpd.GeoDataFrame]], *, title: str | None = None, lang: str = "en", detail: bool = True) -> dict[str, Any]:
    """The JSON document of a map of user files.

    Parameters
    ----------
    layers : sequence of (str, GeoDataFrame)
        Display name (usually the file name) and features of each file, in
        the order they are drawn and listed.
    title : str, optional
        The map's title; the file names when omitted.
    lang : str
        Language of the interface and basemap names.
    detail : bool
        Carry the basemap's finer levels (offline pages, static images).
    """
    check_language(lang)
    table, legend = StyleTable(), Legend()
    out_layers = []
    frames = []
    used: dict[str, int] = {}
    for i, (name, frame) in enumerate(layers):
        color = USER_COLORS[i % len(USER_COLORS)]
        slug = _slug(name)
        used[slug] = used.get(slug, 0) + 1
        if used[slug] > 1:
            slug = f"{slug}-{used[slug]}"
        if biglayer.is_big(frame):
            # Tens of thousands of features: packed and drawn by biglayer.js on a canvas.
            out_layers.append(biglayer.big_layer(name, frame, color=color, slug=slug))
            if biglayer.families(frame) == {"area"}:  # filled on the canvas, as small layers' areas
                legend.add(name, name, area={"color": color})
            else:
                legend.add(name, name, line={"color": color, "weight": 3.0, "dash": None})
        else:
            out_layers.append(user_layer(name, frame, color=color, table=table, slug=slug, legend=legend, lang=lang))
        frames.append(frame.to_crs(4326) if frame.crs is not None and frame.crs.to_epsg() != 4326 else frame)
    bounds = _bounds(frames)
    return {
        "title": title if title else ", ".join(name for name, _ in layers),
        "subtitle": text(lang, "user_subtitle"),
        "styles": table.styles,
        "layers": out_layers,
        "legend": legend.as_list(),
        "bounds": bounds,
        # A user's data may be surveyed to the metre: let readers zoom to it.
        **page_fields(lang, bounds, max_zoom=USER_MAX_ZOOM, detail=detail),
    }
