"""The public API (``import transcaspian``): known answers, any CRS, errors, laziness."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

import transcaspian
from transcaspian.errors import CoordinateError, DataError, UsageError
from transcaspian.geo.geodesy import line_length_km

#: Equatorial radius of WGS84 (m): one degree of longitude on the equator is a * pi / 180.
WGS84_A = 6378137.0
#: One degree of latitude from the equator along a meridian on WGS84, km (standard tables: 110.574 km).
MERIDIAN_DEGREE_KM = 110.574
#: (49E, 40N) to (50E, 41N): 139.7 km on WGS84 (the UTM line of issue 12 that gave NaN).
ISSUE_LINE = [(49.0, 40.0), (50.0, 41.0)]
ISSUE_LINE_KM = 139.7


def utm(coords, zone_epsg: int = 32639) -> list[tuple[float, float]]:
    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{zone_epsg}", always_xy=True)
    return list(zip(*to_utm.transform(*zip(*coords))))


# -- geodesic_length: known answers ---------------------------------------------------


def test_geodesic_length__utm_line_of_the_issue_is_139_7_km_not_nan():
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.LineString(utm(ISSUE_LINE))], crs=32639)
    km = transcaspian.geodesic_length(frame)
    assert km.name == "length_km" and not km.isna().any()
    assert km.iloc[0] == pytest.approx(ISSUE_LINE_KM, abs=0.05)


def test_line_length_km__projected_coordinates_without_crs_raise_instead_of_nan():
    line = shapely.LineString(utm(ISSUE_LINE))
    with pytest.raises(CoordinateError, match="not longitude/latitude"):
        line_length_km(line)
    with pytest.raises(ValueError):  # CoordinateError is a ValueError for callers that catch that
        line_length_km(np.asarray(line.coords))
    assert line_length_km(line, crs="EPSG:32639") == pytest.approx(ISSUE_LINE_KM, abs=0.05)


def test_geodesic_length__equator_degree_in_utm_31n():
    line = shapely.LineString(utm([(2.5, 0.0), (3.5, 0.0)], 32631))
    km = transcaspian.geodesic_length(gpd.GeoSeries([line], crs=32631))
    assert km.iloc[0] == pytest.approx(WGS84_A * math.pi / 180 / 1000, abs=1e-6)


def test_geodesic_length__meridian_degree():
    km = transcaspian.geodesic_length(gpd.GeoSeries([shapely.LineString([(51, 0), (51, 1)])], crs=4326))
    assert km.iloc[0] == pytest.approx(MERIDIAN_DEGREE_KM, abs=0.001)


def test_geodesic_length__polygon_perimeter_counts_holes_and_points_are_zero():
    shell = [(49, 40), (50, 40), (50, 41), (49, 41), (49, 40)]
    hole = [(49.4, 40.4), (49.6, 40.4), (49.6, 40.6), (49.4, 40.6), (49.4, 40.4)]
    series = gpd.GeoSeries(
        [shapely.Polygon(shell, [hole]), shapely.Point(49, 40), shapely.LineString(), None, shapely.MultiLineString([ISSUE_LINE, ISSUE_LINE])],
        index=list("abcde"),
        crs=4326,
    )
    km = transcaspian.geodesic_length(series)
    assert list(km.index) == list("abcde")
    assert km["a"] == pytest.approx(line_length_km(shell) + line_length_km(hole), rel=1e-12)
    assert km["a"] > line_length_km(shell)
    assert (km["b"], km["c"]) == (0.0, 0.0)
    assert math.isnan(km["d"])  # no geometry: no length
    assert km["e"] == pytest.approx(2 * ISSUE_LINE_KM, abs=0.1)


def test_geodesic_length__other_geographic_crs_is_reprojected():
    # Pulkovo 1942 degrees are not WGS84 degrees: the line is moved by about 100 m, not measured as is.
    series = gpd.GeoSeries([shapely.LineString(ISSUE_LINE)], crs=4284)
    assert transcaspian.geodesic_length(series).iloc[0] == pytest.approx(ISSUE_LINE_KM, abs=0.1)


def test_geodesic_length__no_crs_and_metres_is_an_error_naming_the_fix():
    series = gpd.GeoSeries([shapely.LineString(utm(ISSUE_LINE))])
    with pytest.raises(CoordinateError, match=r"set_crs"):
        transcaspian.geodesic_length(series)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(46, 54), st.floats(37, 46)), min_size=2, max_size=6),
)
def test_geodesic_length__same_in_every_crs(coords):
    # Property: the length does not depend on the CRS the line is stored in (to well under 1 m).
    line = shapely.LineString(coords)
    wgs = transcaspian.geodesic_length(gpd.GeoSeries([line], crs=4326)).iloc[0]
    projected = gpd.GeoSeries([line], crs=4326).to_crs(32639)
    assert transcaspian.geodesic_length(projected).iloc[0] == pytest.approx(wgs, abs=1e-3)


# -- country_lengths: known land and sea ------------------------------------------------

#: Lines whose country is known without the code: inland stretches and open water.
KNOWN = {
    "ganja_yevlakh": ([(46.36, 40.68), (47.15, 40.62)], "AZE"),  # central Azerbaijan, far from any border
    "kyzylorda_steppe": ([(65.5, 44.8), (66.5, 45.2)], "KAZ"),  # the Kazakh steppe
    "mid_caspian": ([(50.5, 41.5), (51.0, 42.0)], "sea"),  # open water between Baku and Aktau
    "black_sea": ([(33.0, 43.0), (35.0, 43.5)], "sea"),  # the middle of the Black Sea
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_country_lengths__known_land_and_sea(name):
    coords, where = KNOWN[name]
    parts = transcaspian.country_lengths(gpd.GeoSeries([shapely.LineString(coords)], crs=4326))
    assert list(parts.columns) == [where]
    assert parts.iloc[0][where] == pytest.approx(line_length_km(coords), rel=1e-9)


def test_country_lengths__crossing_the_caspian_splits_land_and_sea():
    # Baku to Aktau: land at both ends, mostly sea between; the sea is not reported as land.
    line = gpd.GeoSeries([shapely.LineString([(49.87, 40.37), (51.15, 43.65)])], crs=4326).to_crs(32639)
    parts = transcaspian.country_lengths(line).iloc[0]
    assert set(parts.index) == {"AZE", "KAZ", "sea"}
    assert parts["sea"] > 300 and 0 < parts["AZE"] < 40 and 0 < parts["KAZ"] < 20  # Baku leaves across the Absheron peninsula
    assert parts.sum() == pytest.approx(transcaspian.geodesic_length(line).iloc[0], abs=0.01)


# -- check, make_map, build ----------------------------------------------------------------

CLAIMS = """
[[source]]
id = "survey"
publisher = "P"
title = "T"
url = "https://example.org"
date = "2024"

