"""Maps of big layers: ``transcaspian map`` against geopandas ``explore()``, and in Chromium.

Part 1 (same run, fresh processes, interleaved, median of ``--repeat``):
time and HTML size of ``transcaspian map FILE`` against a script that reads
the same file with geopandas and saves ``explore()``, for ``--lines`` lines
of ``--vertices`` vertices (goals: <= 0.25x the time, <= 0.2x the size).

Part 2: a page of ``--browser-lines`` lines loaded from file:// in Debian's
chromium through Playwright: time from navigation to the first drawing of
the layer (goal <= 3 s), then zoom and pan steps, each timed from the call
to two animation frames later, i.e. including the browser's paint (goal
<= 200 ms). Leaflet is served from the local copy and tiles as blank
images (no network here), so what is timed is the layer itself.

Usage::

    python benchmarks/bench_map.py [--lines 30000] [--vertices 20] [--browser-lines 100000] [--repeat 3] [--skip explore,browser] [--polygons]

``--polygons`` makes the features polygons of ``--vertices`` vertices
(about 4 km across) instead of lines, so both parts time filled areas.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import walks  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
EXPLORE = "import sys, geopandas as gpd; gpd.read_file(sys.argv[1]).explore().save(sys.argv[2])"


def make_file(path: Path, n: int, vertices: int, seed: int = 1, polygons: bool = False) -> None:
    """Random walks of ``vertices`` points (steps of about 2 km), or polygons, with a few attributes."""
    lines = walks(n, vertices, seed=seed, step_deg=0.02) if not polygons else blobs(n, vertices, seed=seed)
    kinds = np.array(["rail", "cable", "pipeline", "road"])[np.arange(n) % 4]
    frame = gpd.GeoDataFrame({"name": [f"line {i}" for i in range(n)], "kind": kinds, "year": 1990 + np.arange(n) % 30}, geometry=lines, crs=4326)
    frame.to_file(path, engine="pyogrio")


def blobs(n: int, vertices: int, seed: int) -> np.ndarray:
    """Star-shaped polygons of ``vertices`` vertices, 2 to 6 km across, in the Caspian region."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform([46.0, 37.0], [54.0, 46.0], size=(n, 1, 2))
    angle = np.linspace(0.0, 2 * np.pi, vertices - 1, endpoint=False)
    radius = rng.uniform(0.01, 0.03, size=(n, vertices - 1))
    ring = centre + radius[..., None] * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    return shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def against_explore(folder: Path, n: int, vertices: int, repeat: int, polygons: bool = False) -> None:
    path = folder / f"lines-{n}.fgb"
    make_file(path, n, vertices, polygons=polygons)
    ours_html, theirs_html = folder / "ours.html", folder / "explore.html"
    ours_cmd = [sys.executable, "-m", "transcaspian", "map", str(path), "-o", str(ours_html)]
    theirs_cmd = [sys.executable, "-c", EXPLORE, str(path), str(theirs_html)]
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(timed(ours_cmd))
        theirs.append(timed(theirs_cmd))
    o, t = statistics.median(ours), statistics.median(theirs)
    so, st = ours_html.stat().st_size, theirs_html.stat().st_size
    print(f"{n:,} {'polygons' if polygons else 'lines'} x {vertices} vertices ({path.stat().st_size / 2**20:.1f} MiB FlatGeobuf):")
    print(f"  transcaspian map   median {o:6.2f} s  (runs {', '.join(f'{x:.2f}' for x in ours)})  {so / 2**20:6.2f} MiB")
    print(f"  geopandas explore  median {t:6.2f} s  (runs {', '.join(f'{x:.2f}' for x in theirs)})  {st / 2**20:6.2f} MiB")
    print(f"  ratio time {o / t:.2f} (goal <= 0.25), ratio size {so / st:.2f} (goal <= 0.2)")


_STEP = """async (step) => {
  const map = window.transcaspianMaps[0].map;
  const t0 = performance.now();
  if (step.zoom) map.setZoom(map.getZoom() + step.zoom, {animate: false});
  else map.panBy(step.pan, {animate: false});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const big = (window.transcaspianBigLayers || [])[0];
  const draw = big && big.stats.draws.length ? big.stats.draws[big.stats.draws.length - 1] : null;
  return {ms: performance.now() - t0, zoom: map.getZoom(), draw: draw};
}"""


