"""The folium map and its HTML page: assets, data script, meta tags, modes.

Two modes:

- online (default): Leaflet's script and stylesheet from the CDN folium
  uses, with Subresource Integrity hashes computed from the identical files
  ``xstatic-leaflet`` ships; tiles from an ``xyzservices`` provider
  (:data:`DEFAULT_TILES`), and the built-in basemap when tiles fail;
- offline: one self-contained file; Leaflet inlined, the Natural Earth
  basemap of :mod:`~transcaspian.web.basemap`, no network request at all.

Both carry the same data script, so they behave the same. Data reaches the
page only as escaped JSON (:func:`~transcaspian.web.display.json_for_script`)
and as HTML-escaped attribute values; it is never template source.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import xyzservices
import xyzservices.providers
from branca.element import Element, Figure
from folium.template import Template
from markupsafe import escape

from transcaspian.network.records import LAYERS
from transcaspian.web import assets as render_assets
from transcaspian.web import biglayer
from transcaspian.web.display import json_for_script
from transcaspian.web.elements import Text, TextMacroElement
from transcaspian.web.i18n import text
from transcaspian.web.payload import network_payload, pack_payload
from transcaspian.web.userpayload import user_payload

#: Names of the embed page and the combined map.
INDEX_FILE = "index.html"
EMBED_FILE = "embed.html"
#: Social-card image beside each map page (written by the build).
CARD_FILE = "index.png"
#: The default tile provider of online maps: Esri's light grey canvas, made as
#: a quiet backdrop for thematic overlays, needs no API key; OpenStreetMap's
#: own tile servers do not allow heavy publishing, and CARTO's now need a key.
DEFAULT_TILES = "Esri.WorldGrayCanvas"
#: folium's viewport tag blocks pinch zoom (maximum-scale=1, user-scalable=no).
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def tile_provider(name: str) -> xyzservices.TileProvider:
    """The ``xyzservices`` provider called ``name`` (e.g. ``OpenTopoMap``).

    Raises
    ------
    ValueError
        For an unknown name or one that needs an API key, naming a few that work.
    """
    return xyzservices.TileProvider(_tile_provider(name))


# xyzservices flattens its whole catalogue on every query: a build asks nine times.
@functools.lru_cache(maxsize=16)
def _tile_provider(name: str) -> xyzservices.TileProvider:
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(f"unknown tile provider {name!r}: use an xyzservices name such as {DEFAULT_TILES} or OpenTopoMap") from None
    if provider.requires_token():
        raise ValueError(f"tile provider {name!r} needs an API key: use one that does not, such as {DEFAULT_TILES} or OpenTopoMap")
    return provider


# ---------------------------------------------------------------------------
# The folium map and its HTML


class MapData(TextMacroElement):
    """Title, meta tags, the map's own script and stylesheet, and its data as JSON.

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

    def __init__(self, payload: Mapping[str, Any], *, card: str | None = None) -> None:
        super().__init__()
        self._name = "MapData"
        title = str(payload.get("title") or "Map")
        description = " ".join(str(payload.get(k) or "") for k in ("subtitle", "caption")).strip()
        meta = [("property", "og:type", "website"), ("property", "og:title", title), ("property", "og:description", description)]
        meta += [("name", "twitter:title", title), ("name", "twitter:description", description), ("name", "description", description)]
        if card:
            meta += [("property", "og:image", card), ("property", "og:image:width", "1200"), ("property", "og:image:height", "630")]
            meta += [("name", "twitter:card", "summary_large_image"), ("name", "twitter:image", card)]
        else:
            meta += [("name", "twitter:card", "summary")]
        self.head_html = (
            f"<title>{escape(title)}</title>\n"
            + "\n".join(f'<meta {kind}="{escape(key)}" content="{escape(value)}">' for kind, key, value in meta)
            + "\n"
            + render_assets.style_tag(render_assets.map_css())
            + "\n"
            + render_assets.script_tag(render_assets.map_js())
            + ("\n" + render_assets.script_tag(biglayer.biglayer_js()) if biglayer.has_big(payload) else "")
        )
        # Shown only when Leaflet did not load (map.js removes it): a blank
        # page would tell the reader nothing.
        failed = f'<p id="tc-failed" role="alert" class="tc-failed">{escape(text(str(payload.get("lang", "en")), "failed"))}</p>'
        self.data_html = failed + f'<script type="application/json" id="tc-data">{_payload_json(payload)}</script>'


