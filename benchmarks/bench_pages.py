"""Time to first paint and page size of the combined map, against a plain folium map.

The baseline is what a GIS analyst gets in three lines of folium: a
``folium.Map`` with one ``folium.GeoJson`` per layer of the same data
(Leaflet from folium's CDN, OpenStreetMap tiles). Our pages are measured in
the same run, in the same Debian chromium: ``index.html --offline`` (from
file://, everything inline) and the online ``index.html`` (CDN assets and
tiles served locally by request interception, so the network is not what is
measured). Reported: median first contentful paint (``performance`` paint
timing) and median time until the map is drawn, over ``--runs`` loads each,
and the ratio to the baseline.

Run from the repository root::

    python benchmarks/bench_pages.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import folium
from playwright.sync_api import sync_playwright

from transcaspian.measured import check_measured, measure_geodata
from transcaspian.pipeline import write_maps
from transcaspian.web import assets

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"


def plain_folium(measured, out: Path) -> Path:
    """The baseline: folium.Map + one folium.GeoJson per layer, folium's defaults."""
    m = folium.Map(location=[42, 55], zoom_start=4)
    for name, frame in measured.layer_frames().items():
        cols = [c for c in ("id", "name", "layer", "mode", "status", "length_km", "geometry") if c in frame.columns]
        folium.GeoJson(frame[cols].to_json(), name=name, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    folium.LayerControl().add_to(m)
    path = out / "plain.html"
    m.save(str(path))
    return path


def serve_locally(context) -> None:
    """CDN assets from the installed packages, tiles as a 1-px PNG, anything else refused."""
    base = Path(assets.xleaflet.BASE_DIR)
    js_url, css_url = assets.leaflet_cdn_urls()

    def route(r) -> None:
        url = r.request.url
        if url.startswith("file://"):
            r.continue_()
        elif url == js_url:
            r.fulfill(body=(base / "leaflet.js").read_bytes(), content_type="application/javascript", headers={"Access-Control-Allow-Origin": "*"})
        elif url == css_url:
            r.fulfill(body=(base / "leaflet.css").read_bytes(), content_type="text/css", headers={"Access-Control-Allow-Origin": "*"})
        elif url.endswith(".png") or "/tile/" in url:
            r.fulfill(body=PNG_1PX, content_type="image/png")
        elif url.endswith(".js"):
            r.fulfill(body="", content_type="application/javascript")  # folium's jQuery, Bootstrap ...: empty, as if cached
        elif url.endswith(".css"):
            r.fulfill(body="", content_type="text/css")
        else:
            r.abort()

    context.route("**/*", route)


def load(browser, path: Path, ready: str) -> tuple[float, float]:
    """One cold load in a fresh context: (first contentful paint, map drawn), ms."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    serve_locally(context)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function(ready, timeout=30_000)
    drawn = page.evaluate("performance.now()")
    page.wait_for_timeout(100)
    fcp = page.evaluate(FCP) or float("nan")
    context.close()
    return fcp, drawn


def measure_all(browser, pages: dict[str, tuple[Path, str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (first paint, map drawn) of each page; the pages take turns, so a
    busy machine slows them alike and the ratios stay fair."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
    for _ in range(runs):
        for name, (path, ready) in pages.items():
            samples[name].append(load(browser, path, ready))
    return {name: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got)) for name, got in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    measured = check_measured(measure_geodata())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_maps(root / "offline", measured, offline=True)
        write_maps(root / "online", measured, offline=False)
        pages = {
            "plain folium (baseline)": (
                plain_folium(measured, root),
                f"document.querySelectorAll('path.leaflet-interactive').length >= {len(measured.legs) + len(measured.routes)}",
            ),
            "index.html --offline": (root / "offline" / "maps" / "index.html", "window.transcaspianMaps && window.transcaspianMaps.length > 0"),
            "index.html online": (root / "online" / "maps" / "index.html", "window.transcaspianMaps && window.transcaspianMaps.length > 0"),
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            timings = measure_all(browser, pages, args.runs)
            results = {name: (*timings[name], path.stat().st_size) for name, (path, _) in pages.items()}
            browser.close()
    base_fcp, base_drawn, _ = results["plain folium (baseline)"]
    print(f"{'page':28} {'bytes':>10} {'first paint ms':>15} {'map drawn ms':>13} {'paint ratio':>12} {'drawn ratio':>12}")
    for name, (fcp, drawn, size) in results.items():
        print(f"{name:28} {size:>10,} {fcp:>15.0f} {drawn:>13.0f} {fcp / base_fcp:>12.2f} {drawn / base_drawn:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
