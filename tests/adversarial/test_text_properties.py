"""Hypothesis: arbitrary text goes through every writer and comes back as the same, inert text.

Template syntax, HTML, spreadsheet formulas, control characters, ``]]>``,
right-to-left marks and 10 kB strings are drawn as names and attribute
values; each writer's file is read back with GDAL (pyogrio) or the
standard library and compared. Maps are checked for the data element
(parsed back as JSON) and the page title; the browser test loads a hostile
page in Chromium.
"""

from __future__ import annotations

import csv
import html
import json
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from hostile import CASPIAN, FORMULA_PAYLOADS, HTML_PAYLOADS, OTHER_PAYLOADS, TEMPLATE_PAYLOADS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcaspian.outputs import export
from transcaspian.outputs.kml import MARKER

HOSTILE = TEMPLATE_PAYLOADS + HTML_PAYLOADS + FORMULA_PAYLOADS + OTHER_PAYLOADS + ["]]>", "\u200f\u202bשלום\u202c", "a\u2028b\u2029c"]
#: XML 1.0 and GDAL's C strings cannot hold NUL and most C0 controls; those are generated separately.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
PIECES = st.one_of(st.sampled_from(HOSTILE), PRINTABLE)
TEXT = st.lists(PIECES, min_size=1, max_size=4).map("".join)
BIG = st.builds(lambda piece, n: (piece * n)[:10_000], st.sampled_from(HOSTILE[:10]), st.integers(1, 2000))
ANY_TEXT = st.one_of(TEXT, BIG)
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def frame(name: str, note: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": [name, "plain"], "note": [note, "x"], "value": [1.5, -2.0]},
        geometry=[shapely.LineString(CASPIAN)] * 2,
        crs=4326,
    )


def gdal_text(value: str) -> str:
    """What a C-string based driver can keep: everything up to a NUL."""
    return value.split("\x00", 1)[0]


@SETTINGS
@given(name=ANY_TEXT, note=ANY_TEXT)
def test_geojson_round_trip(name: str, note: str):
    with tempfile.TemporaryDirectory() as tmp:
        export.write_geojson_layers(Path(tmp), {"t": frame(name, note)})
        path = Path(tmp) / "layers" / "t.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert [f["properties"]["name"] for f in doc["features"]] == [name, "plain"]
        back = pyogrio.read_dataframe(path)
        assert back["note"].tolist() == [gdal_text(note), "x"]
        assert back["value"].tolist() == [1.5, -2.0]


@SETTINGS
@given(name=ANY_TEXT, note=ANY_TEXT)
def test_gpkg_and_fgb_round_trip(name: str, note: str):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        export.write_gpkg(out / "t.gpkg", {"t": frame(name, note)}, styles=False)
        export.write_fgb_layers(out, {"t": frame(name, note)})
        for path in (out / "t.gpkg", out / "fgb" / "t.fgb"):
            back = pyogrio.read_dataframe(path)
            assert back["name"].tolist() == [gdal_text(name), "plain"], path.name
            assert back["note"].tolist() == [gdal_text(note), "x"], path.name
            assert back["value"].tolist() == [1.5, -2.0]


def xml_text(value: str) -> str:
    """What XML 1.0 can hold: C0 controls other than tab/LF/CR dropped, CR read back as LF."""
    kept = "".join(c for c in value if c >= " " or c in "\t\n\r")
    return kept.replace("\r\n", "\n").replace("\r", "\n")


@SETTINGS
@given(name=ANY_TEXT, note=ANY_TEXT)
def test_kml_round_trip_keeps_every_layer(name: str, note: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.kml"
        export.write_kml(path, {"one": frame(name, note), "two": frame("x", "y")})
        assert sorted(str(r[0]) for r in pyogrio.list_layers(path)) == ["one", "two"]
        back = pyogrio.read_dataframe(path, layer="one")
        # GDAL reads an empty text back as null.
        # GDAL's KML reader trims leading and trailing whitespace of a text element.
        assert [xml_text(v if isinstance(v, str) else "").strip() for v in back["note"]] == [xml_text(gdal_text(note)).strip(), "x"]
        assert MARKER not in path.read_text(encoding="utf-8") or MARKER in name + note


def unformula(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


@SETTINGS
@given(name=ANY_TEXT, note=ANY_TEXT)
def test_csv_round_trip_inert_and_numbers_stay_numbers(name: str, note: str):
    with tempfile.TemporaryDirectory() as tmp:
        export.write_csv_layers(Path(tmp), {"t": frame(name, note)})
        with open(Path(tmp) / "csv" / "t.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 2
        for row in rows:
            for key, cell in row.items():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or key == "value", (key, cell)
        assert unformula(rows[0]["name"]) == gdal_text(name)
        assert unformula(rows[0]["note"]) == gdal_text(note)
        assert [float(r["value"]) for r in rows] == [1.5, -2.0]


def page_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="tc-data">(.*?)</script>', page, re.S)
    assert match
    assert "</script" not in match.group(1).lower()
    return json.loads(match.group(1))


@SETTINGS
@given(title=ANY_TEXT, name=ANY_TEXT, key=TEXT)
def test_user_map_page_carries_text_as_data(title: str, name: str, key: str):
    from transcaspian.web.render import user_map_html

    data = frame(name, name)
    if key not in data.columns and key.strip():
        data[key] = name
    page = user_map_html([(f"{name[:40]}.geojson", data)], title=title)
    doc = page_data(page)
    # An empty title falls back to the file names, an empty name to the feature id.
    expected_title = title if title else f"{name[:40]}.geojson"
    assert doc["title"] == expected_title
    (layer,) = doc["layers"]
    shown = layer["features"][0]["name"]
    # Popups clip very long values (render.MAX_VALUE_CHARS) with an ellipsis; never change them otherwise.
    if name.strip():
        assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1]))
    shown_title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    assert shown_title == expected_title


@SETTINGS
@given(text=ANY_TEXT)
def test_terminal_and_markdown_helpers_never_pass_escapes(text: str):
    from transcaspian.values import clip, terminal_text

    for shown in (terminal_text(text), clip(text, 40)):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)


@pytest.mark.browser
def test_hostile_text_shows_as_text_in_chromium(tmp_path: Path):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    from transcaspian.web.render import user_map_html

    title = "{{ 6*7 }} <img src=x onerror=alert(1)> {% b"
    name = "{{ 6*7 }}</script><script>alert(2)</script>]]>"
    hostile = tmp_path / "m.html"
    hostile.write_text(user_map_html([("t.geojson", frame(name, "=1+1"))], title=title, offline=True), encoding="utf-8")
    plain = tmp_path / "plain.html"
    plain.write_text(user_map_html([("t.geojson", frame("plain name", "x"))], title="plain", offline=True), encoding="utf-8")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    count = "document.querySelectorAll('script').length"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(plain.as_uri())
            page.wait_for_function("window.transcaspianMaps && window.transcaspianMaps.length > 0", timeout=15_000)
            scripts = page.evaluate(count)
            page.goto(hostile.as_uri())
            page.wait_for_function("window.transcaspianMaps && window.transcaspianMaps.length > 0", timeout=15_000)
            assert page.title() == title
            assert page.evaluate(count) == scripts  # no script element came from the data
            assert page.evaluate("document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
            legend = page.inner_text("body")
            assert "{{ 6*7 }}" in legend  # shown as written (layer control / legend / title)
            assert dialogs == []
        finally:
            browser.close()
