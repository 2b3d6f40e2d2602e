"""write_frame: the same files as pyogrio.write_dataframe, byte for byte, without its per-call pandas work."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import transcaspian.outputs.gdal as gdal
from transcaspian.outputs.gdal import gdal_config, write_frame

DRIVERS = {"GPKG": "gpkg", "FlatGeobuf": "fgb", "CSV": "csv", "LIBKML": "kml", "GeoJSON": "geojson"}
#: The options the build writes each format with (the CSV driver stores geometry only as asked).
OPTIONS = {"CSV": {"layer_options": {"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES"}}, "FlatGeobuf": {"layer_options": {"SPATIAL_INDEX": "YES"}}}


def sample(geometries=None, **extra) -> gpd.GeoDataFrame:
    geometries = geometries or [shapely.LineString([(49.8, 40.4), (51.2, 43.6)]), shapely.LineString([(50.5, 40.1), (50.6, 40.2)]), shapely.LineString([(50.0, 40.0), (52.0, 41.0), (53.0, 42.5)])]
    n = len(geometries)
    columns = {
        "id": [f"leg_{i}" for i in range(n)],
        "name": (["=HYPERLINK(\"x\")", "]]> <b>bold</b> {{ 6*7 }}", None] * n)[:n],
        "length_km": ([12.5, float("nan"), 1e-9] * n)[:n],
        "count": np.arange(n, dtype=np.int64),
        "open": ([True, False, True] * n)[:n],
        **extra,
    }
    return gpd.GeoDataFrame(columns, geometry=geometries, crs="EPSG:4326")


def both(tmp_path: Path, frame: pd.DataFrame, driver: str, **options) -> tuple[bytes, bytes]:
    """The file written by write_frame and by pyogrio.write_dataframe, with the same layer name and options."""
    out = []
    options = {**OPTIONS.get(driver, {}), **options}
    for name, write in (("ours", write_frame), ("pyogrio", pyogrio.write_dataframe)):
        path = tmp_path / name / f"layer.{DRIVERS[driver]}"
        path.parent.mkdir(parents=True)
        with gdal_config({"OGR_CURRENT_DATE": "2026-12-02T00:00:00.000Z"}):
            write(frame, path, layer="layer", driver=driver, **options)
        out.append(path.read_bytes())
    return out[0], out[1]


@pytest.mark.parametrize("driver", DRIVERS)
def test_write_frame__same_bytes_as_write_dataframe(tmp_path, driver):
    ours, theirs = both(tmp_path, sample(), driver, geometry_type="LineString")
    assert ours == theirs


@pytest.mark.parametrize("driver", ["GPKG", "CSV"])
def test_write_frame__geometry_type_found_as_write_dataframe_finds_it(tmp_path, driver):
    points = sample([shapely.Point(49.8, 40.4), shapely.Point(50.0, 40.0)])
    ours, theirs = both(tmp_path, points, driver)  # no geometry_type given
    assert ours == theirs


@pytest.mark.parametrize("driver", ["GPKG", "CSV", "GeoJSON"])
def test_write_frame__a_missing_geometry(tmp_path, driver):
    frame = sample([shapely.LineString([(49.8, 40.4), (51.2, 43.6)]), None])
    ours, theirs = both(tmp_path, frame, driver, geometry_type="LineString")
    assert ours == theirs


def test_write_frame__a_table_without_geometry(tmp_path):
    table = pd.DataFrame({"claim": ["a", "=1+1", None], "value_km": [1.0, 2.5, float("nan")]})
    ours, theirs = both(tmp_path, table, "GPKG")
    assert ours == theirs


@pytest.mark.parametrize(
    "frame",
    [
        sample(when=pd.to_datetime(["2026-01-01", "2026-02-01", None], utc=True)),  # dates and times: write_dataframe's own conversion
        sample(label=pd.array(["a", None, "c"], dtype="string")),  # an extension array
        sample([shapely.LineString([(0, 0), (1, 1)]), shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])]),  # single and multi parts
        sample([shapely.LineString([(0, 0, 5), (1, 1, 6)]), shapely.LineString([(2, 2, 1), (3, 3, 2)])]),  # 3D
    ],
    ids=["datetimes", "extension-array", "mixed-single-multi", "3d"],
)
def test_write_frame__what_it_does_not_convert_goes_through_write_dataframe(tmp_path, frame):
    assert gdal._direct_arrays(frame, None) is None
    ours, theirs = both(tmp_path, frame, "GPKG")
    assert ours == theirs


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), min_size=1, max_size=4), st.sampled_from(["GPKG", "CSV", "FlatGeobuf"]))
def test_write_frame__any_text_same_bytes(tmp_path_factory, texts, driver):
    tmp = tmp_path_factory.mktemp("text")
    geometries = [shapely.Point(49.0 + i, 40.0) for i in range(len(texts))]
    frame = gpd.GeoDataFrame({"text": pd.Series(texts, dtype=object)}, geometry=geometries, crs="EPSG:4326")
    try:
        ours, theirs = both(tmp, frame, driver, geometry_type="Point")
    except Exception as error:  # text GDAL refuses (a NUL, say) must be refused the same way by both
        with pytest.raises(type(error)):
            both(tmp_path_factory.mktemp("again"), frame, driver, geometry_type="Point")
        return
    assert ours == theirs
