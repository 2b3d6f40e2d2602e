"""Measuring users' files: the vectorised batch core, the outputs, atomic writes.

The command as a user runs it (``transcaspian measure``, every bad input) is
tested in test_userfiles.py.
"""

from __future__ import annotations

import io
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from transcaspian.userdata.measuring import (
    FeatureRow,
    FileSummary,
    Progress,
    TableWriter,
    atomic_open,
    linear_paths,
    measure_batch,
    measure_rows,
    write_measurements,
)
from transcaspian.userdata.opening import Batch, open_vector

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


def test_atomic_open__failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as stream:
            stream.write("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_progress__drawn_only_on_a_terminal_after_the_delay():
    class Tty(list):
        def write(self, text):
            self.append(text)

        def flush(self):
            pass

        def isatty(self):
            return True

    tty = Tty()
    bar = Progress(100, "big.fgb", tty, delay=0.0)
    bar(50)
    bar.close()
    assert "50%" in "".join(tty) and tty[-1] == "\r\033[K"
    quiet = Tty()
    late = Progress(100, "big.fgb", quiet, delay=3600)
    late(50)
    late.close()
    assert quiet == []


# -- the table for people -----------------------------------------------------------


def test_table_writer__long_or_multiline_names_keep_the_columns():
    stream = io.StringIO()
    writer = TableWriter(stream, file_width=len("f.geojson"))
    for name in ("short", "n" * 60, "two\nlines"):
        writer.row(FeatureRow("f.geojson", name, "LineString", 12.5))
    summary = FileSummary("f.geojson", "f", "EPSG:4326", features=3, measured=3, length_km=37.5)
    writer.close([summary])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 + 3 + 1
    # every row puts the length in the same column as the header's "length_km"
    end = lines[0].index("length_km") + len("length_km")
    assert all(line[:end].endswith("12.500") for line in lines[1:4])
    assert "n" * (TableWriter._FEATURE - 1) + "…" in lines[2]
    assert "two lines" in lines[3]


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
