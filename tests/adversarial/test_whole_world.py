"""Lengths anywhere on Earth and across the antimeridian (issue 9, item 7).

Found: ``measure --by-country`` of Tokyo -> San Francisco reported 2,778 km
in Kazakhstan and parts adding up to 31,930 km; the map drew the line round
the world; the boundaries covered 10-100°E, 25-60°N only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hostile import assert_ok, cli, line_feature, write_geojson
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from transcaspian.geo.antimeridian import split_at_antimeridian
from transcaspian.geo.countries import CountryIndex, country_lengths_km

WGS84 = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def world() -> CountryIndex:
    return CountryIndex.shipped()


def geodesic_km(coords) -> float:
    xy = np.asarray(coords, dtype=float)
    return sum(WGS84.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(xy[:-1], xy[1:])) / 1000


def by_country(tmp_path: Path, coords) -> dict:
    src = write_geojson(tmp_path / "line.geojson", [line_feature(coords, id="line")])
    run = cli("measure", src, "--format", "json", "--by-country")
    assert_ok(run)
    return json.loads(run.stdout)["features"][0]


TOKYO_SF = [(139.69, 35.68), (-122.42, 37.77)]


def test_tokyo_to_san_francisco_crosses_the_pacific(tmp_path: Path):
    row = by_country(tmp_path, TOKYO_SF)
    parts = row["country_lengths_km"]
    assert row["length_km"] == pytest.approx(geodesic_km(TOKYO_SF), abs=1e-3)
    assert sum(parts.values()) == pytest.approx(row["length_km"], abs=0.01)
    assert set(parts) <= {"JPN", "USA", "sea"}
    assert parts["JPN"] > 0 and parts["USA"] > 0
    assert parts["sea"] > 7000


def test_unwrapped_longitudes_split_the_same(world: CountryIndex):
    # The CLI refuses longitudes beyond 180 in files; the geo functions take them wrapped or not.
    unwrapped = np.array([(139.69, 35.68), (-122.42 + 360.0, 37.77)])
    assert country_lengths_km(unwrapped, world) == pytest.approx(country_lengths_km(np.array(TOKYO_SF), world), abs=0.01)


@pytest.mark.parametrize(
    ("coords", "country"),
    [
        ([(-74.0, 40.7), (-118.2, 34.05)], "USA"),  # New York -> Los Angeles
        ([(-46.6, -23.5), (-43.2, -22.9)], "BRA"),  # Sao Paulo -> Rio
        ([(151.2, -33.9), (144.96, -37.8)], "AUS"),  # Sydney -> Melbourne
        ([(174.78, -41.29), (174.76, -36.85)], "NZL"),  # Wellington -> Auckland
        ([(28.0, -26.2), (18.4, -33.9)], "ZAF"),  # Johannesburg -> Cape Town
    ],
)
def test_by_country_works_anywhere_on_earth(tmp_path: Path, coords, country: str):
    parts = by_country(tmp_path, coords)["country_lengths_km"]
    assert country in parts
    assert parts[country] > 0.5 * sum(parts.values())


def test_fiji_line_across_the_antimeridian(tmp_path: Path):
    # Vanua Levu to Taveuni side and back over 180°: Fiji on both sides.
    row = by_country(tmp_path, [(179.6, -16.6), (-179.9, -16.8)])
    assert sum(row["country_lengths_km"].values()) == pytest.approx(row["length_km"], abs=0.01)
    assert row["length_km"] < 100


def test_map_draws_the_crossing_line_in_two_parts_on_either_side(tmp_path: Path):
    src = write_geojson(tmp_path / "line.geojson", [line_feature(TOKYO_SF, id="line")])
    out = tmp_path / "m.html"
    assert_ok(cli("map", src, "-o", out))
    data = json.loads(re.search(r'id="tc-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1))
    (feature,) = data["layers"][0]["features"]
    g = feature["g"]
    assert g["type"] == "MultiLineString"
    for part in g["coordinates"]:
        lons = np.array(part)[:, 0]
        assert np.all(np.abs(np.diff(lons)) < 180)
    west, east = sorted(g["coordinates"], key=lambda p: p[0][0])
    assert {west[0][0], east[-1][0], west[-1][0], east[0][0]} & {180.0, -180.0}


lon = st.floats(-180, 180, allow_nan=False)
lat = st.floats(-80, 80, allow_nan=False)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(lon, lat), min_size=2, max_size=6))
def test_parts_always_add_up_to_the_whole(world: CountryIndex, coords):
    xy = np.asarray(coords, dtype=float)
    if np.any(np.hypot(*np.diff(xy, axis=0).T) == 0):
        return
    parts = country_lengths_km(xy, world)
    total = geodesic_km(xy)
    assert sum(parts.values()) == pytest.approx(total, rel=1e-6, abs=0.05)
    assert all(v >= 0 for v in parts.values())


def test_split__segment_starting_on_the_antimeridian_crosses_at_its_start():
    """Found by the property test below: (180, 0) to (-1, 1) was split at (180, 1), the far end's latitude.

    The search for the crossing looked for a longitude change of 0 and ran to
    the segment's end; the parts then added up to 19,872 km for a 19,861 km line.
    """
    parts = split_at_antimeridian([(180.0, 0.0), (-1.0, 1.0)])
    assert [p.tolist() for p in parts] == [[[-180.0, 0.0], [-1.0, 1.0]]]
    assert geodesic_km(parts[0]) == pytest.approx(geodesic_km([(180.0, 0.0), (-1.0, 1.0)]), rel=1e-9)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.floats(-540, 540, allow_nan=False), lat), min_size=2, max_size=8))
def test_split_parts_stay_within_the_antimeridian_and_keep_the_length(coords):
    parts = split_at_antimeridian(coords)
    for part in parts:
        assert np.all(np.abs(part[:, 0]) <= 180.0)
        assert np.all(np.abs(np.diff(part[:, 0])) <= 180.0)
    xy = np.asarray(coords, dtype=float)
    if parts:
        assert sum(geodesic_km(p) for p in parts) == pytest.approx(geodesic_km(xy), rel=1e-6, abs=0.01)
