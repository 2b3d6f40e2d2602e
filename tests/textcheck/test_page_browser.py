"""The annotated article in a real browser: Debian's chromium driven by Playwright, from file://."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.textcheck.article import check_text
from transcaspian.textcheck.page import text_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

ARTICLE = (
    "<script>window.pwned = 1</script> The Trans-Caspian fiber-optic cable between Aktau and Sumgayit will be 380 km long.\n\n"
    "A 1,195-kilometer subsea power line under the Black Sea will carry 1 GW. <img src=x onerror=\"window.pwned=2\">"
)


def test_annotated_page_shows_the_article_as_text_with_notes(tmp_path):
    result = check_text(ARTICLE, fmt="text")
    page = tmp_path / "annotated.html"
    page.write_text(text_html(result), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_page()
            errors: list[str] = []
            requests: list[str] = []
            dialogs: list[str] = []
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.goto(page.as_uri())
            assert tab.evaluate("window.pwned === undefined")
            assert not dialogs and not errors
            assert requests == [page.as_uri()]  # nothing else is loaded
            marks = tab.locator("mark")
            assert marks.count() == len(result.figures) + len(result.others)
            assert tab.locator("mark.v-consistent").first.inner_text().startswith("380 km")
            assert tab.locator("mark.v-trace_short").first.inner_text().startswith("1,195-kilometer")
            # the article's markup is shown as the text it is
            assert "<script>window.pwned = 1</script>" in tab.locator("main").inner_text()
            # each figure links to its side note
            tab.locator("mark.v-trace_short a").click()
            note = tab.locator("aside li.v-trace_short")
            assert note.count() == 1 and "seed_bsec_length" in note.inner_text()
            # side notes sit beside the paragraph on a wide screen, below it on a phone
            tab.set_viewport_size({"width": 1200, "height": 800})
            para, aside = tab.locator(".row p").first.bounding_box(), tab.locator(".row aside").first.bounding_box()
            assert aside["x"] > para["x"] + para["width"] - 1
            tab.set_viewport_size({"width": 400, "height": 800})
            para, aside = tab.locator(".row p").first.bounding_box(), tab.locator(".row aside").first.bounding_box()
            assert aside["y"] >= para["y"] + para["height"] - 1
        finally:
            browser.close()
