"""The JSON document each map page carries: layers, styles, legend, names.

Every drawn feature and every legend sample take their style from
:mod:`transcaspian.styles` through one :class:`StyleTable`, and the legend
lists the styles the map actually uses, so its samples draw exactly what
the map draws (same colour, width, dash pattern and opacity).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np

from transcaspian.network.lines import latlon
from transcaspian.network.records import LAYERS
from transcaspian.styles import ILLUSTRATIVE_DASH, LAYER_COLORS, PLACE_STYLES, LineStyle, line_style
from transcaspian.web import basemap
from transcaspian.web.display import display_geometry
from transcaspian.web.i18n import LOCALES, check_language, text, ui_strings
from transcaspian.web.popups import claims_about, line_popup_rows, place_popup_rows

#: Credit for the curated lines, many of whose waypoints come from OpenStreetMap.
DATA_ATTRIBUTION = "route data © OpenStreetMap contributors, ODbL 1.0"
#: A place takes a city's names (CLDR, every language) when it lies this close
#: to the city's point and its name or id contains the city's English name.
CITY_MATCH_KM = 25.0
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


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
        out["opacity"] = 0.35
    return out


def place_style_json(kind: str, fallback: str = "#444444") -> dict[str, Any]:
    """Circle marker style of a place kind (colour, radius in px)."""
    color, radius = PLACE_STYLES.get(kind, (fallback, 4.0))
    return {"color": "#ffffff", "weight": 1, "fill": color, "fillOpacity": 0.95, "radius": radius}


class Legend:
    """Legend sections in the order first seen, each item once.

    Items are ``{"label", "line" | "circle" | "area"}`` where the sample is
    the very style dict the map draws with.
    """

    def __init__(self) -> None:
        self.sections: dict[str, list[dict[str, Any]]] = {}
        self._seen: set[str] = set()

    def add(self, section: str, label: str, **sample: Any) -> None:
        key = json.dumps([section, label, sample], sort_keys=True)
        if key not in self._seen:
            self._seen.add(key)
            self.sections.setdefault(section, []).append({"label": label, **sample})

    def as_list(self) -> list[dict[str, Any]]:
        return [{"title": title, "items": items} for title, items in self.sections.items()]


def line_label(mode: str, status: str, accuracy: str, lang: str) -> str:
    """``rail · operational``: what a line's style says, in words."""
    parts = [text(lang, mode)] if mode else []
    parts.append(text(lang, "illustrative") if accuracy == "illustrative" else text(lang, status) if status else "")
    return " · ".join(p for p in parts if p)


def _bounds(frames: Iterable[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f) and not f.geometry.is_empty.all()]
    if not boxes:
        return None
    arr = np.asarray(boxes)
    corners = np.array([[arr[:, 0].min(), arr[:, 1].min()], [arr[:, 2].max(), arr[:, 3].max()]])
    return [[round(v, 4) for v in pair] for pair in latlon(corners)]


class _Row(dict[str, Any]):
    """One frame row as a dict, with the two things of a pandas row the layers use: ``geometry`` and ``to_dict()``."""

    geometry: Any = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self)


def _rows(frame: gpd.GeoDataFrame) -> Iterator[_Row]:
    """The rows of ``frame`` in order, as :class:`_Row`.

    ``iterrows`` builds a pandas Series per row: on every page of a build
    that was a fifth of the pages' time. The values are the same Python
    objects either way (a mixed row holds Python scalars, as records do).
    """
    geometries = frame.geometry.tolist()
    for record, geometry in zip(frame.to_dict("records"), geometries):
        row = _Row(record)
        row.geometry = geometry
        yield row