[[claim]]
id = "cable_len"
subject = "{subject}"
metric = "length"
value = 140
unit = "km"
role = "canonical"
source = "survey"
"""


@pytest.mark.parametrize(("id_field", "subject"), [(None, "cable"), ("fid", "7")])
def test_check__a_utm_geodataframe_against_claims(tmp_path: Path, id_field, subject):
    claims = tmp_path / "claims.toml"
    claims.write_text(CLAIMS.format(subject=subject))
    frame = gpd.GeoDataFrame({"id": ["cable"]}, geometry=[shapely.LineString(utm(ISSUE_LINE))], crs=32639, index=pd.Index([7], name="fid"))
    table = transcaspian.check(claims, frame, id_field=id_field)
    row = table.loc["cable_len"]
    assert row["verdict"] == "consistent"
    assert row["measured_km"] == pytest.approx(ISSUE_LINE_KM, abs=0.05)
    assert row["ratio"] == pytest.approx(ISSUE_LINE_KM / 140, abs=1e-3)


def test_check__a_layer_needs_claims():
    with pytest.raises(UsageError, match="claims"):
        transcaspian.check(layer=gpd.GeoDataFrame(geometry=[shapely.LineString(ISSUE_LINE)], crs=4326))


def test_check__bad_claims_file_is_a_data_error_with_the_cause_kept(tmp_path: Path):
    claims = tmp_path / "claims.toml"
    claims.write_text("[[claim]\nid = ")
    frame = gpd.GeoDataFrame({"id": ["cable"]}, geometry=[shapely.LineString(ISSUE_LINE)], crs=4326)
    with pytest.raises(DataError) as caught:
        transcaspian.check(claims, frame)
    assert str(claims) in str(caught.value)
    assert caught.value.__cause__ is not None  # the TOML parser's error, for library users


def test_make_map__hostile_attributes_stay_text():
    frame = gpd.GeoDataFrame({"name": ["<img src=x onerror=alert(1)>"], "note": ["{{ 7*7 }}"]}, geometry=[shapely.LineString(utm(ISSUE_LINE))], crs=32639)
    frame.attrs["name"] = "cables </script>"
    html = transcaspian.make_map(frame, title="A <b>title</b>").get_root().render()
    assert "<img src=x" not in html and '</script>"' not in html and "<b>title" not in html
    assert "49" in html  # reprojected: longitudes, not UTM metres, reach the page


def test_make_map__unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="lang 'xx'"):
        transcaspian.make_map(lang="xx")


def test_import_transcaspian_is_light():
    code = "import sys, transcaspian; print(json.dumps(sorted(m for m in ('geopandas', 'folium', 'pyogrio', 'shapely', 'pandas') if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", f"import json; {code}"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_public_names_are_documented_with_an_example():
    for name in transcaspian.__all__:
        obj = getattr(transcaspian, name)
        if callable(obj) and not isinstance(obj, type):
            doc = obj.__doc__ or ""
            assert "Examples" in doc and ">>>" in doc, name
            assert "km" in doc or name in ("places", "make_map", "layers", "build"), name