def in_chromium(folder: Path, n: int, vertices: int, polygons: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    path = folder / f"browser-{n}.fgb"
    make_file(path, n, vertices, seed=2, polygons=polygons)
    html = folder / "browser.html"
    # The page as published (Leaflet from the CDN, OpenStreetMap tiles); the benchmark
    # serves Leaflet from the local copy and answers tiles with a blank image, so the
    # layer's own drawing is what is timed (the offline basemap is another page's cost).
    cmd = [sys.executable, "-m", "transcaspian", "map", str(path), "-o", str(html)]
    seconds = timed(cmd)
    # The local copy of Leaflet is not byte for byte the CDN's: drop the pages' subresource
    # integrity hashes so the browser accepts it (in the benchmark only).
    html.write_text(re.sub(r' integrity="[^"]*"', "", html.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"\nChromium, {n:,} {'polygons' if polygons else 'lines'} x {vertices} vertices: page {html.stat().st_size / 2**20:.1f} MiB, written in {seconds:.1f} s")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        from transcaspian.web import assets

        js_url, css_url = assets.leaflet_cdn_urls()
        js, css = assets.leaflet_inline()
        local = {js_url: (js, "application/javascript"), css_url: (css, "text/css")}

        def answer(route):
            url = route.request.url
            if url in local:
                route.fulfill(body=local[url][0], content_type=local[url][1], headers={"Access-Control-Allow-Origin": "*"})
            elif url.endswith(".png"):
                route.fulfill(body=PNG_1PX, content_type="image/png")
            else:
                route.abort()

        page.route(re.compile(r"^https?://"), answer)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(html.as_uri(), wait_until="load", timeout=120_000)
        page.wait_for_function("() => (window.transcaspianBigLayers || []).length && window.transcaspianBigLayers[0].stats.firstDraw !== null", timeout=120_000)
        wall = time.perf_counter() - start
        first = page.evaluate("() => window.transcaspianBigLayers[0].stats.firstDraw")
        decode = page.evaluate("() => window.transcaspianBigLayers[0].stats.decodeMs")
        heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null")
        print(f"  first paint of the layer: {first / 1000:.2f} s after navigation ({wall:.2f} s wall incl. Playwright); decode {decode:.0f} ms; JS heap {heap or 0:.0f} MiB")
        # Tiles come through Playwright's request routing, whose round trips are no part of
        # the page: the tile layer is removed, so the steps time the layer's own work.
        page.evaluate("() => { const m = window.transcaspianMaps[0].map; m.eachLayer(l => { if (l instanceof L.TileLayer) m.removeLayer(l); }); }")
        steps = [{"zoom": 1}, {"zoom": 1}, {"pan": [300, 150]}, {"zoom": 2}, {"pan": [-400, 200]}, {"zoom": -1}, {"zoom": -2}, {"pan": [200, -300]}, {"zoom": -1}]
        start_view = page.evaluate("() => { const m = window.transcaspianMaps[0].map; return [m.getCenter().lat, m.getCenter().lng, m.getZoom()]; }")
        times = []
        for step in steps:
            result = page.evaluate(_STEP, step)
            times.append(result["ms"])
            draw = result["draw"] or {}
            what = f"zoom {step['zoom']:+d}" if "zoom" in step else f"pan {step['pan']}"
            filled = f", {draw['fills']:,} filled" if draw.get("fills") else ""
            print(f"  {what:<16} -> zoom {result['zoom']:5.2f}: {result['ms']:6.1f} ms (canvas draw {draw.get('ms', 0):.1f} ms, {draw.get('paths', 0):,} paths{filled})")
        # The floor: the same steps on the same page with the layer removed.
        page.evaluate("(v) => { const m = window.transcaspianMaps[0].map; m.removeLayer(window.transcaspianBigLayers[0]); m.setView([v[0], v[1]], v[2], {animate: false}); }", start_view)
        floor = [page.evaluate(_STEP, step)["ms"] for step in steps]
        print(f"  slowest step {max(times):.0f} ms, median {statistics.median(times):.0f} ms (goal <= 200 ms); "
              f"same steps without the layer: median {statistics.median(floor):.0f} ms, slowest {max(floor):.0f} ms; page errors: {errors or 'none'}")
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--vertices", type=int, default=20)
    parser.add_argument("--browser-lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="explore, browser")
    parser.add_argument("--polygons", action="store_true", help="polygons instead of lines")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        if "explore" not in skip:
            against_explore(Path(tmp), args.lines, args.vertices, args.repeat, args.polygons)
        if "browser" not in skip:
            in_chromium(Path(tmp), args.browser_lines, args.vertices, args.polygons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
