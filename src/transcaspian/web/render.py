"""Interactive folium maps: the public entry points of :mod:`transcaspian.web`.

Every map is a folium :class:`~folium.Map` whose overlays, popups, legend
and controls are built in the browser by ``static/map.js`` from one JSON
document embedded in the page. That split is what keeps the maps safe with
any data: folium's ``Tooltip``, ``Popup``, ``GeoJsonTooltip`` and
``GeoJsonPopup`` insert their text as HTML, so a property such as
``<img src=x onerror=alert(1)>`` would run. Here data never passes through
them: it is serialised as JSON into ``<script type="application/json">`` with
``<``, ``>`` and ``&`` escaped, and the script puts every string into the
page with ``textContent``. Links are made only for ``http``/``https`` URLs.

The work is split by what it does: :mod:`~transcaspian.web.display`
(geometry and text at display precision), :mod:`~transcaspian.web.popups`,
:mod:`~transcaspian.web.payload` (curated network) and
:mod:`~transcaspian.web.userpayload` (user files),
:mod:`~transcaspian.web.basemap` (offline Natural Earth),
:mod:`~transcaspian.web.i18n` (languages), :mod:`~transcaspian.web.page`
(the folium map and its HTML) and :mod:`~transcaspian.web.staticmap`
(PNG and SVG images). This module re-exports their public functions.
"""

from __future__ import annotations

from transcaspian.web.display import DISPLAY_PRECISION, DISPLAY_SPACING_KM, display_geometry, is_http_url, json_for_script
from transcaspian.web.page import (
    CARD_FILE,
    DEFAULT_TILES,
    EMBED_FILE,
    INDEX_FILE,
    MapData,
    embed_page,
    make_map,
    map_html,
    network_maps,
    tile_provider,
    user_map_html,
)
from transcaspian.web.payload import (
    DATA_ATTRIBUTION,
    Legend,
    StyleTable,
    chain_coords,
    line_style_json,
    network_layer,
    network_payload,
    pack_payload,
    place_style_json,
    places_layer,
)
from transcaspian.web.popups import MAX_POPUP_ROWS, MAX_VALUE_CHARS, attribute_popup_rows, claims_about, line_popup_rows, place_popup_rows
from transcaspian.web.userpayload import USER_COLORS, user_layer, user_payload

__all__ = [
    "CARD_FILE",
    "DATA_ATTRIBUTION",
    "DEFAULT_TILES",
    "DISPLAY_PRECISION",
    "DISPLAY_SPACING_KM",
    "EMBED_FILE",
    "INDEX_FILE",
    "MAX_POPUP_ROWS",
    "MAX_VALUE_CHARS",
    "USER_COLORS",
    "Legend",
    "MapData",
    "StyleTable",
    "attribute_popup_rows",
    "chain_coords",
    "claims_about",
    "display_geometry",
    "embed_page",
    "is_http_url",
    "json_for_script",
    "line_popup_rows",
    "line_style_json",
    "make_map",
    "map_html",
    "network_layer",
    "network_maps",
    "network_payload",
    "pack_payload",
    "place_popup_rows",
    "place_style_json",
    "places_layer",
    "tile_provider",
    "user_layer",
    "user_map_html",
    "user_payload",
]
