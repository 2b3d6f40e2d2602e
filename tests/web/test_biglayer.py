"""Big layers: packed geometry decodes to the input, pages refuse to grow past use, and draw in Chromium."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian.errors import DataError
from transcaspian.web import biglayer
from transcaspian.web.render import user_map_html, user_payload

HOSTILE = '</script><img src=x onerror="window.__pwned=1">{{7*7}} =cmd|\' /C calc\'!A0'


def decode_ints(packed: dict) -> np.ndarray:
    """An independent decoder (as biglayer.js decodes), in Python."""
    data, width = base64.b64decode(packed["b"]), packed["w"]
    escape = -(1 << (8 * width - 1))
    out, i = [], 0
    while i < len(data):
        value = int.from_bytes(data[i : i + width], "little", signed=True)
        i += width
        if value == escape:
            value = int.from_bytes(data[i : i + 4], "little", signed=True)
            i += 4
        out.append(value)
    return np.array(out, dtype=np.int64)


def decode_level(level: dict) -> tuple[list[np.ndarray], np.ndarray]:
    counts = decode_ints(level["n"])
    xy = np.cumsum(decode_ints(level["xy"]).reshape(-1, 2), axis=0) / level["scale"]
    ends = np.cumsum(counts)
    return np.split(xy, ends[:-1]), np.cumsum(decode_ints(level["f"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-200, 200), st.integers(-40_000, 40_000), st.integers(-(2**31) + 1, 2**31 - 1)), max_size=60))
def test_pack_ints__round_trips(values):
    assert decode_ints(biglayer.pack_ints(np.array(values, dtype=np.int64))).tolist() == values


def _frame(n: int, seed: int = 0, vertices: int = 6) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    start = rng.uniform([46, 38], [54, 45], size=(n, 1, 2))
    coords = np.concatenate([start, start + np.cumsum(rng.normal(0, 0.02, size=(n, vertices - 1, 2)), axis=1)], axis=1)
    names = [f"line {i}" for i in range(n)]
    names[1] = HOSTILE
    return gpd.GeoDataFrame({"name": names, "kind": ["rail", "cable"] * (n // 2) + ["rail"] * (n % 2)}, geometry=shapely.linestrings(coords), crs=4326)


def test_big_layer__full_level_decodes_to_the_input_within_the_rounding():
    frame = _frame(300)
    layer = biglayer.big_layer("walks.fgb", frame, color="#aa3377", slug="walks")
    full = layer["big"]["levels"][-1]
    assert full["maxZoom"] is None
    paths, owner = decode_level(full)
    assert owner.tolist() == list(range(300))
    for path, geom in zip(paths, frame.geometry):
        assert np.abs(path - shapely.get_coordinates(geom)).max() <= 0.5 / full["scale"] + 1e-12


def test_big_layer__coarse_levels_are_smaller_and_keep_every_feature():
    frame = _frame(2000, vertices=60)
    levels = biglayer.big_layer("walks.fgb", frame, color="#aa3377", slug="walks")["big"]["levels"]
    assert len(levels) >= 2
    sizes = [len(level["xy"]) for level in levels]
    assert sizes == sorted(sizes)
    for level in levels:
        paths, owner = decode_level(level)
        assert len(paths) == 2000 and all(len(p) >= 1 for p in paths)


def test_big_layer__attributes_are_text_in_json_and_the_page_holds_no_markup_from_data():
    frame = _frame(40)
    table = json.loads(biglayer.big_layer("walks.fgb", frame, color="#aa3377", slug="walks")["big"]["attributes"])
    assert table["columns"][:3] == ["Measured length (km, WGS84 geodesic)", "name", "kind"]
    assert table["values"][1][1] == HOSTILE
    assert table["values"][2] == {"d": ["cable", "rail"], "i": [1, 0] * 20}


def test_user_map_html__big_layer_page_escapes_data(monkeypatch):
    monkeypatch.setattr(biglayer, "BIG_FEATURES", 10)
    html = user_map_html([("walks <b>.fgb", _frame(40))])
    assert "transcaspianBigLayer" in html
    assert "<img src=x" not in html and "</script><img" not in html
    data = re.search(r'<script type="application/json" id="tc-data">(.*?)</script>', html, re.S).group(1)
    payload = json.loads(data)
    assert payload["layers"][0]["big"]["features"] == 40 and payload["layers"][0]["features"] == []


def test_user_payload__small_layers_stay_as_features():
    payload = user_payload([("walks.fgb", _frame(12))])
    assert "big" not in payload["layers"][0] and len(payload["layers"][0]["features"]) == 12


def test_check_page_size__refuses_with_what_to_do():
    frame = _frame(100, vertices=50)
    biglayer.check_page_size([("walks.fgb", frame)], limit=5000)
    with pytest.raises(DataError, match=r"5,000 vertices is more than one web page can draw smoothly.*--simplify.*PMTiles"):
        biglayer.check_page_size([("walks.fgb", frame)], limit=4999)


def test_simplify_frame__fewer_vertices_same_features():
    frame = _frame(100, vertices=50)
    simple = biglayer.simplify_frame(frame, 10_000.0)
    assert len(simple) == 100 and biglayer.count_vertices(simple) < biglayer.count_vertices(frame) / 2
    assert biglayer.count_vertices(frame) == 5000  # the input is not changed


def test_map_command__too_big_says_so_and_writes_nothing(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from transcaspian.cli import main

    path = tmp_path / "walks.fgb"
    _frame(100, vertices=50).to_file(path)
    monkeypatch.setattr(biglayer, "PAGE_VERTEX_LIMIT", 1000)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "--simplify" in result.output and "PMTiles" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(out), "--simplify", "50000"])
    assert result.exit_code == 0 and out.exists()


# -- in Chromium -------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def big_page(page_file: Path) -> Iterator[tuple[Any, list[str]]]:
    """The page open in Chromium once its big layer has drawn, and the page errors seen."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_function("() => (window.transcaspianBigLayers || []).length && window.transcaspianBigLayers[0].stats.firstDraw !== null")
        yield page, errors
        browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed; CI installs it with apt-get install chromium")
