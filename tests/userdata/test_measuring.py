"""Measuring users' files: the vectorised batch core, the outputs, atomic writes.

The command as a user runs it (``transcaspian measure``, every bad input) is
tested in test_userfiles.py.
"""

from __future__ import annotations

import functools
import io
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from transcaspian.errors import DataError
from transcaspian.userdata.batches import Batch
from transcaspian.userdata.measure_files import measure_rows, write_measurements
from transcaspian.userdata.measuring import WRITERS, FileSummary, linear_paths, lonlat_extent, measure_batch, shipped_countries
from transcaspian.userdata.opening import crs_name, open_vector

#: An independent ellipsoid object, so expected values do not share state with the code.
WGS84 = Geod(ellps="WGS84")


# -- batches ------------------------------------------------------------------------


def reference_km(geometry) -> float:
    """Per-feature length without the vectorised code: GEOD.geometry_length."""
    if geometry is None or geometry.is_empty:
        return float("nan")
    if shapely.get_type_id(geometry) in (0, 4):
        return float("nan")
    return WGS84.geometry_length(geometry) / 1000


lonlat = st.tuples(st.floats(40, 60), st.floats(30, 50))
line_st = st.lists(lonlat, min_size=2, max_size=6).map(shapely.LineString)
ring_st = st.lists(lonlat, min_size=3, max_size=5).map(lambda c: shapely.Polygon(c + [c[0]]))
geometry_st = st.one_of(
    line_st,
    ring_st,
    st.lists(line_st, min_size=1, max_size=3).map(shapely.MultiLineString),
    st.lists(ring_st, min_size=1, max_size=2).map(lambda ps: shapely.GeometryCollection(ps)),
    lonlat.map(lambda p: shapely.Point(*p)),
    st.none(),
)


class _WGS84Source:
    """Stands in for a VectorSource already in WGS84."""

    name = "memory"
    transformer = None
    geographic = True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(geometry_st, min_size=1, max_size=25), st.integers(1, 7))
def test_measure_batch__batches_give_the_same_lengths_as_the_whole(geometries, batch_size):
    geoms = np.array(geometries, dtype=object)
    whole = measure_batch(Batch(0, geoms), _WGS84Source()).length_km
    parts = np.concatenate(
        [measure_batch(Batch(i, geoms[i : i + batch_size]), _WGS84Source()).length_km for i in range(0, len(geoms), batch_size)]
    )
    expected = np.array([reference_km(g) for g in geometries])
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(whole, expected, rtol=1e-9, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_measure_rows__file_read_in_batches_gives_the_same_totals(tmp_path, batch_size):
    rng = np.random.default_rng(7)
    lines = [shapely.LineString(rng.uniform([45, 38], [54, 46], size=(rng.integers(2, 30), 2))) for _ in range(50)]
    path = tmp_path / "many.fgb"
    # Without a spatial index FlatGeobuf keeps the features in the order written.
    gpd.GeoDataFrame(geometry=lines, crs=4326).to_file(path, driver="FlatGeobuf", SPATIAL_INDEX="NO")
    summary = FileSummary("many", "many", "EPSG:4326")
    rows = list(measure_rows(open_vector(path), summary, batch_size=batch_size))
    assert [r.feature for r in rows] == [f"#{i + 1}" for i in range(50)]
    assert summary.length_km == pytest.approx(sum(WGS84.geometry_length(g) for g in lines) / 1000, rel=1e-12)
    assert [r.length_km for r in rows] == pytest.approx([WGS84.geometry_length(g) / 1000 for g in lines], rel=1e-12)


def test_linear_paths__flattens_nested_collections():
    nested = shapely.GeometryCollection([shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]), shapely.Point(0, 0)])
    paths, owner = linear_paths(np.array([shapely.LineString([(0, 0), (1, 0)]), nested], dtype=object))
    assert sorted(owner.tolist()) == [0, 1, 1]
    assert len(paths) == 3