#: The last basemap written and its JSON: every online page of a build carries the
#: same world basemap object (basemap.page_basemap keeps it, read-only), two
#: thirds of each page's data, so it is serialised once. Held by reference, the
#: object cannot be replaced by another at the same address.
_BASEMAP_JSON: list[tuple[object, str]] = []


def _payload_json(payload: Mapping[str, Any]) -> str:
    """:func:`json_for_script` of ``payload``, its ``basemap`` (the last key) serialised once per basemap object."""
    basemap = payload.get("basemap")
    if not basemap:
        return json_for_script(payload)
    if not _BASEMAP_JSON or _BASEMAP_JSON[0][0] is not basemap:
        _BASEMAP_JSON[:] = [(basemap, json_for_script(basemap))]
    rest = json_for_script({key: value for key, value in payload.items() if key != "basemap"})
    return rest[:-1] + ("," if rest != "{}" else "") + '"basemap":' + _BASEMAP_JSON[0][1] + "}"


def _stable_names(html: str, elements: Sequence[Element]) -> str:
    """Replace the random ids in the names of ``elements`` by a counter, for identical builds.

    branca gives every element a random id that its templates write into the
    page (``map_<32 hex digits>``). Only the names of the elements this module
    made are replaced, found through the public :meth:`Element.get_name`; a
    random name cannot occur in the data, so the payload is never touched.
    """
    for number, element in enumerate(elements, start=1):
        name = element.get_name()
        html = html.replace(name, f"{name.rsplit('_', 1)[0]}_tc{number}")
    return html


def make_map(
    payload: Mapping[str, Any], *, offline: bool = False, tiles: str = DEFAULT_TILES, card: str | None = None, local_fallback: bool = False
) -> folium.Map:
    """A folium map that draws ``payload`` with map.js.

    Parameters
    ----------
    payload : dict
        From :func:`~transcaspian.web.payload.network_payload` or
        :func:`~transcaspian.web.userpayload.user_payload`.
    offline : bool
        Inline Leaflet and draw the Natural Earth basemap instead of linking
        the CDN and loading tiles.
    tiles : str
        Online only: the ``xyzservices`` tile provider (:func:`tile_provider`).
    card : str, optional
        Address of the social-card image for the Open Graph and Twitter tags.
    local_fallback : bool
        Online only: load Leaflet from the copy beside the page
        (:func:`~transcaspian.web.assets.local_leaflet_files`) when the CDN
        cannot be reached; the map then draws its built-in basemap.

    Returns
    -------
    folium.Map
        Element ids are deterministic; render with :func:`map_html`.
    """
    payload = pack_payload(payload)
    if not offline and payload.get("basemap"):
        # Online, the basemap is only the fallback when tiles fail: the world
        # at its coarsest level keeps the page light.
        basemap = payload["basemap"]
        if any(level["box"] is not None for level in basemap["levels"]):
            payload["basemap"] = {**basemap, "levels": [level for level in basemap["levels"] if level["box"] is None]}
    bounds = payload.get("bounds") or [[35.0, 40.0], [50.0, 60.0]]
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    # zoomSnap 0.25: fitBounds can fill the frame instead of jumping a whole level.
    m = folium.Map(location=center, zoom_start=4, tiles=None, zoom_control=True, zoom_snap=0.25, min_zoom=2)
    figure = m.get_root()
    if not isinstance(figure, Figure):  # a folium Map's root is always its Figure
        raise TypeError("the map has no Figure to put its assets in")
    named: list[Element] = [m]
    # No jQuery, Bootstrap or awesome-markers: the map needs none of them.
    m.default_js = []
    m.default_css = []
    if offline:
        js, css = render_assets.leaflet_inline()
        figure.header.add_child(Text(render_assets.style_tag(css)), name="leaflet_css")
        figure.header.add_child(Text(render_assets.script_tag(js)), name="leaflet")
    else:
        provider = tile_provider(tiles)
        tags = render_assets.cdn_tags() + ("\n" + render_assets.local_fallback_tag() if local_fallback else "")
        figure.header.add_child(Text(tags), name="leaflet")
        named.append(folium.TileLayer(provider, control=False).add_to(m))
    data = MapData(payload, card=card)
    m.add_child(data)
    named.append(data)
    setattr(m, "tc_named", named)  # noqa: B010 (read by map_html for stable element names)
    setattr(m, "tc_lang", str(payload.get("lang", "en")))  # noqa: B010 (read by map_html for <html lang>)
    return m