def network_layer(
    frame: gpd.GeoDataFrame,
    *,
    layer_id: str,
    title: str,
    table: StyleTable,
    legend: Legend | None = None,
    halo: bool = False,
    sources: Mapping[str, Any] | None = None,
    checks: Sequence[Any] = (),
    lang: str = "en",
    memo: dict[tuple[str, ...], Any] | None = None,
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
    legend : Legend, optional
        Receives one item per distinct style, under the layer's title.
    halo : bool
        Draw as translucent bands beneath the legs (routes on the combined map).
    sources : mapping, optional
        Sources by id, for the popups' links.
    checks : sequence of claims.judge.Check
        Every checked claim; each popup lists those about its feature.
    lang : str
        Language of the popups and legend.
    memo : dict, optional
        Geometry and popup of each feature, kept between the pages of one
        build (:func:`network_payload`); the same sources and checks are
        assumed for every call that shares it.
    """
    features = []
    memo = {} if memo is None else memo
    for row in _rows(frame):
        mode, status, accuracy = (str(row.get(k) or "") for k in ("mode", "status", "route_accuracy"))
        style = line_style(row.get("layer") or layer_id, mode, status, accuracy)
        if layer_id == "routes":
            style = LineStyle(LAYER_COLORS["routes"], style.width, style.dash)
        key = ("line", layer_id, str(row["id"]), lang)
        if key not in memo:
            geometry = display_geometry(row.geometry)
            rows = None if geometry is None else line_popup_rows(row.to_dict(), sources, claims=claims_about(checks, str(row["id"])), lang=lang)
            memo[key] = (geometry, rows)
        geometry, rows = memo[key]
        if geometry is None:
            continue
        drawn = line_style_json(style, halo=halo)
        if legend is not None:
            legend.add(title, line_label(mode, status, accuracy, lang) or title, line=drawn)
        features.append({"id": str(row["id"]), "name": str(row["name"]), "g": geometry, "s": table.add(drawn), "rows": rows})
    return {
        "id": layer_id,
        "title": title,
        "color": LAYER_COLORS.get(layer_id, "#666666"),
        "pane": "under" if halo else "lines",
        "features": features,
    }


@functools.lru_cache(maxsize=1)
def _city_index() -> list[tuple[float, float, dict[str, str]]]:
    return [(c["lon"], c["lat"], c["names"]) for c in basemap.shipped_world()["cities"]]


def place_names(name: str, place_id: str, lon: float, lat: float) -> dict[str, str]:
    """The place's town in every language (CLDR), when it is a city the basemap knows.

    A place takes a city's names when it lies within :data:`CITY_MATCH_KM`
    of the city and its name or id contains the city's English name (so the
    Baku passenger station gets "Баку", "Bakı", "Bakü"; a pump station near
    Baku gets nothing).
    """
    return dict(_place_names(name, place_id, lon, lat))


# A build asks for every place once per page: the answer is kept.
@functools.lru_cache(maxsize=4096)
def _place_names(name: str, place_id: str, lon: float, lat: float) -> dict[str, str]:
    from transcaspian.geo.geodesy import GEOD

    lowered = f"{name} {place_id}".lower()
    for clon, clat, names in _city_index():
        if abs(clon - lon) > 1 or abs(clat - lat) > 1:
            continue
        if names.get("en", "").lower() in lowered and GEOD.inv(lon, lat, clon, clat)[2] / 1000 <= CITY_MATCH_KM:
            return dict(names)
    return {}


def country_names(lang: str) -> dict[str, str]:
    """ISO alpha-3 to country name in ``lang`` (Natural Earth, CLDR), English fallback."""
    return {c["iso"]: c["names"].get(lang) or c["names"].get("en", c["iso"]) for c in basemap.shipped_world()["countries"]}


def places_layer(
    frame: gpd.GeoDataFrame,
    *,
    table: StyleTable,
    title: str = "Places",
    legend: Legend | None = None,
    lang: str = "en",
    memo: dict[tuple[str, ...], Any] | None = None,
) -> dict[str, Any]:
    """The places overlay: circle markers coloured and sized by kind, with
    the town's name in every language for search (``aka``) and, in a page
    not in English, in front of the curated name. ``memo`` as in
    :func:`network_layer`."""
    features = []
    memo = {} if memo is None else memo
    countries = country_names(lang)
    for row in _rows(frame):
        key = ("place", str(row["id"]), lang)
        if key not in memo:
            memo[key] = _place_feature(row, lang, countries)
        content = memo[key]
        if content is None:
            continue
        kind = str(row.get("kind", ""))
        style = place_style_json(kind)
        if legend is not None:
            legend.add(title, text(lang, kind), circle=style)
        feature: dict[str, Any] = {"id": str(row["id"]), "name": content["name"], "g": content["g"], "s": table.add(style)}
        feature.update((k, content[k]) for k in ("aka", "en", "rows") if k in content)
        features.append(feature)
    return {"id": "places", "title": title, "color": PLACE_STYLES["port"][0], "pane": "places", "features": features}


def _place_feature(row: Any, lang: str, countries: Mapping[str, str]) -> dict[str, Any] | None:
    """A place's drawn point, names and popup (the same on every page of a build)."""
    geometry = display_geometry(row.geometry)
    if geometry is None:
        return None
    name = str(row["name"])
    feature: dict[str, Any] = {"name": name, "g": geometry}
    towns = place_names(name, str(row["id"]), float(row.geometry.x), float(row.geometry.y))
    if towns:
        feature["aka"] = sorted(set(towns.values()))
        town = towns.get(lang, "")
        if town and town.lower() not in name.lower():
            feature["name"], feature["en"] = f"{town} — {name}", name
    feature["rows"] = place_popup_rows(row.to_dict(), countries, lang=lang)
    return feature