def test_write_measurements__one_document_for_several_files(tmp_path):
    path = tmp_path / "two.geojson"
    lines = [shapely.LineString([(49.0, 40.0), (50.0, 41.0)]), shapely.LineString([(44.8, 41.7), (43.1, 40.6)])]
    gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=lines, crs=4326).to_file(path, driver="GeoJSON")
    stream = io.StringIO()
    summaries = write_measurements([open_vector(path), open_vector(path)], stream, "json")
    doc = json.loads(stream.getvalue())
    expected = sum(WGS84.geometry_length(g) for g in lines) / 1000
    assert [s.measured for s in summaries] == [2, 2]
    assert [f["feature"] for f in doc["features"]] == ["a", "b", "a", "b"]
    assert doc["totals"]["length_km"] == pytest.approx(2 * expected, abs=1e-3)


# -- per country, fast and exact --------------------------------------------------


@functools.lru_cache(maxsize=1)
def _exact_index():
    from transcaspian.geo.countries import CountryIndex
    from transcaspian.userdata.measuring import shipped_region

    index = CountryIndex.shipped()
    return index, shipped_region(index)


def _exact_split(geometry):
    """Today's method: densify the whole feature, cut it with every country it meets."""
    from transcaspian.userdata.measuring import country_split_km

    return country_split_km(geometry, *_exact_index())