def test_big_layer__draws_and_opens_text_popups_in_chromium(tmp_path, monkeypatch):
    monkeypatch.setattr(biglayer, "BIG_FEATURES", 10)
    frame = _frame(400, seed=4)
    # One line we know: horizontal, in the middle of the data, named hostile.
    frame.loc[1, "geometry"] = shapely.LineString([(49.0, 41.5), (51.0, 41.5)])
    page_file = tmp_path / "big.html"
    page_file.write_text(user_map_html([("walks.fgb", frame)], offline=True), encoding="utf-8")
    with big_page(page_file) as (page, errors):
        draws = page.evaluate("() => window.transcaspianBigLayers[0].stats.draws")
        assert draws[-1]["paths"] > 300
        # Zoom in to full detail and click the known line.
        page.evaluate("() => window.transcaspianMaps[0].map.setView([41.5, 50.0], 13, {animate: false})")
        box = page.locator(".leaflet-container").bounding_box()
        point = page.evaluate("() => window.transcaspianMaps[0].map.latLngToContainerPoint([41.5, 50.0])")
        # Hovering near the line names it (as text) in a tooltip.
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"] + 2, steps=3)
        page.wait_for_function("(name) => { const t = document.querySelector('.leaflet-tooltip .tc-tooltip'); return t && t.textContent === name; }", arg=HOSTILE)
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"] + 2)
        popup = page.locator(".leaflet-popup-content .tc-popup")
        popup.wait_for(timeout=5000)
        assert popup.locator(".tc-popup-title").text_content() == HOSTILE
        assert "Measured length" in popup.text_content()
        assert page.evaluate("() => window.__pwned === undefined") and page.locator(".leaflet-popup-content img").count() == 0
        assert page.evaluate("() => window.transcaspianBigLayers[0].stats.draws.slice(-1)[0].zoom") == 13
        assert not errors


