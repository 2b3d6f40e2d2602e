"""The published pages as an editor and their readers meet them, in Debian's chromium.

Three screens: a desktop (1366×768), a 600×400 article embed (a cross-origin
<iframe> served over loopback HTTP) and a 390×844 touch phone. axe-core
(vendored from the npm registry, tests/web/vendor) checks accessibility on
each; screenshots are checked by pixel statistics, not by eye.
"""

from __future__ import annotations

import functools
import http.server
import io
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from transcaspian.measured import check_measured
from transcaspian.pipeline import write_maps
from transcaspian.styles import BASEMAP_LAND, BASEMAP_SEA
from transcaspian.web import assets
from transcaspian.web.i18n import LANGUAGES, text
from transcaspian.web.render import user_map_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed; CI installs it with apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
READY = "window.transcaspianMaps && window.transcaspianMaps.length > 0"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
#: Share of a 600×400 map the controls may cover.
MAX_COVERAGE = 0.15

COVERAGE_JS = """() => {
  const c = document.querySelector('.leaflet-container'); const r = c.getBoundingClientRect();
  const W = Math.round(r.width), H = Math.round(r.height), grid = new Uint8Array(W * H);
  document.querySelectorAll('.leaflet-control').forEach(n => {
    const b = n.getBoundingClientRect();
    if (!b.width || !b.height) return;
    for (let y = Math.max(0, Math.floor(b.top - r.top)); y < Math.min(H, Math.ceil(b.bottom - r.top)); y++)
      for (let x = Math.max(0, Math.floor(b.left - r.left)); x < Math.min(W, Math.ceil(b.right - r.left)); x++) grid[y * W + x] = 1;
  });
  let n = 0; for (const v of grid) n += v; return n / (W * H);
}"""


def axe_violations(frame) -> list[dict]:
    """Every axe-core rule (WCAG and best practices) that fails on the page."""
    frame.evaluate(AXE)
    result = frame.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({id: v.id, nodes: v.nodes.length, target: v.nodes[0].target}))")
    return result