def _random_walks(n_features: int, n_vertices: int, seed: int, step: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    start = rng.uniform([38.0, 36.0], [62.0, 47.0], size=(n_features, 1, 2))
    steps = rng.normal(0.0, step, size=(n_features, n_vertices - 1, 2))
    return shapely.linestrings(np.concatenate([start, start + np.cumsum(steps, axis=1)], axis=1))


def _assert_same_split(fast: dict, exact: dict, total: float) -> None:
    # The bar is 0.1 %; the same densified geometry is cut, so it is far closer.
    assert set(fast) == set(exact), (fast, exact)
    for key in exact:
        assert abs(fast[key] - exact[key]) <= 1e-3 * total, (key, fast[key], exact[key])
        assert abs(fast[key] - exact[key]) <= 1e-6 * max(total, 1.0)


def test_by_country__fast_split_equals_the_exact_method_on_the_curated_network(measured):
    from transcaspian.userdata.measuring import shipped_countries, split_dict

    grid = shipped_countries()
    lines = [*measured.network.legs.values(), *measured.network.routes.values()]
    geoms = np.array([line.geometry for line in lines], dtype=object)
    result = measure_batch(Batch(0, geoms), _WGS84Source(), countries=grid)
    assert len(lines) > 20
    crossing = 0
    for i, line in enumerate(lines):
        fast = split_dict(result.country_km[i], grid.keys)
        exact = _exact_split(line.geometry)
        crossing += len(exact) > 1
        _assert_same_split(fast, exact, result.length_km[i])
    assert crossing > 10  # the network crosses borders and seas: the cutting path is exercised


def test_by_country__fast_split_equals_the_exact_method_on_random_lines_and_polygons():
    from transcaspian.userdata.measuring import shipped_countries, split_dict

    grid = shipped_countries()
    lines = _random_walks(60, 40, seed=3)
    # Polygons (perimeters), a multi-part feature, and a line running out of the region.
    polygons = shapely.buffer(shapely.points([[49.8, 40.4], [51.2, 43.6], [41.5, 41.6]]), 0.4, quad_segs=4)
    multi = shapely.multilinestrings([shapely.get_coordinates(lines[0]), shapely.get_coordinates(lines[1])])
    # Into the Arctic, north of the boundaries' region, and across the antimeridian (Chukotka to Alaska).
    outgoing = shapely.linestrings([[20.0, 80.0], [24.0, 86.0], [30.0, 89.0]])
    bering = shapely.linestrings([[177.5, 64.7], [-178.0, 65.5], [-168.0, 65.6], [-165.4, 64.5]])
    geoms = np.concatenate([lines, polygons, [multi, bering, outgoing]])
    result = measure_batch(Batch(0, geoms), _WGS84Source(), countries=grid)
    for i, geom in enumerate(geoms):
        _assert_same_split(split_dict(result.country_km[i], grid.keys), _exact_split(geom), result.length_km[i])
    assert "outside_region" in split_dict(result.country_km[-1], grid.keys)
    assert {"RUS", "USA", "sea"} <= set(split_dict(result.country_km[-2], grid.keys))


def test_by_country__a_line_along_a_border_is_cut_as_the_exact_method_cuts_it():
    # A user's border layer: its lines lie exactly on the boundary rings.
    from transcaspian.geo.countries import CountryIndex
    from transcaspian.userdata.measuring import shipped_countries, split_dict

    index = CountryIndex.shipped()
    ring = shapely.get_exterior_ring(max(shapely.get_parts(index.polygons[index.codes.index("AZE")]), key=shapely.area))
    border = shapely.linestrings(shapely.get_coordinates(ring)[:400])
    result = measure_batch(Batch(0, np.array([border], dtype=object)), _WGS84Source(), countries=shipped_countries())
    _assert_same_split(split_dict(result.country_km[0], shipped_countries().keys), _exact_split(border), result.length_km[0])


# -- threads ------------------------------------------------------------------------


@pytest.mark.parametrize("by_country", [True, False])
@pytest.mark.parametrize("fmt", ["table", "json", "csv", "geojson"])
def test_write_measurements__jobs_give_the_same_bytes(tmp_path, fmt, by_country):
    path = tmp_path / "walks.fgb"
    lines = _random_walks(2600, 12, seed=5)
    gpd.GeoDataFrame({"name": [f"w{i}" for i in range(len(lines))]}, geometry=lines, crs=4326).to_file(path, driver="FlatGeobuf")
    outputs = []
    for jobs in (1, 3):
        stream = io.StringIO()
        write_measurements([open_vector(path, id_field="name")], stream, fmt, by_country=by_country, jobs=jobs)
        outputs.append(stream.getvalue())
    # The rows as measure_rows yields them one by one (the dask engine's way), written row by row.
    stream = io.StringIO()
    source = open_vector(path, id_field="name")
    countries = shipped_countries(lonlat_extent([source])) if by_country else None
    summary = FileSummary(source.name, source.layer, crs_name(source.crs))
    writer = WRITERS[fmt](stream, by_country=by_country, file_width=len(source.name), **({"several_files": False} if fmt == "geojson" else {}))
    for row in measure_rows(source, summary, countries=countries, full=fmt == "geojson"):
        writer.row(row)
    writer.close([summary])
    assert outputs[0] == outputs[1] == stream.getvalue()
    assert "w2599" in outputs[0]  # every batch (3 of them) was written
    assert ("KAZ" in outputs[0]) == by_country


def test_batches__decoded_in_the_threads_as_when_read(tmp_path):
    # measure --jobs reads WKB in the calling thread and decodes it in the workers.
    path = tmp_path / "walks.fgb"
    lines = _random_walks(1500, 5, seed=2)
    gpd.GeoDataFrame({"name": [f"w{i}" for i in range(len(lines))]}, geometry=lines, crs=4326).to_file(path, driver="FlatGeobuf")
    source = open_vector(path, id_field="name")
    raw = list(source.batches(decode=False))
    assert all(b.geometries is None and b.wkb is not None for b in raw)
    decoded = [source.decode(b) for b in raw]
    read = list(source.batches())
    assert [b.start for b in decoded] == [b.start for b in read] == [0, 1024]
    assert all(b.wkb is None and shapely.equals_exact(b.geometries, r.geometries, tolerance=0).all() for b, r in zip(decoded, read))
    one_point = shapely.to_wkb(shapely.Point(50, 40)).replace(b"\x01\x00\x00\x00", b"\x02\x00\x00\x00\x01\x00\x00\x00", 1)  # a LineString of one point
    bad = Batch(start=2048, geometries=None, ids=np.array(["ok", "broken"], dtype=object), size=2, wkb=np.array([raw[0].wkb[0], one_point], dtype=object))
    with pytest.raises(DataError, match="geometry is invalid") as error:
        source.decode(bad)
    assert error.value.record == "feature 'broken'"