def test_big_layer__polygons_points_and_multi_parts_keep_their_features():
    geoms = [
        shapely.Polygon([(49, 40), (50, 40), (50, 41), (49, 41)], holes=[[(49.2, 40.2), (49.4, 40.2), (49.4, 40.4)]]),
        shapely.Point(51.0, 42.0),
        shapely.MultiLineString([[(46, 38), (47, 39)], [(47, 39), (48, 38.5)]]),
        shapely.GeometryCollection([shapely.Point(52, 43), shapely.LineString([(52, 43), (53, 44)])]),
    ]
    frame = gpd.GeoDataFrame({"name": ["area", "port", "two legs", "mixed"]}, geometry=geoms, crs=4326)
    layer = biglayer.big_layer("mixed.gpkg", frame, color="#336699", slug="mixed")
    paths, owner = decode_level(layer["big"]["levels"][-1])
    # Two rings for the polygon, one point, two lines, a point and a line.
    assert owner.tolist() == [0, 0, 1, 2, 2, 3, 3]
    assert [len(p) for p in paths] == [5, 4, 1, 2, 2, 1, 2]
    table = json.loads(layer["big"]["attributes"])
    lengths = table["values"][0]
    assert lengths[1] == "" and float(lengths[2]) > 0  # a point has no length
    assert biglayer.families(frame) == {"area", "point", "line"}


def test_column_texts__as_value_text_for_every_kind_of_column():
    import datetime as dt

    import pandas as pd

    from transcaspian.values import is_missing
    from transcaspian.web.popups import value_text

    columns = {
        "int": pd.Series([0, -7, 2**62]),
        "uint": pd.Series(np.array([0, 3, 2**63], dtype=np.uint64)),
        "bool": pd.Series([True, False, True]),
        "float": pd.Series([0.1, np.nan, -1e300]),
        "float32": pd.Series(np.array([0.1, np.nan, 3.5], dtype=np.float32)),
        "text": pd.Series(["a", " ", "x" * 500]),
        "str": pd.Series(["a", None, "x" * 500], dtype="str"),
        "string": pd.Series(["a", None, "é" * 301], dtype="string"),
        "mixed": pd.Series(["a", None, 3]),
        "nullable": pd.Series([1, None, 3], dtype="Int64"),
        "date": pd.Series([dt.date(2020, 1, 2), None, dt.date(1999, 12, 31)]),
        "nested": pd.Series([[1, 2], {"a": "</script>"}, None]),
    }
    for name, series in columns.items():
        expected = ["" if is_missing(v) else value_text(v, biglayer.MAX_VALUE_CHARS) for v in series.tolist()]
        assert biglayer.column_texts(series) == expected, name


def test_big_layer__lengths_are_the_geodesic_lengths():
    from transcaspian.geo.geodesy import line_length_km

    frame = _frame(50, vertices=30)
    lengths = json.loads(biglayer.big_layer("walks.fgb", frame, color="#aa3377", slug="walks")["big"]["attributes"])["values"][0]
    assert lengths == [f"{line_length_km(g):.3f}" for g in frame.geometry]