def pixel_shares(png: bytes) -> tuple[float, float]:
    """Shares of a screenshot's pixels in the basemap's land and sea colours."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)

    def share(color: str) -> float:
        want = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(rgb - want).sum(axis=2) <= 6).mean())

    return share(BASEMAP_LAND), share(BASEMAP_SEA)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def maps(tmp_path_factory, measured) -> Path:
    """Offline maps in every language: maps/ (English) and maps-<lang>/."""
    root = tmp_path_factory.mktemp("pages")
    checked = check_measured(measured)
    write_maps(root / "en", checked, offline=True)
    for lang in LANGUAGES[1:]:
        write_maps(root / lang, checked, offline=True, lang=lang)
    return root


@pytest.fixture(scope="module")
def server(maps):
    """The maps over loopback HTTP, for the cross-origin embed (127.0.0.1 frame in a localhost page)."""
    (maps / "article.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Article</title></head><body><main>'
        "<h1>An article</h1><p>" + "Text. " * 200 + "</p>"
        '<iframe id="map" src="http://127.0.0.1:{port}/en/maps/index.html" title="Map" width="600" height="400" style="border:0" allowfullscreen></iframe>'
        "<p>" + "More text. " * 300 + "</p></main></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(maps))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = httpd.server_address[1]
    article = maps / "article.html"
    article.write_text(article.read_text(encoding="utf-8").replace("{port}", str(port)), encoding="utf-8")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield port
    httpd.shutdown()


def guarded(context, errors: list[str], allow: tuple[str, ...] = ("file://",)) -> None:
    def guard(route) -> None:
        if route.request.url.startswith(allow):
            route.continue_()
        else:
            errors.append("request " + route.request.url)
            route.abort()

    context.route("**/*", guard)


@pytest.fixture
def desktop(browser, maps):
    context = browser.new_context(viewport=DESKTOP)
    errors: list[str] = []
    guarded(context, errors)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def open_map(page, path: Path, fragment: str = "") -> None:
    page.goto(path.as_uri() + (f"#{fragment}" if fragment else ""))
    page.wait_for_function(READY, timeout=20_000)
    page.wait_for_timeout(300)


@pytest.fixture
def embed(browser, server):
    """The article page with the map in a 600×400 cross-origin iframe; yields (page, frame)."""
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    guarded(context, errors, allow=("http://127.0.0.1:", "http://localhost:"))
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://localhost:{server}/article.html")
    frame = page.frame_locator("#map")
    inner = next(f for f in page.frames if f.url.startswith("http://127.0.0.1:"))
    inner.wait_for_function(READY, timeout=20_000)
    page.wait_for_timeout(300)
    page.errors = errors  # type: ignore[attr-defined]
    yield page, frame, inner
    context.close()


@pytest.fixture
def phone(browser, maps):
    context = browser.new_context(**PHONE)
    errors: list[str] = []
    guarded(context, errors)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


# -- accessibility -------------------------------------------------------------------------


def test_axe__no_violations_on_the_desktop(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    assert axe_violations(desktop) == []
    assert desktop.evaluate("document.documentElement.lang") == "en"
    assert desktop.errors == []


def test_axe__no_violations_with_a_popup_and_the_legend_open(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html", "btc")
    desktop.locator(".tc-popup-details summary").click()
    assert axe_violations(desktop) == []


def test_axe__no_violations_in_the_embed(embed):
    page, frame, inner = embed
    assert axe_violations(inner) == []


def test_axe__no_violations_on_the_phone(phone, maps):
    open_map(phone, maps / "en" / "maps" / "index.html")
    assert axe_violations(phone) == []
    viewport = phone.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language__every_page_built_and_speaking_it(desktop, maps, lang):
    open_map(desktop, maps / lang / "maps" / "index.html")
    assert desktop.evaluate("document.documentElement.lang") == lang
    assert desktop.locator(".tc-search input").get_attribute("placeholder") == text(lang, "search")
    assert desktop.locator(".tc-legend-title").inner_text() == text(lang, "title")
    shown = desktop.evaluate("[...document.querySelectorAll('.tc-label')].filter(n => n.style.display !== 'none').map(n => n.textContent)")
    caspian = {"en": "Caspian Sea", "ru": "Каспийское море", "az": "Xəzər dənizi", "kk": "Каспий теңізі", "tr": "Hazar Denizi"}[lang]
    assert caspian in shown
    assert axe_violations(desktop) == []
    assert desktop.errors == []


# -- basemap -------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "line", "label"), [
    ("iberia", [(-8.6, 41.1), (-3.7, 40.4), (2.2, 41.4)], "SPAIN"),
    ("usa", [(-122.4, 37.8), (-104.9, 39.7), (-87.6, 41.9), (-74.0, 40.7)], "UNITED STATES OF AMERICA"),
])
def test_basemap__drawn_far_from_the_caspian(desktop, tmp_path, where, line, label):
    frame = gpd.GeoDataFrame([{"name": where, "geometry": shapely.LineString(line)}], geometry="geometry", crs="EPSG:4326")
    page = tmp_path / f"{where}.html"
    page.write_text(user_map_html([(f"{where}.geojson", frame)], offline=True), encoding="utf-8")
    open_map(desktop, page)
    land, sea = pixel_shares(desktop.screenshot())
    assert land > 0.25, f"land covers {land:.0%} of the view"
    assert sea > 0.02, f"sea covers {sea:.0%} of the view"
    shown = desktop.evaluate("[...document.querySelectorAll('.tc-label')].filter(n => n.style.display !== 'none').map(n => n.textContent)")
    assert label in [s.upper() for s in shown]
    assert desktop.errors == []


def test_basemap__user_map_part_within_budget():
    from transcaspian.web.basemap import page_basemap_json_size

    for bounds in ([[40.0, -9.0], [43.0, 3.0]], [[25.0, -125.0], [49.0, -67.0]], [[35.0, 20.0], [60.0, 60.0]], [[-60.0, -180.0], [80.0, 180.0]]):
        assert page_basemap_json_size(bounds) <= 600_000, bounds


def test_basemap__detail_follows_the_zoom(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    counts = desktop.evaluate("""async () => { const map = window.transcaspianMaps[0].map; const out = [];
        for (const z of [3, 5, 8]) { map.setView([40.3, 49.8], z, {animate: false}); await new Promise(r => setTimeout(r, 50));
          let n = 0; map.eachLayer(l => { if (l.options && l.options.className === 'tc-basemap' && l.getLatLngs) n += 1; }); out.push(n); }
        return out; }""")
    assert counts[0] < counts[1] < counts[2]  # 110m, then 50m over it, then 10m over both
    assert desktop.evaluate("window.transcaspianMaps[0].map.getMaxZoom()") == 11


# -- search, popups, keyboard -----------------------------------------------------------------


@pytest.mark.parametrize("query", ["Баку", "baki", "BAKU", "Bakü"])
def test_search__any_language_any_case_any_diacritics(desktop, maps, query):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    desktop.locator(".tc-search input").fill(query)
    names = desktop.locator(".tc-search-item .tc-search-name").all_inner_texts()
    assert any("Baku passenger station" in n for n in names), names


def test_search__click_opens_the_popup_and_it_stays_open(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    desktop.locator(".tc-search input").fill("ceyhan")
    item = desktop.locator(".tc-search-item").first
    box = item.bounding_box()
    # the results list is above every other panel
    top = desktop.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.tc-search-item') !== null", [box["x"] + 5, box["y"] + 5])
    assert top
    item.click()
    desktop.wait_for_timeout(400)
    assert desktop.locator(".leaflet-popup .tc-popup-title").count() == 1
    assert "Ceyhan" in desktop.locator(".leaflet-popup .tc-popup-title").inner_text()
    desktop.keyboard.press("Escape")
    desktop.wait_for_timeout(300)
    assert desktop.locator(".leaflet-popup").count() == 0


def test_keyboard__search_first_then_controls_then_map_no_feature_stops(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    order = []
    for _ in range(20):
        desktop.keyboard.press("Tab")
        order.append(desktop.evaluate("(() => { const a = document.activeElement; return a.getAttribute('class') + '|' + (a.getAttribute('aria-label') || a.tagName); })()"))
    assert "tc-search" in order[0] or order[0].startswith("|Search") or "Search" in order[0]
    zoom = next(i for i, o in enumerate(order) if "Zoom in" in o)
    mapstop = next(i for i, o in enumerate(order) if "tc-map-stop" in o or "leaflet-container" in o)
    assert 0 < zoom < mapstop
    tabbable = desktop.evaluate("[...document.querySelectorAll('path, .tc-f')].filter(n => n.tabIndex >= 0).length")
    assert tabbable == 0
    # Enter on the search list opens a feature; its popup gets the focus
    desktop.locator(".tc-search input").focus()
    desktop.keyboard.press("ArrowDown")
    desktop.keyboard.press("Enter")
    desktop.wait_for_timeout(300)
    assert desktop.evaluate("document.activeElement.classList.contains('tc-popup-title')")


def test_popup__short_with_details_and_every_claim(desktop, maps, measured):
    open_map(desktop, maps / "en" / "maps" / "index.html", "bsec_subsea")
    popup = desktop.locator(".leaflet-popup-content")
    short = popup.inner_text()
    assert len(short) < 600, short
    assert popup.locator("a:visible").count() <= 3
    assert "Measured length" in short and "Verdict" in short
    popup.locator(".tc-popup-details summary").click()
    details = popup.locator(".tc-popup-details").inner_text()
    assert "1,195 km" in details and "drawn line shorter than stated" in details  # the column's disputed figure, with its verdict


def test_popup__btc_short_by_default(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html", "btc")
    popup = desktop.locator(".leaflet-popup-content")
    assert len(popup.inner_text()) < 600
    assert popup.locator("a:visible").count() <= 3


# -- measure -----------------------------------------------------------------------------------


def test_measure__adds_points_on_places_and_lines(desktop, maps, measured):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    places = measured.places.set_index("id")
    a, b = places.loc["tbilisi"].geometry, places.loc["kars"].geometry
    desktop.locator(".tc-measure-btn").click()
    for p in (a, b):
        xy = desktop.evaluate("([lat, lng]) => { const m = window.transcaspianMaps[0].map; const q = m.latLngToContainerPoint([lat, lng]);"
                              " const r = m.getContainer().getBoundingClientRect(); return [r.left + q.x, r.top + q.y]; }", [p.y, p.x])
        desktop.mouse.click(*xy)
        desktop.wait_for_timeout(250)
    points = desktop.evaluate("window.transcaspianMaps[0].measure._points.map(p => [p.lat, p.lng])")
    assert points == [[a.y, a.x], [b.y, b.x]]  # snapped to the places themselves
    assert desktop.locator(".leaflet-popup").count() == 0
    from transcaspian.geo.geodesy import GEOD

    expected = GEOD.inv(a.x, a.y, b.x, b.y)[2] / 1000
    assert abs(desktop.evaluate("window.transcaspianMaps[0].measure.total()") - expected) < 0.01
    assert "Total" in desktop.locator(".tc-measure-result").inner_text()


# -- embed ---------------------------------------------------------------------------------------


def test_embed__controls_cover_at_most_15_percent(embed):
    page, frame, inner = embed
    coverage = inner.evaluate(COVERAGE_JS)
    assert coverage <= MAX_COVERAGE, f"controls cover {coverage:.1%}"
    assert inner.locator(".tc-legend details").get_attribute("open") is None
    assert inner.locator(".tc-search.tc-compact").count() == 1


def test_embed__wheel_scrolls_the_article_ctrl_wheel_zooms(embed):
    page, frame, inner = embed
    page.evaluate("document.getElementById('map').scrollIntoView({block: 'center'})")
    page.wait_for_timeout(200)
    box = page.locator("#map").bounding_box()
    zoom = inner.evaluate("window.transcaspianMaps[0].map.getZoom()")
    scroll = page.evaluate("window.scrollY")
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(400)
    assert inner.evaluate("window.transcaspianMaps[0].map.getZoom()") == zoom
    assert page.evaluate("window.scrollY") > scroll
    assert inner.locator(".tc-notice").is_visible()
    page.evaluate("document.getElementById('map').scrollIntoView({block: 'center'})")
    page.wait_for_timeout(200)
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_timeout(400)
    assert inner.evaluate("window.transcaspianMaps[0].map.getZoom()") > zoom


def test_embed__fullscreen_in_a_cross_origin_frame(embed):
    page, frame, inner = embed
    frame.locator(".tc-fullscreen-btn").click()
    inner.wait_for_function("document.fullscreenElement !== null", timeout=5000)
    assert inner.evaluate("document.fullscreenElement === window.transcaspianMaps[0].map.getContainer()")


def test_embed__popup_fits_the_frame(embed):
    page, frame, inner = embed
    inner.evaluate("window.transcaspianMaps[0].go('btc')")
    inner.wait_for_timeout(400)
    box = inner.evaluate("(() => { const r = document.querySelector('.leaflet-popup').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()")
    assert box[0] >= 0 and box[1] >= 0 and box[2] <= 600 and box[3] <= 400


# -- phone ---------------------------------------------------------------------------------------


def test_phone__popup_fits_with_a_reachable_close_button(phone, maps):
    open_map(phone, maps / "en" / "maps" / "index.html", "btc")
    box = phone.evaluate("(() => { const r = document.querySelector('.leaflet-popup').getBoundingClientRect(); return [r.left, r.right, r.width]; })()")
    assert box[0] >= 0 and box[1] <= 390 and box[2] <= 360
    close = phone.locator(".leaflet-popup-close-button").bounding_box()
    assert 0 <= close["x"] and close["x"] + close["width"] <= 390 and close["y"] >= 0
    phone.locator(".leaflet-popup-close-button").tap()
    phone.wait_for_timeout(300)
    assert phone.locator(".leaflet-popup").count() == 0


def test_phone__tap_on_overlapping_lines_asks_which(phone, maps, measured):
    open_map(phone, maps / "en" / "maps" / "index.html")
    # The Baku–Tbilisi–Kars railway and the BTC pipeline run side by side near Tbilisi.
    xy = phone.evaluate("""(() => { const api = window.transcaspianMaps[0], map = api.map;
        map.setView([41.30, 45.0], 7, {animate: false});
        const btc = api.index['btc'].layer; const ll = btc.getLatLngs();
        let best = null; (Array.isArray(ll[0]) ? ll.flat() : ll).forEach(p => { if (!best || Math.abs(p.lng - 45.0) < Math.abs(best.lng - 45.0)) best = p; });
        const q = map.latLngToContainerPoint(best); return [q.x, q.y]; })()""")
    phone.touchscreen.tap(*xy)
    phone.wait_for_timeout(400)
    content = phone.locator(".leaflet-popup-content").inner_text()
    assert "Which one?" in content or "Baku–Tbilisi–Ceyhan" in content
    if "Which one?" in content:
        phone.locator(".tc-chooser-item").filter(has_text="Ceyhan").first.tap()
        phone.wait_for_timeout(300)
        assert "Ceyhan" in phone.locator(".leaflet-popup .tc-popup-title").inner_text()


# -- online: tiles, CDN, print ----------------------------------------------------------------------


def cdn_context(browser, tiles_ok: bool, leaflet_ok: bool = True):
    js_url, css_url = assets.leaflet_cdn_urls()
    js, css = assets.leaflet_inline()
    context = browser.new_context(viewport=DESKTOP)

    def serve(route) -> None:
        url = route.request.url
        if url == js_url and leaflet_ok:
            route.fulfill(status=200, content_type="application/javascript", body=(Path(assets.xleaflet.BASE_DIR) / "leaflet.js").read_bytes(),
                          headers={"Access-Control-Allow-Origin": "*"})
        elif url == css_url:
            route.fulfill(status=200, content_type="text/css", body=(Path(assets.xleaflet.BASE_DIR) / "leaflet.css").read_bytes(),
                          headers={"Access-Control-Allow-Origin": "*"})
        elif url.startswith("file://"):
            route.continue_()
        elif "/tile/" in url and tiles_ok:
            route.fulfill(status=200, content_type="image/png", body=bytes.fromhex(
                "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
        else:
            route.abort()

    context.route("**/*", serve)
    return context


@pytest.fixture(scope="module")
def cdn_maps(tmp_path_factory, measured) -> Path:
    out = tmp_path_factory.mktemp("cdn")
    write_maps(out, check_measured(measured), offline=False)
    return out / "maps"


def test_online__tiles_fail_then_the_built_in_basemap_with_a_notice(browser, cdn_maps):
    context = cdn_context(browser, tiles_ok=False)
    page = context.new_page()
    try:
        open_map(page, cdn_maps / "index.html")
        page.wait_for_function("document.querySelector('.leaflet-container').classList.contains('tc-tiles-failed')", timeout=12_000)
        assert page.locator(".tc-notice").inner_text() == text("en", "tiles_failed")
        land, sea = pixel_shares(page.screenshot())
        assert land > 0.2 and sea > 0.02
    finally:
        context.close()


def test_online__tiles_with_provider_attribution_and_integrity(browser, cdn_maps):
    context = cdn_context(browser, tiles_ok=True)
    page = context.new_page()
    try:
        open_map(page, cdn_maps / "index.html")
        page.wait_for_timeout(500)
        assert page.locator("img.leaflet-tile").count() > 0
        assert "Esri" in page.locator(".leaflet-control-attribution").inner_text()
        assert "tc-tiles-failed" not in page.evaluate("document.querySelector('.leaflet-container').className")
    finally:
        context.close()


def test_online__cdn_fails_then_leaflet_beside_the_page_and_the_built_in_basemap(browser, cdn_maps):
    context = cdn_context(browser, tiles_ok=False, leaflet_ok=False)
    page = context.new_page()
    try:
        open_map(page, cdn_maps / "index.html")
        page.wait_for_function("document.querySelector('.leaflet-container').classList.contains('tc-tiles-failed')", timeout=12_000)
        assert not page.locator("#tc-failed").count()
        land, sea = pixel_shares(page.screenshot())
        assert land > 0.2 and sea > 0.02
    finally:
        context.close()


def test_online__scripts_cannot_load_the_page_says_so(browser, tmp_path):
    # A user map online is one file: without the CDN there is no Leaflet, and it says so.
    frame = gpd.GeoDataFrame([{"name": "a", "geometry": shapely.LineString([(49, 40), (51, 43)])}], geometry="geometry", crs="EPSG:4326")
    path = tmp_path / "online.html"
    path.write_text(user_map_html([("a.geojson", frame)]), encoding="utf-8")
    context = cdn_context(browser, tiles_ok=True, leaflet_ok=False)
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        page.wait_for_timeout(800)
        failed = page.locator("#tc-failed")
        assert failed.is_visible()
        assert "could not load its scripts" in failed.inner_text()
    finally:
        context.close()


def test_print__controls_hidden_legend_open(desktop, maps):
    open_map(desktop, maps / "en" / "maps" / "index.html")
    desktop.emulate_media(media="print")
    desktop.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    for selector in (".leaflet-control-zoom", ".tc-search", ".tc-measure", ".tc-fullscreen", ".leaflet-control-layers"):
        assert not desktop.locator(selector).is_visible(), selector
    assert desktop.locator(".tc-legend details").get_attribute("open") is not None
    assert desktop.locator(".leaflet-control-attribution").is_visible()