def map_html(m: folium.Map) -> str:
    """The complete HTML page of a map made by :func:`make_map`.

    The page declares its language (``<html lang>``) and lets readers
    pinch-zoom (folium's viewport tag forbids it).
    """
    html = _stable_names(m.get_root().render(), getattr(m, "tc_named", [m]))
    html = html.replace("<html>", f'<html lang="{escape(getattr(m, "tc_lang", "en"))}">', 1)
    return _FOLIUM_VIEWPORT.sub(_VIEWPORT, html, count=1)


def embed_page(map_file: str = INDEX_FILE, *, title: str = "Map") -> str:
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


def network_maps(
    measured: Any, *, offline: bool = False, lang: str = "en", tiles: str = DEFAULT_TILES, memo: dict[tuple[str, ...], Any] | None = None
) -> dict[str, str]:
    """Every map page of the curated network, by file name.

    Parameters
    ----------
    measured : measured.Measured
        The curated data, measured (and checked, for the verdicts).
    offline : bool
        Self-contained pages (:func:`make_map`).
    lang : str
        Language of every page (:data:`~transcaspian.web.i18n.LANGUAGES`).
    tiles : str
        Online tile provider.
    memo : dict, optional
        Each feature's geometry and popup, made once for every page (and
        for the static images, when they are given the same dict).

    Returns
    -------
    dict of str to str
        ``index.html`` (all layers), ``<layer>.html`` for each network layer,
        ``routes.html`` and ``places.html``, and ``embed.html``; online, also
        Leaflet's script and stylesheet, loaded when the CDN cannot be reached.
    """
    # Online pages draw on tiles: the basemap's finer levels would be left out anyway.
    memo = {} if memo is None else memo
    index = network_payload(measured, lang=lang, detail=offline, memo=memo)
    fallback = not offline  # online pages get Leaflet beside them, for when the CDN fails
    pages = {INDEX_FILE: map_html(make_map(index, offline=offline, tiles=tiles, card=CARD_FILE, local_fallback=fallback))}
    keys = [k for k in LAYERS if k in measured.geodata.layers]
    for key in [*keys, "routes", "places"]:
        payload = network_payload(measured, [key], lang=lang, detail=offline, memo=memo)
        pages[f"{key}.html"] = map_html(make_map(payload, offline=offline, tiles=tiles, card=CARD_FILE, local_fallback=fallback))
    pages[EMBED_FILE] = embed_page(INDEX_FILE, title=str(index["title"]))
    if fallback:
        pages.update(render_assets.local_leaflet_files())
    return pages


def user_map_html(
    layers: Sequence[tuple[str, gpd.GeoDataFrame]],
    *,
    title: str | None = None,
    offline: bool = False,
    lang: str = "en",
    tiles: str = DEFAULT_TILES,
) -> str:
    """The HTML page of a map of user files (``transcaspian map``).

    Parameters
    ----------
    layers : sequence of (str, GeoDataFrame)
        Display name (file name) and features of each file.
    title : str, optional
        The map's title.
    offline : bool
        One self-contained file, as :func:`make_map`.
    lang : str
        Language of the interface and basemap names.
    tiles : str
        Online tile provider.
    """
    return map_html(make_map(user_payload(layers, title=title, lang=lang, detail=offline), offline=offline, tiles=tiles))
