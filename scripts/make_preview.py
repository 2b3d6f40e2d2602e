"""Render docs/preview.png, the README's picture of the combined map.

Builds the offline maps into a temporary folder and screenshots index.html
with Debian's chromium through Playwright (no network needed). Run from the
repository root::

    python scripts/make_preview.py

The image is kept small (at most 200 KB) so it can live in the repository.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from transcaspian.measured import measure_geodata
from transcaspian.pipeline import write_maps

OUT = Path(__file__).resolve().parent.parent / "docs" / "preview.png"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1000, "height": 580}
MAX_BYTES = 200_000


def quantised(png: bytes, colors: int = 256) -> bytes:
    """The screenshot in an indexed palette: a map has few colours, and the
    repository keeps a small file (Pillow comes with matplotlib)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        write_maps(Path(tmp), measure_geodata(), offline=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto((Path(tmp) / "maps" / "index.html").as_uri())
            page.wait_for_function("window.transcaspianMaps && window.transcaspianMaps.length > 0")
            page.wait_for_timeout(500)
            png = quantised(page.screenshot(type="png"))
            browser.close()
    if len(png) > MAX_BYTES:
        print(f"preview is {len(png)} bytes, over {MAX_BYTES}; shrink VIEWPORT", file=sys.stderr)
        return 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png)
    print(f"wrote {OUT} ({len(png)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