_PIXEL = """([lat, lon]) => {
  const big = window.transcaspianBigLayers[0], map = big._map, r = window.devicePixelRatio || 1;
  const p = map.latLngToLayerPoint([lat, lon]);
  return Array.from(big._ctx.getImageData(Math.round((p.x - big._bounds.min.x) * r), Math.round((p.y - big._bounds.min.y) * r), 1, 1).data);
}"""


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed; CI installs it with apt-get install chromium")
def test_big_layer__polygons_are_filled_and_hovering_names_the_feature_in_chromium(tmp_path, monkeypatch):
    monkeypatch.setattr(biglayer, "BIG_FEATURES", 10)
    # A row of squares 0.2 degrees wide; square 0 has a hole 0.1 degrees wide, square 1 a hostile name.
    squares = [shapely.box(46 + 0.3 * i, 40.0, 46.2 + 0.3 * i, 40.2) for i in range(30)]
    squares[0] = shapely.Polygon(squares[0].exterior.coords, holes=[shapely.box(46.05, 40.05, 46.15, 40.15).exterior.coords])
    names = [f"area {i}" for i in range(30)]
    names[1] = HOSTILE
    frame = gpd.GeoDataFrame({"name": names}, geometry=squares, crs=4326)
    page_file = tmp_path / "areas.html"
    page_file.write_text(user_map_html([("areas.gpkg", frame)], offline=True), encoding="utf-8")
    with big_page(page_file) as (page, errors):
        page.evaluate("() => window.transcaspianMaps[0].map.setView([40.1, 46.4], 10, {animate: false})")
        page.wait_for_function("() => window.transcaspianBigLayers[0].stats.draws.slice(-1)[0].zoom === 10")
        # Filled (translucent, in the layer's colour) inside a square, not in its hole nor between squares.
        inside, hole, between = (page.evaluate(_PIXEL, where) for where in ([40.02, 46.1], [40.1, 46.1], [40.1, 46.25]))
        assert 0 < inside[3] < 255 and hole[3] == 0 and between[3] == 0
        box = page.locator(".leaflet-container").bounding_box()

        def hover(lat: float, lon: float) -> None:
            point = page.evaluate("([lat, lon]) => window.transcaspianMaps[0].map.latLngToContainerPoint([lat, lon])", [lat, lon])
            page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=4)

        tooltip = page.locator(".leaflet-tooltip .tc-tooltip")
        hover(40.1, 46.4)  # inside square 1, far from its edges
        page.wait_for_function("(name) => { const t = document.querySelector('.leaflet-tooltip .tc-tooltip'); return t && t.textContent === name; }", arg=HOSTILE)
        assert page.locator(".leaflet-tooltip img").count() == 0 and page.evaluate("() => window.__pwned === undefined")
        hover(40.02, 46.1)  # square 0, outside its hole
        page.wait_for_function("() => { const t = document.querySelector('.leaflet-tooltip .tc-tooltip'); return t && t.textContent === 'area 0'; }")
        hover(40.1, 46.1)  # in the hole: nothing there
        tooltip.wait_for(state="detached")
        assert not errors


def test_user_payload__big_polygon_layers_are_areas_in_the_legend_and_carry_their_rings(monkeypatch):
    monkeypatch.setattr(biglayer, "BIG_FEATURES", 10)
    areas = gpd.GeoDataFrame(geometry=[shapely.box(i, 40, i + 0.5, 40.5) for i in range(20)], crs=4326)
    payload = user_payload([("areas.gpkg", areas), ("walks.fgb", _frame(20))])
    assert [list(item) for section in payload["legend"] for item in section["items"]] == [["label", "area"], ["label", "line"]]
    assert decode_ints(payload["layers"][0]["big"]["rings"]).tolist() == [1] * 20
    assert "rings" not in payload["layers"][1]["big"]


def test_big_layer__rings_are_oriented_for_the_nonzero_fill():
    # Exteriors counter-clockwise, holes clockwise, whatever the file says.
    clockwise = shapely.Polygon([(0, 0), (0, 1), (1, 1), (1, 0)], holes=[[(0.2, 0.2), (0.4, 0.2), (0.4, 0.4)]])
    frame = gpd.GeoDataFrame(geometry=[clockwise, shapely.LineString([(2, 2), (3, 3)])], crs=4326)
    layer = biglayer.big_layer("a.gpkg", frame, color="#336699", slug="a")
    paths, owner = decode_level(layer["big"]["levels"][-1])
    assert decode_ints(layer["big"]["rings"]).tolist() == [1, 1, 0]
    assert [bool(shapely.is_ccw(shapely.LinearRing(p))) for p in paths[:2]] == [True, False]