def chain_coords(parts: Sequence[Sequence[Sequence[float]]]) -> list[list[float]]:
    """Join lines end to start, keeping a shared junction vertex once.

    map.js does the same to draw a route from its legs' coordinates. The
    vertices that are lists already are the inputs' own, not copies.
    """
    out: list[list[float]] = []
    for part in parts:
        skip = 1 if out and len(part) and out[-1] == list(part[0]) else 0
        # list(c) per vertex only where a vertex is not a list already: the
        # payload's coordinates are, and copying them cost a tenth of a second.
        out.extend(c if isinstance(c, list) else list(c) for c in part[skip:])
    return out


def _routes_by_reference(layers: list[dict[str, Any]], routes: gpd.GeoDataFrame) -> None:
    """Draw routes from their legs' coordinates instead of repeating them.

    On the combined map every leg is already in the page; a route that is
    exactly the chain of its legs' drawn lines carries only its leg ids
    (``"legs"``) and map.js joins them (:func:`chain_coords`). Any route that
    does not match keeps its own geometry.
    """
    lines = {f["id"]: f["g"]["coordinates"] for layer in layers if layer["id"] != "routes" for f in layer["features"] if f["g"]["type"] == "LineString"}
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


def data_date(sources: Mapping[str, Any]) -> str:
    """The date of the data: the newest date among its sources (``YYYY[-MM[-DD]]``), or ``""``."""
    dates = [str(getattr(s, "date", "") or "") for s in sources.values()]
    return max((d for d in dates if _DATE.match(d)), default="")


def caption(lang: str, date: str) -> str:
    """The map's caption line: date of the data, where the sources are, licence."""
    parts = [text(lang, "caption_data", date=date)] if date else []
    return " · ".join([*parts, text(lang, "caption_sources")])


def page_fields(lang: str, bounds: list[list[float]] | None, *, max_zoom: int = basemap.MAX_ZOOM, detail: bool = True) -> dict[str, Any]:
    """What every page carries besides its layers: language, words, basemap (``detail``: see :func:`basemap.page_basemap`)."""
    return {
        "lang": lang,
        "locale": LOCALES[lang],
        "ui": ui_strings(lang),
        "basemap": basemap.page_basemap(bounds, lang, max_zoom=max_zoom, detail=detail),
    }


