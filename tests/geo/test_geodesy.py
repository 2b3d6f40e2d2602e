"""Geodesic measurement: known answers, additivity, country split."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian.geo.countries import SEA, CountryIndex, country_lengths_km, country_part, load_countries
from transcaspian.geo.geodesy import GEOD, SHORT_SEGMENT_M, cumulative_km, densify, line_length_km, line_lengths_m, section_km, segment_lengths_km


@pytest.fixture(scope="module")
def countries() -> CountryIndex:
    return CountryIndex.from_geojson(load_countries())


def test_segment_lengths_km__one_degree_of_equator():
    # a * pi / 180 on the WGS84 equator, a = 6378137 m
    assert segment_lengths_km([0, 1], [0, 0])[0] == pytest.approx(6378137 * math.pi / 180 / 1000, abs=1e-9)


def test_segment_lengths_km__quarter_meridian():
    # WGS84 quarter meridian, GeographicLib: 10001965.729 m
    assert segment_lengths_km([0, 0], [0, 90])[0] == pytest.approx(10001.965729, abs=1e-6)


def test_segment_lengths_km__wellington_salamanca():
    # GeographicLib documentation example: s12 = 19959679.267353 m
    km = segment_lengths_km([174.81, -5.50], [-41.32, 40.96])[0]
    assert km == pytest.approx(19959.679267353, abs=1e-6)


def test_segment_lengths_km__shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        segment_lengths_km([0, 1, 2], [0, 1])


@pytest.mark.parametrize("metres, within", [(10.0, 1e-8), (3_000.0, 1e-6), (SHORT_SEGMENT_M, 1e-4)])
def test_line_lengths_m__short_segments_agree_with_geographiclib(metres, within):
    # Segments of a known geodesic length, everywhere on Earth (poles included), in every direction.
    rng = np.random.default_rng(3)
    lon, lat, azimuth = rng.uniform(-180, 180, 20_000), rng.uniform(-90, 90, 20_000), rng.uniform(-180, 180, 20_000)
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, np.full(20_000, metres))
    got = line_lengths_m(np.column_stack([lon, lon2]).ravel(), np.column_stack([lat, lat2]).ravel())[0::2]
    assert np.abs(got - metres).max() <= within


def test_line_lengths_m__is_geod_line_lengths_for_any_segments():
    # Long segments, the antimeridian, the poles, repeated points: as GeographicLib.
    lon = np.array([179.99, -179.99, 0.0, 0.0, 10.0, 10.0, 120.0, -60.0])
    lat = np.array([10.0, 10.0, 10.0, 90.0, 89.99, 89.99, -45.0, 45.0])
    assert np.allclose(line_lengths_m(lon, lat), GEOD.line_lengths(lon, lat), rtol=0, atol=1e-4)
    assert line_lengths_m(lon[:1], lat[:1]).shape == (0,)


def test_line_length_km__geometry_and_coords_agree():
    coords = [(49.8, 40.4), (47.1, 40.6), (44.8, 41.7)]
    assert line_length_km(shapely.LineString(coords)) == pytest.approx(line_length_km(coords), rel=1e-12)


def test_line_length_km__is_not_planar_degrees():
    # one degree of longitude at 60 N is about half of one at the equator
    assert line_length_km([(0, 60), (1, 60)]) == pytest.approx(55.8, abs=0.1)


def test_line_length_km__empty_geometry_is_zero():
    assert line_length_km(shapely.LineString()) == 0.0


def test_cumulative_km__ends_at_total():
    coords = [(0, 0), (1, 0), (1, 1), (2, 2)]
    cum = cumulative_km(coords)
    assert cum[0] == 0.0
    assert cum[-1] == pytest.approx(line_length_km(coords))
    assert np.all(np.diff(cum) > 0)


lonlat = st.tuples(st.floats(-179, 179), st.floats(-80, 80))


@settings(max_examples=60, deadline=None)
@given(st.lists(lonlat, min_size=3, max_size=12), st.data())
def test_section_km__sections_add_up_to_the_whole(points, data):
    coords = np.asarray(points)
    n = len(coords)
    cut = data.draw(st.integers(1, n - 2))
    whole = section_km(coords, 0, n - 1)
    assert section_km(coords, 0, cut) + section_km(coords, cut, n - 1) == pytest.approx(whole, rel=1e-9, abs=1e-9)
    assert section_km(coords, n - 1, 0) == whole


@settings(max_examples=30, deadline=None)
@given(st.lists(lonlat, min_size=2, max_size=6), st.floats(5, 500))
def test_densify__keeps_length_and_vertices(points, spacing):
    coords = np.asarray(points)
    dense = densify(coords, spacing)
    assert line_length_km(dense) == pytest.approx(line_length_km(coords), rel=1e-9, abs=1e-9)
    assert np.all(segment_lengths_km(dense[:, 0], dense[:, 1]) <= spacing * (1 + 1e-9))
    assert {tuple(p) for p in coords} <= {tuple(p) for p in dense}


def test_country_lengths_km__border_crossing_line(countries):
    # Ganja (AZE) to Tbilisi (GEO): both countries, nothing at sea
    coords = np.array([(46.36, 40.68), (44.81, 41.71)])
    parts = country_lengths_km(coords, countries)
    assert set(parts) == {"AZE", "GEO"}
    assert sum(parts.values()) == pytest.approx(line_length_km(coords), rel=1e-6)


def test_country_lengths_km__across_the_caspian_is_sea(countries):
    coords = np.array([(51.0, 43.0), (50.2, 41.0)])
    parts = country_lengths_km(coords, countries)
    assert list(parts) == [SEA]
    assert parts[SEA] == pytest.approx(line_length_km(coords), rel=1e-9)


def test_country_lengths_km__curated_legs_add_up(measured):
    for row in measured.legs.itertuples():
        assert sum(row.country_lengths_km.values()) == pytest.approx(row.length_km, rel=1e-6), row.id


def test_country_index__country_at(countries):
    assert countries.country_at(49.87, 40.41) == "AZE"  # Baku
    assert countries.country_at(37.0, 43.0) == SEA  # Black Sea
    assert countries.country_at(50.0, 42.0) == SEA  # Caspian


def test_country_part__is_the_country_entry_of_country_lengths(countries):
    coords = np.array([(49.87, 40.41), (47.0, 41.2), (44.8, 41.7), (43.1, 40.6)])  # AZE, GEO, ARM/TUR
    whole = country_lengths_km(coords, countries)
    for code in ("AZE", "GEO"):
        parts = country_part(coords, code, countries)
        assert parts and sum(line_length_km(p) for p in parts) == pytest.approx(whole[code], rel=1e-12)
    assert country_part(coords, "KAZ", countries) == []


def test_country_part__one_piece_per_stretch_so_its_ends_are_where_it_enters_and_leaves(countries):
    # Baku -> Tbilisi -> Akhalkalaki: the cut works segment by segment, yet each stretch of the
    # line inside Azerbaijan comes back as one piece, as many pieces as runs of densified
    # vertices inside the country, each shorter end to end than along the line.
    from transcaspian.geo.geodesy import densify

    coords = np.array([(49.87, 40.41), (47.5, 41.0), (45.05, 41.25), (44.8, 41.7), (43.48, 41.41)])
    inside = [countries.country_at(lon, lat) == "AZE" for lon, lat in densify(coords, 0.2)]
    runs = sum(1 for k, flag in enumerate(inside) if flag and (k == 0 or not inside[k - 1]))
    pieces = country_part(coords, "AZE", countries)
    assert len(pieces) == runs >= 1
    assert tuple(pieces[0].coords[0]) == pytest.approx((49.87, 40.41))
    for piece in pieces:
        first, last = np.asarray(piece.coords)[[0, -1]]
        assert 0.5 * line_length_km(piece) < line_length_km(np.stack([first, last])) < line_length_km(piece)


def test_country_index__shipped_is_the_natural_earth_data():
    shipped = CountryIndex.shipped()
    assert len(shipped.codes) == len(load_countries()["features"])
    assert shipped.country_at(44.8, 41.7) == "GEO"  # Tbilisi
