"""Scripts and stylesheets the maps link (CDN mode) or inline (offline mode).

Offline, everything comes from installed packages: Leaflet from
``xstatic-leaflet`` (the version folium links), its images turned into
``data:`` URIs, and the map's own ``map.js`` / ``map.css`` from
``transcaspian.web.static``. Nothing is downloaded.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import folium.folium
import xstatic.pkg.leaflet as xleaflet

#: Leaflet version shipped by xstatic-leaflet (and linked by folium).
LEAFLET_VERSION: str = xleaflet.VERSION

_SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S*\s*$")
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9_.-]+\.png)\1\)")


def leaflet_cdn_urls() -> tuple[str, str]:
    """The Leaflet script and stylesheet URLs folium links by default.

    Returns
    -------
    tuple of str
        ``(js_url, css_url)``, taken from folium so the CDN page uses
        exactly the assets a plain folium map would.
    """
    js = dict(folium.folium._default_js)["leaflet"]
    css = dict(folium.folium._default_css)["leaflet_css"]
    return js, css


def _leaflet_dir() -> Path:
    return Path(xleaflet.BASE_DIR)


@lru_cache(maxsize=1)
def leaflet_inline() -> tuple[str, str]:
    """Leaflet's minified script and its stylesheet, ready to inline.

    The ``sourceMappingURL`` comment is dropped (it would name a file that
    does not exist beside the page) and the stylesheet's ``images/*.png``
    become base64 ``data:`` URIs.

    Returns
    -------
    tuple of str
        ``(js, css)``.
    """
    base = _leaflet_dir()
    js = _SOURCE_MAP.sub("\n", (base / "leaflet.js").read_text(encoding="utf-8"))
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        png = (base / match.group(2)).read_bytes()
        return f'url("data:image/png;base64,{base64.b64encode(png).decode("ascii")}")'

    return js, _CSS_URL.sub(data_uri, css)


@lru_cache(maxsize=1)
def map_js() -> str:
    """The map's own script (layers, popups, controls); see ``data/map.js``."""
    return (files("transcaspian.web.static") / "map.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def map_css() -> str:
    """The map's own stylesheet; see ``data/map.css``."""
    return (files("transcaspian.web.static") / "map.css").read_text(encoding="utf-8")


def script_tag(js: str) -> str:
    """An inline ``<script>`` element holding ``js``.

    Raises
    ------
    ValueError
        If the code contains ``</script`` or ``<!--``, which would end or
        confuse the element (never the case for the shipped assets).
    """
    lowered = js.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise ValueError("inline script contains '</script' or '<!--'")
    return f"<script>{js}</script>"


def style_tag(css: str) -> str:
    """An inline ``<style>`` element holding ``css``."""
    if "</style" in css.lower():
        raise ValueError("inline stylesheet contains '</style'")
    return f"<style>{css}</style>"


@lru_cache(maxsize=1)
def cdn_tags() -> str:
    """``<link>`` and ``<script>`` tags of Leaflet on the CDN, with Subresource Integrity.

    The hashes are of the files ``xstatic-leaflet`` ships, which are the
    npm package's ``dist`` files the CDN serves byte for byte (checked when
    the version changes: ``npm pack leaflet@VERSION``); a file that differs
    is refused by the browser, and the page then says it could not load.

    Raises
    ------
    RuntimeError
        If folium links another Leaflet version than xstatic-leaflet ships
        (the hashes would not match).
    """
    js_url, css_url = leaflet_cdn_urls()
    if f"@{LEAFLET_VERSION}/" not in js_url or f"@{LEAFLET_VERSION}/" not in css_url:
        raise RuntimeError(f"folium links {js_url}, xstatic-leaflet ships Leaflet {LEAFLET_VERSION}: pin the same version")
    base = _leaflet_dir()

    def sri(name: str) -> str:
        digest = hashlib.sha384((base / name).read_bytes()).digest()
        return "sha384-" + base64.b64encode(digest).decode("ascii")

    return (
        f'<link rel="stylesheet" href="{css_url}" integrity="{sri("leaflet.css")}" crossorigin="anonymous">\n'
        f'<script src="{js_url}" integrity="{sri("leaflet.js")}" crossorigin="anonymous"></script>'
    )


def local_leaflet_files() -> dict[str, str]:
    """Leaflet beside the published pages, for when the CDN cannot be reached.

    Returns
    -------
    dict of str to str
        ``leaflet-<version>.js`` (as shipped) and ``leaflet-<version>.css``
        (its images inlined as ``data:`` URIs, so the two files are all it needs).
    """
    js, css = leaflet_inline()
    return {f"leaflet-{LEAFLET_VERSION}.js": js, f"leaflet-{LEAFLET_VERSION}.css": css}


def local_fallback_tag() -> str:
    """A script that loads :func:`local_leaflet_files` when the CDN's Leaflet did not load.

    Written synchronously (``document.write``) because folium's map script
    follows at once and needs ``L``; the files are same-origin with the page.
    """
    js_name, css_name = (f"leaflet-{LEAFLET_VERSION}.{ext}" for ext in ("js", "css"))
    return script_tag(
        "window.L || document.write('<link rel=\"stylesheet\" href=\"" + css_name + "\">"
        "<script src=\"" + js_name + "\"><\\/script>');"
    )