def network_payload(
    measured: Any,
    layer_ids: Sequence[str] | None = None,
    *,
    title: str | None = None,
    lang: str = "en",
    detail: bool = True,
    memo: dict[tuple[str, ...], Any] | None = None,
) -> dict[str, Any]:
    """The JSON document of a map of the curated network.

    Parameters
    ----------
    measured : measured.Measured
        Legs, routes and places, measured (and checked, for the verdicts).
    layer_ids : sequence of str, optional
        Which layers to show, any of the network layers, ``routes`` and
        ``places``; all of them (the combined map) when omitted. Network
        layers come in :data:`LAYERS` order, then routes, then places.
        A map without ``places`` still shows the places its lines pass.
    title : str, optional
        The map's title; defaults to the layer's title or the combined title.
    lang : str
        One of :data:`i18n.LANGUAGES`; English where a word or name is missing.
    detail : bool
        Carry the basemap's finer levels (offline pages and static images);
        an online page, drawn on tiles, needs only the world level.
    memo : dict, optional
        Shared by the pages of one ``measured`` (:func:`network_layer`): each
        feature's geometry and popup are made once, not once per page.
    """
    check_language(lang)
    titles = {k: layer.title for k, layer in measured.geodata.layers.items()}
    titles.update(routes=text(lang, "routes"), places=text(lang, "places"))
    network = [k for k in LAYERS if k in titles]
    combined = layer_ids is None
    wanted = [*network, "routes", "places"] if layer_ids is None else list(layer_ids)
    order = [k for k in [*network, "routes", "places"] if k in wanted]
    table, legend = StyleTable(), Legend()
    sources = _all_sources(measured)
    checks = measured.checks.checks if getattr(measured, "checks", None) is not None else ()
    layers: list[dict[str, Any]] = []
    frames: list[gpd.GeoDataFrame] = []
    place_ids: set[str] = set()
    for key in order:
        if key == "places":
            continue
        frame = measured.routes if key == "routes" else measured.legs[measured.legs["layer"] == key]
        halo = combined and key == "routes"
        layers.append(
            network_layer(frame, layer_id=key, title=titles[key], table=table, legend=legend, halo=halo, sources=sources, checks=checks, lang=lang, memo=memo)
        )
        frames.append(frame)
        for places in frame["places"]:
            place_ids.update(places)
    if combined:
        _routes_by_reference(layers, measured.routes)
    places = measured.places if "places" in order else measured.places[measured.places["id"].isin(place_ids)]
    if len(places):
        layers.append(places_layer(places, table=table, title=titles["places"], legend=legend, lang=lang, memo=memo))
        frames.append(places)
    if title is None:
        title = text(lang, "title") if combined else titles[order[0]] if len(order) == 1 else ", ".join(titles[k] for k in order)
    bounds = _bounds(frames)
    return {
        "title": title,
        "subtitle": text(lang, "subtitle"),
        "caption": caption(lang, data_date(sources)),
        "styles": table.styles,
        "layers": layers,
        "legend": legend.as_list(),
        "bounds": bounds,
        "data_attribution": text(lang, "caption_licence"),
        **page_fields(lang, bounds, detail=detail),
    }


# ---------------------------------------------------------------------------
# Packing: the page carries each repeated string once


def pack_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the page carries it: repeated strings stored once.

    Popup rows repeat their labels and notes on every feature, and many
    features cite the same sources, so rows become ``[field, text, links?,
    items?]`` with ``field`` an index into ``fields`` (``[key, label,
    note, detail]``) and links indices into ``links`` (``[text, href, title]``).
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
    fields: list[list[Any]] = []
    field_index: dict[tuple[str, str, str, int], int] = {}
    links: list[list[str]] = []
    link_index: dict[tuple[str, str, str], int] = {}

    def field(row: Mapping[str, Any]) -> int:
        key = (str(row["key"]), str(row["label"]), str(row.get("note", "")), 1 if row.get("detail") else 0)
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
