"""The maps in a real browser: Debian's chromium driven by Playwright, from file://.

Offline builds are tested live (no network here, and none needed); the CDN
build is tested live too, with the CDN's Leaflet served from xstatic-leaflet
by request interception, and statically in test_render.py.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from transcaspian.cli import main
from transcaspian.geo.countries import load_countries
from transcaspian.geo.geodesy import GEOD
from transcaspian.measured import check_measured
from transcaspian.network.records import LAYERS
from transcaspian.pipeline import write_maps
from transcaspian.web import assets as render_assets
from transcaspian.web.i18n import text
from transcaspian.web.render import user_map_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium (/usr/bin/chromium) is not installed; CI installs it with apt-get install chromium",
)]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAP_PAGES = ["index.html", *(f"{k}.html" for k in LAYERS), "routes.html", "places.html"]
READY = "window.transcaspianMaps && window.transcaspianMaps.length > 0"
#: The smallest valid PNG, served for intercepted tile requests.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Session:
    """A page with everything it logs, requests and pops up recorded."""

    def __init__(self, page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path, fragment: str = "") -> None:
        self.page.goto(path.as_uri() + (f"#{fragment}" if fragment else ""))
        self.page.wait_for_function(READY, timeout=15_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def popup_title(self) -> str:
        # A popup that just closed fades out for 200 ms: read the newest one.
        return self.page.locator(".leaflet-popup-content .tc-popup-title").last.inner_text()

    def popup_row(self, key: str) -> str:
        return self.page.locator(f".leaflet-popup-content tr[data-key=\"{key}\"] td").last.inner_text()

    def click_latlng(self, lat: float, lng: float) -> None:
        x, y = self.js(
            """([lat, lng]) => {
                const map = window.transcaspianMaps[0].map;
                const p = map.latLngToContainerPoint([lat, lng]);
                const r = map.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""",
            [lat, lng],
        )
        self.page.mouse.click(x, y)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def session(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    s = Session(page)

    def guard(route) -> None:
        # Nothing may leave the machine: record and refuse anything not file://.
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            s.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield s
    context.close()


@pytest.fixture(scope="module")
def checked(measured):
    """The curated data with its claims checked, as `transcaspian build` maps it."""
    return check_measured(measured)


@pytest.fixture(scope="module")
def offline_maps(tmp_path_factory, checked) -> Path:
    out = tmp_path_factory.mktemp("offline")
    write_maps(out, checked, offline=True)
    return out / "maps"


@pytest.fixture(scope="module")
def cdn_maps(tmp_path_factory, checked) -> Path:
    out = tmp_path_factory.mktemp("cdn")
    write_maps(out, checked, offline=False)
    return out / "maps"


def first_leg(frame, layer: str, *, stated: bool = False):
    """The first leg of a layer (ids change as the data is curated)."""
    legs = frame[frame["layer"] == layer]
    if stated:
        legs = legs[legs["stated_length_km"].notna()]
    return legs.iloc[0]


def lonely_port(measured):
    """A port with no other place within about a kilometre, to click on."""
    places = measured.places
    for _, port in places[places["kind"] == "port"].iterrows():
        others = places[places["id"] != port["id"]]
        # Plain degrees are enough to tell "apart" from "on top of each other".
        if shapely.distance(others.geometry.values, port.geometry).min() > 0.01:
            return port
    raise AssertionError("no port stands apart from the other places")


def country_name(code: str) -> str:
    return next(f["properties"]["name"] for f in load_countries()["features"] if f["properties"]["iso_a3"] == code)


def layer_titles(measured) -> list[str]:
    return [*(measured.geodata.layers[k].title for k in LAYERS), "Routes (chains of legs)", "Places"]


def layer_counts(measured) -> list[int]:
    legs = measured.legs
    return [*(int((legs["layer"] == k).sum()) for k in LAYERS), len(measured.routes), len(measured.places)]


# -- loading -------------------------------------------------------------------


@pytest.mark.parametrize("name", MAP_PAGES)
def test_offline_page__loads_without_errors_or_requests(session, offline_maps, name):
    session.open(offline_maps / name)
    session.page.wait_for_timeout(300)
    assert session.errors == []
    assert session.requests == [(offline_maps / name).as_uri()]
    assert session.blocked == []


def test_offline_page__every_layer_drawn(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    counts = session.js("() => window.transcaspianMaps[0].data.layers.map((_, i) => document.querySelectorAll('path.tc-l' + i).length)")
    assert counts == layer_counts(measured)
    # Drawn means a path with an outline on screen; at the whole-region zoom
    # only a line shorter than a pixel (a few km) may collapse to a dot.
    empty = session.js(
        """() => { const api = window.transcaspianMaps[0];
            return Object.keys(api.index).filter(id => {
                const path = api.index[id].layer._path;
                const box = path.getBBox();
                return !path.getAttribute('d').startsWith('M') || !(box.width + box.height > 0);
            }); }"""
    )
    lengths = measured.legs["length_km"].to_dict()
    assert all(lengths.get(fid, 0) < 10 for fid in empty), empty
    # the basemap is drawn on its own canvas beneath the data
    assert session.js("() => document.querySelectorAll('.leaflet-tc_basemap-pane canvas').length") == 1


@pytest.mark.parametrize("key", [*LAYERS, "routes", "places"])
def test_offline_page__one_layer_map_draws_its_layer(session, offline_maps, measured, key):
    session.open(offline_maps / f"{key}.html")
    frame = {"routes": measured.routes, "places": measured.places}.get(key, measured.legs[measured.legs["layer"] == key])
    assert session.js("() => document.querySelectorAll('path.tc-l0').length") == len(frame)
    assert session.js("() => window.transcaspianMaps[0].data.layers[0].id") == key


def test_layer_control__lists_layers_in_order(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    labels = session.js("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).map(l => l.textContent.trim())")
    assert labels == layer_titles(measured)


def test_layer_control__toggles_a_layer(session, offline_maps):
    session.open(offline_maps / "index.html")
    session.page.locator(".leaflet-control-layers-overlays label").nth(1).click()
    assert session.js("() => document.querySelectorAll('path.tc-l1').length") == 0
    session.page.locator(".leaflet-control-layers-overlays label").nth(1).click()
    assert session.js("() => document.querySelectorAll('path.tc-l1').length") > 0


# -- popups ----------------------------------------------------------------------


def test_popup__click_on_a_line_shows_lengths(session, offline_maps, checked):
    session.open(offline_maps / "index.html")
    leg = first_leg(checked.legs, "fiber", stated=True)
    lat, lng = session.js(
        """(id) => {
            const api = window.transcaspianMaps[0];
            api.groups.slice(4).forEach(g => api.map.removeLayer(g));  // routes and places off
            api.legend._details.open = false;  // keep the legend clear of the line
            const layer = api.index[id].layer;
            api.map.fitBounds(layer.getBounds(), {animate: false, padding: [80, 80]});
            const lls = layer.getLatLngs();
            const mid = lls[Math.floor(lls.length / 2)];
            return [mid.lat, mid.lng];
        }""",
        leg["id"],
    )
    session.click_latlng(lat, lng)
    assert session.popup_title() == leg["name"]
    assert session.popup_row("length_km").startswith(f"{leg['length_km']:,.1f} km")
    session.page.locator(".leaflet-popup-content .tc-popup-details summary").last.click()  # details behind a disclosure
    assert session.popup_row("mode") == leg["mode"].replace("_", " ")
    stated = f"{leg['stated_length_km']:,.3f}".rstrip("0").rstrip(".")
    assert session.popup_row("stated_length_km").startswith(f"{stated} km · ")
    link = session.page.locator('.leaflet-popup-content tr[data-key="stated_length_km"] a').last
    source = checked.checks.register.sources[leg["stated_source"]]
    assert link.get_attribute("href") == source.url
    assert session.popup_row("check").startswith(f"{text('en', leg['check'])} · ratio {leg['length_ratio']:.2f}")
    assert session.errors == []


def test_popup__routes_too(session, offline_maps, checked):
    route = checked.routes.iloc[0]
    session.open(offline_maps / "index.html", route["id"])
    assert session.popup_title() == route["name"]
    assert session.popup_row("length_km").startswith(f"{route['length_km']:,.1f} km")


def test_popup__click_on_a_place_shows_kind_and_country(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    place = lonely_port(measured)
    session.js("(ll) => window.transcaspianMaps[0].map.setView(ll, 12, {animate: false})", [place.geometry.y, place.geometry.x])
    session.click_latlng(place.geometry.y, place.geometry.x)
    assert session.popup_title() == place["name"]
    assert session.popup_row("kind") == "port"
    assert session.popup_row("country") == f"{country_name(place['country'])} ({place['country']})"


def test_popup__source_links_open_in_a_new_tab(session, offline_maps, measured):
    session.open(offline_maps / "index.html", first_leg(measured.legs, "btc_pipeline")["id"])
    links = session.js(
        "() => Array.from(document.querySelectorAll('.leaflet-popup-content a')).map(a => [a.protocol, a.target, a.rel])"
    )
    assert links and all(p in ("http:", "https:") and t == "_blank" and "noopener" in r for p, t, r in links)


def test_tooltip__shows_the_name_on_hover(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    place = lonely_port(measured)
    session.js("(ll) => window.transcaspianMaps[0].map.setView(ll, 12, {animate: false})", [place.geometry.y, place.geometry.x])
    x, y = session.js(
        """([lat, lng]) => { const m = window.transcaspianMaps[0].map; const p = m.latLngToContainerPoint([lat, lng]);
            const r = m.getContainer().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
        [place.geometry.y, place.geometry.x],
    )
    session.page.mouse.move(x, y)
    assert session.page.locator(".leaflet-tooltip .tc-tooltip").inner_text() == place["name"]


# -- deep links -------------------------------------------------------------------------


def test_deep_link__opens_the_feature_popup_zoomed_in(session, offline_maps, measured):
    leg = first_leg(measured.legs, "fiber")
    session.open(offline_maps / "index.html", leg["id"])
    assert session.popup_title() == leg["name"]
    assert session.js("() => window.transcaspianMaps[0].map.getZoom()") >= 6
    # Zoomed to the feature; the popup may pan the map a little to fit.
    in_view = session.js(
        """(id) => { const api = window.transcaspianMaps[0];
            const layer = api.index[id].layer;
            const view = api.map.getBounds();
            return [view.intersects(layer.getBounds()), view.contains(api.popup().getLatLng())]; }""",
        leg["id"],
    )
    assert in_view == [True, True]


def test_deep_link__follows_hash_changes(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    assert session.page.locator(".leaflet-popup").count() == 0
    leg = first_leg(measured.legs, "btc_pipeline")
    session.js("(id) => { location.hash = id; }", leg["id"])
    session.page.wait_for_selector(".leaflet-popup-content .tc-popup-title")
    assert session.popup_title() == leg["name"]
    place = measured.places.iloc[0]
    session.js("(id) => { location.hash = id; }", place["id"])
    session.page.wait_for_function(
        "(name) => Array.from(document.querySelectorAll('.tc-popup-title')).some(t => t.textContent === name)", arg=place["name"]
    )


def test_deep_link__turns_a_hidden_layer_on(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    session.page.locator(".leaflet-control-layers-overlays label").nth(3).click()  # the BTC pipeline off
    assert session.js("() => document.querySelectorAll('path.tc-l3').length") == 0
    session.js("(id) => { location.hash = id; }", first_leg(measured.legs, "btc_pipeline")["id"])
    session.page.wait_for_selector(".leaflet-popup-content")
    assert session.js("() => document.querySelectorAll('path.tc-l3').length") == int((measured.legs["layer"] == "btc_pipeline").sum())


def test_deep_link__unknown_id_is_harmless(session, offline_maps):
    session.open(offline_maps / "index.html", "no_such_feature%3Cimg%3E")
    assert session.page.locator(".leaflet-popup").count() == 0
    assert session.errors == []


# -- controls ----------------------------------------------------------------------------


def test_search__finds_places_and_features_and_opens_them(session, offline_maps, measured):
    session.open(offline_maps / "index.html")
    place = lonely_port(measured)
    query = place["name"].lower()
    box = session.page.locator(".tc-search input")
    box.fill(query)
    names = session.page.locator(".tc-search-results .tc-search-name").all_inner_texts()
    assert place["name"] in names
    assert all(query in n.lower() for n in names)
    for _ in range(names.index(place["name"]) + 1):
        box.press("ArrowDown")
    box.press("Enter")
    assert session.popup_title() == place["name"]
    assert session.js("() => location.hash") == f"#{place['id']}"


def test_search__ignores_case_and_diacritics(session, tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["Çanakkale Türkiye", "Other"]}, geometry=[shapely.Point(26.4, 40.15), shapely.Point(27.0, 40.0)], crs="EPSG:4326"
    )
    page_file = tmp_path / "search.html"
    page_file.write_text(user_map_html([("places.geojson", frame)], offline=True), encoding="utf-8")
    session.open(page_file)
    box = session.page.locator(".tc-search input")
    box.fill("CANAKKALE turk")
    assert session.page.locator(".tc-search-results .tc-search-name").all_inner_texts() == ["Çanakkale Türkiye"]
    box.fill("zzzz-nothing")
    assert session.page.locator(".tc-search-empty").inner_text() == "No match"


def test_scale_bar__metric_only(session, offline_maps):
    session.open(offline_maps / "index.html")
    lines = session.page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(lines) == 1 and (lines[0].endswith(" km") or lines[0].endswith(" m"))


def test_measure__geodesic_total_matches_pyproj(session, offline_maps):
    session.open(offline_maps / "index.html")
    session.page.locator(".tc-measure-btn").click()
    assert session.js("() => document.querySelector('.tc-measure-btn').getAttribute('aria-pressed')") == "true"
    box = session.page.locator(".leaflet-container").bounding_box()
    for fx, fy in ((0.3, 0.5), (0.6, 0.4), (0.7, 0.7)):
        session.page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    points = session.js("() => window.transcaspianMaps[0].measure._points.map(p => [p.lat, p.lng])")
    total = session.js("() => window.transcaspianMaps[0].measure.total()")
    assert len(points) == 3
    expected = sum(GEOD.inv(a[1], a[0], b[1], b[0])[2] for a, b in zip(points[:-1], points[1:])) / 1000
    assert total == pytest.approx(expected, rel=1e-9)
    shown = session.page.locator(".tc-measure-result").inner_text()
    assert shown.startswith(f"Total {expected:,.1f} km")
    # Clicking features while measuring adds points instead of opening popups.
    assert session.page.locator(".leaflet-popup").count() == 0
    session.page.locator(".tc-measure-finish").click()
    assert session.js("() => document.querySelector('.tc-measure-btn').getAttribute('aria-pressed')") == "false"
    session.page.locator(".tc-measure-clear").click()
    assert session.js("() => window.transcaspianMaps[0].measure.total()") == 0


def test_measure__vincenty_in_js_agrees_with_pyproj(session, offline_maps):
    session.open(offline_maps / "index.html")
    pairs = [(40.0, 49.0, 43.6, 51.2), (41.7, 44.8, 36.9, 35.9), (45.3, 82.5, 41.0, 29.0), (0.0, 0.0, 0.5, 179.0), (-33.9, 18.4, 51.5, -0.1)]
    got = session.js("(pairs) => pairs.map(([a, b, c, d]) => window.transcaspianMaps[0].geodesicKm(a, b, c, d))", pairs)
    for (lat1, lon1, lat2, lon2), km in zip(pairs, got):
        assert km == pytest.approx(GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000, abs=1e-5)


def test_fullscreen__toggles_the_map_container(session, offline_maps):
    session.open(offline_maps / "index.html")
    button = session.page.locator(".tc-fullscreen-btn")
    button.click()
    # The button follows the fullscreenchange event, which comes a moment later.
    session.page.wait_for_function(
        """() => { const c = window.transcaspianMaps[0].map.getContainer();
            const on = document.fullscreenElement === c || c.classList.contains('tc-pseudo-fullscreen');
            return on && document.querySelector('.tc-fullscreen-btn').getAttribute('aria-pressed') === 'true'; }"""
    )
    button.click()
    session.page.wait_for_function(
        """() => { const c = window.transcaspianMaps[0].map.getContainer();
            const off = !document.fullscreenElement && !c.classList.contains('tc-pseudo-fullscreen');
            return off && document.querySelector('.tc-fullscreen-btn').getAttribute('aria-pressed') === 'false'; }"""
    )
    assert session.errors == []


def test_embed_page__live_iframe_with_fullscreen(session, offline_maps):
    session.page.goto((offline_maps / "embed.html").as_uri())
    frame = session.page.frame_locator("iframe")
    frame.locator("path.tc-f").first.wait_for(state="attached", timeout=15_000)
    inner = session.page.frames[1]
    assert inner.evaluate("() => document.fullscreenEnabled") is True
    size = inner.evaluate("() => { const c = window.transcaspianMaps[0].map.getContainer(); return [c.clientWidth, c.clientHeight, innerWidth, innerHeight]; }")
    assert size[0] == size[2] and size[1] == size[3] and size[1] >= 360
    frame.locator(".tc-fullscreen-btn").click()
    inner.wait_for_function("() => document.fullscreenElement === window.transcaspianMaps[0].map.getContainer()")
    assert session.errors == [] and session.blocked == []


def test_mobile_viewport__fills_the_screen_and_collapses_controls(browser, offline_maps):
    context = browser.new_context(viewport={"width": 390, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    s = Session(page)
    try:
        s.open(offline_maps / "index.html")
        size = s.js("() => { const c = window.transcaspianMaps[0].map.getContainer(); return [c.clientWidth, c.clientHeight]; }")
        assert size == [390, 740]
        assert page.locator(".leaflet-control-layers-expanded").count() == 0
        assert page.locator(".tc-legend details").get_attribute("open") is None
        assert s.errors == [] and s.requests == [(offline_maps / "index.html").as_uri()]
    finally:
        context.close()


def test_screenshot__combined_offline_map(session, offline_maps, tmp_path):
    session.open(offline_maps / "index.html")
    session.page.wait_for_timeout(300)
    shot = tmp_path / "index.png"
    session.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 800)


def test_preview_image__committed_and_small(repo_root):
    preview = repo_root / "docs" / "preview.png"
    data = preview.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) <= 200_000


# -- the CDN page, with the CDN served locally ----------------------------------------------


def test_cdn_page__works_with_its_cdn_assets(browser, cdn_maps):
    js_url, css_url = render_assets.leaflet_cdn_urls()
    base = Path(render_assets.xleaflet.BASE_DIR)
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    served: list[str] = []

    def serve(route) -> None:
        url = route.request.url
        served.append(url)
        # The very bytes the CDN serves (the npm package's dist files, which
        # xstatic-leaflet ships), so the pages' integrity hashes must match.
        cors = {"Access-Control-Allow-Origin": "*"}
        if url == js_url:
            route.fulfill(status=200, content_type="application/javascript", body=(base / "leaflet.js").read_bytes(), headers=cors)
        elif url == css_url:
            route.fulfill(status=200, content_type="text/css", body=(base / "leaflet.css").read_bytes(), headers=cors)
        elif "/tile/" in url:
            route.fulfill(status=200, content_type="image/png", body=PNG_1PX)
        elif url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", serve)
    page = context.new_page()
    s = Session(page)
    try:
        s.open(cdn_maps / "index.html")
        page.wait_for_timeout(300)
        assert s.errors == []
        remote = {u for u in served if not u.startswith("file://")}
        assert js_url in remote and css_url in remote
        assert all(u in (js_url, css_url) or "/tile/" in u for u in remote)
        assert page.locator("img.leaflet-tile").count() > 0
        assert s.js("() => document.querySelectorAll('path.tc-f').length") > 100
    finally:
        context.close()


# -- safety --------------------------------------------------------------------------------

PAYLOAD_NAME = "<img src=x onerror=alert(1)>${alert(2)}"
PAYLOADS = {
    "img": "<img src=x onerror=alert(3)>",
    "template": "${alert(4)}",
    "script": "</script><script>alert(5)</script>",
    "backtick": "`;alert(6);`",
    "svg": '<svg onload="window.__pwned=1">',
    "link": "javascript:alert(7)",
}


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory) -> Path:
    """A user map whose names, values, keys, file name and title are payloads."""
    folder = tmp_path_factory.mktemp("hostile")
    frame = gpd.GeoDataFrame(
        [
            {"name": PAYLOADS["img"], PAYLOADS["template"]: PAYLOADS["script"], PAYLOADS["svg"]: PAYLOADS["backtick"],
             "url": PAYLOADS["link"], "geometry": shapely.LineString([(49.0, 40.0), (51.0, 43.0)])},
            {"name": PAYLOADS["script"], PAYLOADS["img"]: PAYLOADS["template"], "kind": "port", "geometry": shapely.Point(50.0, 41.5)},
            {"name": PAYLOADS["template"], "note": PAYLOADS["svg"], "geometry": shapely.Polygon([(47, 38), (48, 38), (48, 39), (47, 38)])},
            {"name": PAYLOADS["backtick"], "status": PAYLOADS["img"], "geometry": shapely.LineString([(46.0, 41.0), (48.0, 42.0)])},
        ],
        geometry="geometry",
        crs="EPSG:4326",
    )
    src = folder / f"{PAYLOAD_NAME}.geojson"
    src.write_text(frame.to_json(), encoding="utf-8")
    out = folder / "hostile.html"
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--offline", "--title", PAYLOADS["script"] + PAYLOADS["img"]])
    assert result.exit_code == 0, result.output
    return out


def test_hostile_data__shown_as_text_never_run(session, hostile_map):
    session.open(hostile_map)
    page = session.page
    layer_name = PAYLOAD_NAME + ".geojson"
    # The file name, in the layer control, the legend and the title.
    assert page.locator(".leaflet-control-layers-overlays label").inner_text().strip() == layer_name
    assert layer_name in page.locator(".tc-legend").inner_text()
    assert page.title() == PAYLOADS["script"] + PAYLOADS["img"]
    assert page.locator(".tc-legend-title").inner_text() == PAYLOADS["script"] + PAYLOADS["img"]
    # Every feature's popup: names, keys and values as literal text.
    ids = session.js("() => Object.keys(window.transcaspianMaps[0].index)")
    assert len(ids) == 4
    seen = []
    for fid in ids:
        session.js("(id) => window.transcaspianMaps[0].go(id)", fid)
        seen.append(session.popup_title())
        seen.append(page.locator(".leaflet-popup-content table").last.inner_text())
    text = "\n".join(seen)
    for payload in PAYLOADS.values():
        assert payload in text
    # A javascript: URL is text, not a link.
    session.js("(id) => window.transcaspianMaps[0].go(id)", ids[0])
    assert page.locator(".leaflet-popup-content a").count() == 0
    # Search results and tooltips are text too.
    page.locator(".tc-search input").fill("<img")
    assert PAYLOADS["img"] in page.locator(".tc-search-results").inner_text()
    page.locator(".tc-search input").fill("${")
    assert PAYLOADS["template"] in page.locator(".tc-search-results").inner_text()
    session.js("(id) => window.transcaspianMaps[0].index[id].layer.openTooltip()", ids[1])
    assert page.locator(".leaflet-tooltip").inner_text() == PAYLOADS["script"]
    page.wait_for_timeout(200)
    # Nothing ran, nothing was injected.
    assert session.dialogs == []
    assert session.js("() => window.__pwned") is None
    assert session.js("() => document.querySelectorAll('img, [onerror], [onload], svg[onload]').length") == 0
    assert session.js("() => document.scripts.length") == 5  # Leaflet, folium's switches, map.js, data, glue
    assert session.errors == []
    assert session.blocked == []


def test_hostile_data__payload_hash_is_harmless(session, hostile_map):
    session.open(hostile_map, "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    for fragment in ("__proto__", "constructor", "toString", "%E0%A4%A", "javascript:alert(1)"):
        session.js("(f) => { location.hash = f; }", fragment)
    session.page.wait_for_timeout(200)
    assert session.dialogs == [] and session.errors == []
    assert session.page.locator(".leaflet-popup").count() == 0
    assert session.js("() => document.querySelectorAll('img').length") == 0


def test_hostile_data__payload_is_in_the_data_script_only(hostile_map):
    html = hostile_map.read_text(encoding="utf-8")
    data = html.split('<script type="application/json" id="tc-data">')[1].split("</script>")[0]
    payload = json.loads(data)
    assert payload["layers"][0]["title"] == PAYLOAD_NAME + ".geojson"
