"""Users' own files: reading any vector format, measuring, checking, bad input.

Covers :mod:`transcaspian.userfiles` (the reader ``map``, ``measure`` and
``check --file`` share) and the three commands as a user runs them; the
units of :mod:`transcaspian.measurefile` and :mod:`transcaspian.layercheck`
are tested in their own files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod, Transformer

from transcaspian.cli import main
from transcaspian.errors import DataError, UsageError
from transcaspian.userdata.batches import UserFileWarning
from transcaspian.userdata.opening import open_vector
from transcaspian.userdata.reading import read_vector

#: An independent ellipsoid object, so expected values do not share state with the code.
WGS84 = Geod(ellps="WGS84")
#: Aktau -> offshore -> Sumgayit, lon/lat degrees.
CABLE = [(51.17, 43.65), (50.3, 42.0), (49.65, 40.59)]
#: Baku -> Tbilisi -> Kars (roughly), lon/lat degrees; crosses AZE and GEO.
RAIL = [(49.87, 40.41), (47.0, 41.2), (44.8, 41.7), (43.1, 40.6)]


def geodesic_km(coords) -> float:
    """Expected length: one Geod.inv per segment, summed."""
    xy = np.asarray(coords, dtype=float)
    return sum(WGS84.inv(a[0], a[1], b[0], b[1])[2] for a, b in zip(xy[:-1], xy[1:])) / 1000


def feature(geometry, **props) -> dict:
    geom = None if geometry is None else json.loads(shapely.to_geojson(geometry))
    return {"type": "Feature", "properties": props, "geometry": geom}


def write_geojson(path: Path, features: list[dict], **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}))
    return path


def lines_file(tmp_path: Path, name: str = "lines.geojson") -> Path:
    return write_geojson(
        tmp_path / name,
        [
            feature(shapely.LineString(CABLE), name="cable"),
            feature(shapely.LineString(RAIL), name="rail"),
        ],
    )


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- known answers ---------------------------------------------------------------------


def test_measure__published_geographiclib_distance(tmp_path):
    # GeographicLib's documented example: JFK to LHR is 5551.759400319 km on WGS84.
    path = write_geojson(tmp_path / "jfk_lhr.geojson", [feature(shapely.LineString([(-73.8, 40.6), (-0.5, 51.6)]))])
    result = invoke("measure", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["features"][0]["length_km"] == pytest.approx(5551.759, abs=1e-3)


def test_measure__one_degree_of_equator(tmp_path):
    path = write_geojson(tmp_path / "eq.geojson", [feature(shapely.LineString([(0, 0), (1, 0)]))])
    doc = json.loads(invoke("measure", str(path), "--format", "json").stdout)
    assert doc["totals"]["length_km"] == pytest.approx(111.319491, abs=1e-3)


CRS_CASES = [
    ("EPSG:4326", "GeoJSON", "lines.geojson"),
    ("EPSG:4326", "GPKG", "lines.gpkg"),
    ("EPSG:3857", "GPKG", "lines.gpkg"),
    ("EPSG:3857", "FlatGeobuf", "lines.fgb"),
    ("EPSG:32639", "ESRI Shapefile", "lines.shp"),
    ("EPSG:32639", "GeoJSON", "lines.geojson"),
    ("EPSG:32639", "GeoParquet", "lines.parquet"),
]


def write_frame(frame: gpd.GeoDataFrame, path: Path, driver: str) -> Path:
    if driver == "GeoParquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path, driver=driver)
    return path


@pytest.mark.parametrize(("crs", "driver", "name"), CRS_CASES, ids=[f"{c}-{d}" for c, d, _ in CRS_CASES])
def test_measure__known_lengths_in_any_crs(tmp_path, crs, driver, name):
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lines = [shapely.LineString(np.column_stack(to_crs.transform(*np.array(c).T))) for c in (CABLE, RAIL)]
    frame = gpd.GeoDataFrame({"name": ["cable", "rail"]}, geometry=lines, crs=crs)
    path = write_frame(frame, tmp_path / name, driver)
    result = invoke("measure", str(path), "--format", "json", "--id-field", "name")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    got = {f["feature"]: f["length_km"] for f in doc["features"]}
    # Projected round trips are exact to well under a metre.
    assert got["cable"] == pytest.approx(geodesic_km(CABLE), abs=2e-3)
    assert got["rail"] == pytest.approx(geodesic_km(RAIL), abs=2e-3)
    assert doc["totals"]["length_km"] == pytest.approx(geodesic_km(CABLE) + geodesic_km(RAIL), abs=4e-3)
    assert doc["files"][0]["crs"] == crs


def test_measure__assume_crs_for_a_file_without_one(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32639", always_xy=True)
    line = shapely.LineString(np.column_stack(to_utm.transform(*np.array(CABLE).T)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "crs was not provided": that is the point
        path = write_frame(gpd.GeoDataFrame(geometry=[line], crs=None), tmp_path / "nocrs.fgb", "FlatGeobuf")
    result = invoke("measure", str(path), "--assume-crs", "EPSG:32639", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["length_km"] == pytest.approx(geodesic_km(CABLE), abs=2e-3)


def test_measure__polygon_perimeter_counts_every_ring(tmp_path):
    outer = [(50, 40), (51, 40), (51, 41), (50, 41), (50, 40)]
    hole = [(50.4, 40.4), (50.6, 40.4), (50.6, 40.6), (50.4, 40.4)]
    path = write_geojson(tmp_path / "poly.geojson", [feature(shapely.Polygon(outer, [hole]))])
    doc = json.loads(invoke("measure", str(path), "--format", "json").stdout)
    assert doc["features"][0]["geometry_type"] == "Polygon"
    assert doc["features"][0]["length_km"] == pytest.approx(geodesic_km(outer) + geodesic_km(hole), abs=1e-3)


def test_measure__multipart_lines_do_not_join_their_parts(tmp_path):
    a, b = [(50, 40), (50.5, 40)], [(52, 42), (52, 43)]
    path = write_geojson(tmp_path / "multi.geojson", [feature(shapely.MultiLineString([a, b]))])
    doc = json.loads(invoke("measure", str(path), "--format", "json").stdout)
    assert doc["features"][0]["length_km"] == pytest.approx(geodesic_km(a) + geodesic_km(b), abs=1e-3)


def test_measure__mixed_types_measured_where_they_have_length(tmp_path):
    collection = shapely.GeometryCollection([shapely.Point(50, 40), shapely.LineString(CABLE)])
    path = write_geojson(
        tmp_path / "mixed.geojson",
        [
            feature(shapely.LineString(RAIL), name="rail"),
            feature(shapely.Point(49.9, 40.4), name="baku"),
            feature(shapely.MultiPoint([(50, 40), (51, 41)]), name="buoys"),
            feature(collection, name="bundle"),
        ],
    )
    result = invoke("measure", str(path), "--format", "json", "--id-field", "name")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    rows = {f["feature"]: f for f in doc["features"]}
    assert rows["baku"]["length_km"] is None and rows["baku"]["geometry_type"] == "Point"
    assert rows["buoys"]["length_km"] is None
    assert rows["bundle"]["length_km"] == pytest.approx(geodesic_km(CABLE), abs=1e-3)
    assert doc["totals"]["measured"] == 2 and doc["totals"]["not_measured"] == 2
    table = invoke("measure", str(path), "--id-field", "name").stdout
    assert "baku" in table and "not measured" in table
    assert "2 features measured, 2 not measured" in table


def test_measure__feature_without_geometry_is_skipped_with_a_warning(tmp_path):
    path = write_geojson(
        tmp_path / "gap.geojson",
        [feature(shapely.LineString(CABLE), name="cable"), feature(None, name="ghost")],
    )
    result = invoke("measure", str(path), "--format", "csv", "--id-field", "name")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [f"{path},cable,LineString,{geodesic_km(CABLE):.3f}"]
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning == [f"transcaspian: warning: {path}: skipped 1 feature without geometry (feature 'ghost')"]


def test_measure__several_files_and_table_total(tmp_path):
    a = lines_file(tmp_path, "a.geojson")
    b = write_geojson(tmp_path / "b.geojson", [feature(shapely.LineString(CABLE))])
    result = invoke("measure", str(a), str(b))
    assert result.exit_code == 0
    last = result.stdout.splitlines()[-1]
    assert last.startswith("total: 3 features measured")
    assert last.split()[-1] == f"{2 * geodesic_km(CABLE) + geodesic_km(RAIL):,.3f}"


def test_measure__by_country_parts_add_up(tmp_path):
    path = lines_file(tmp_path)
    outside = shapely.LineString([(-5, 50), (-3, 50)])  # the English Channel, far from the Caspian: boundaries cover the world
    write_geojson(path, [feature(shapely.LineString(RAIL), name="rail"), feature(outside, name="far")])
    doc = json.loads(invoke("measure", str(path), "--format", "json", "--by-country", "--id-field", "name").stdout)
    rows = {f["feature"]: f for f in doc["features"]}
    parts = rows["rail"]["country_lengths_km"]
    assert {"AZE", "GEO"} <= set(parts)
    assert sum(parts.values()) == pytest.approx(rows["rail"]["length_km"], abs=0.01)
    assert set(rows["far"]["country_lengths_km"]) == {"sea"}
    assert doc["totals"]["country_lengths_km"]["AZE"] == parts["AZE"]


# -- outputs ------------------------------------------------------------------------


def test_measure__geojson_round_trip(tmp_path):
    source = tmp_path / "in.gpkg"
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32639", always_xy=True)
    lines = [shapely.LineString(np.column_stack(to_utm.transform(*np.array(c).T))) for c in (CABLE, RAIL)]
    frame = gpd.GeoDataFrame({"name": ["cable", "rail"], "kind": ["fiber", "rail"], "length_km": [1.0, 2.0]}, geometry=lines, crs=32639)
    frame.to_file(source, driver="GPKG")
    out = tmp_path / "out" / "measured.geojson"
    result = invoke("measure", str(source), "--format", "geojson", "--id-field", "name", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    doc = json.loads(out.read_text())
    assert "crs" not in doc
    assert [f["id"] for f in doc["features"]] == ["cable", "rail"]
    props = doc["features"][0]["properties"]
    assert props["kind"] == "fiber" and props["name"] == "cable"
    assert props["length_km"] == round(geodesic_km(CABLE), 3)  # replaced, not the input's 1.0
    assert doc["features"][0]["geometry"]["coordinates"][0] == pytest.approx(list(CABLE[0]), abs=1e-6)
    back = read_vector(out)
    assert back.crs.to_epsg() == 4326 and list(back["name"]) == ["cable", "rail"]
    again = json.loads(invoke("measure", str(out), "--format", "json").stdout)
    assert again["totals"]["length_km"] == pytest.approx(geodesic_km(CABLE) + geodesic_km(RAIL), abs=2e-3)
    assert not list(out.parent.glob(".*.tmp"))


def test_measure__csv_and_json_agree(tmp_path):
    path = lines_file(tmp_path)
    csv_rows = invoke("measure", str(path), "--format", "csv").stdout.splitlines()
    doc = json.loads(invoke("measure", str(path), "--format", "json").stdout)
    assert csv_rows[0] == "file,feature,geometry_type,length_km"
    assert [float(r.split(",")[-1]) for r in csv_rows[1:]] == [f["length_km"] for f in doc["features"]]


# -- the shared reader ------------------------------------------------------------------


def test_read_vector__geoparquet_in_utm_comes_back_in_wgs84(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32639", always_xy=True)
    line = shapely.LineString(np.column_stack(to_utm.transform(*np.array(CABLE).T)))
    path = write_frame(gpd.GeoDataFrame({"name": ["cable"]}, geometry=[line], crs=32639), tmp_path / "c.parquet", "GeoParquet")
    frame = read_vector(path)
    assert frame.crs.to_epsg() == 4326
    np.testing.assert_allclose(shapely.get_coordinates(frame.geometry.iloc[0]), CABLE, atol=1e-7)
    assert list(frame["name"]) == ["cable"]


def test_read_vector__skips_features_without_geometry_with_a_warning(tmp_path):
    path = write_geojson(tmp_path / "g.geojson", [feature(shapely.Point(50, 40), n=1), feature(None, n=2), feature(None, n=3)])
    with pytest.warns(UserFileWarning, match=r"skipped 2 features without geometry \(feature #2, feature #3\)"):
        frame = read_vector(path)
    assert list(frame["n"]) == [1]


def test_read_vector__picks_the_layer_of_a_geopackage(tmp_path):
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.LineString(CABLE)], crs=4326).to_file(path, layer="cable")
    gpd.GeoDataFrame({"a": [2]}, geometry=[shapely.LineString(RAIL)], crs=4326).to_file(path, layer="rail")
    assert list(read_vector(path, layer="rail")["a"]) == [2]


def test_read_vector__assume_crs_is_ignored_with_a_warning_when_the_file_has_one(tmp_path):
    path = tmp_path / "with_crs.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.LineString(CABLE)], crs=4326).to_file(path)
    with pytest.warns(UserFileWarning, match="--assume-crs EPSG:32639 is ignored"):
        read_vector(path, assume_crs="EPSG:32639")


# -- bad input: one table for measure, check --file and map ---------------------------------


def _text(name: str, text: str):
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(text)
        return path

    return make


def _geojson(name: str, features: list[dict], **extra):
    return lambda tmp: write_geojson(tmp / name, features, **extra)


def _frame(name: str, driver: str, crs=4326, geometries=None, layer=None):
    def make(tmp: Path) -> Path:
        frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=geometries or [shapely.LineString(CABLE)], crs=crs)
        path = tmp / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "crs was not provided"
            if layer:
                frame.to_file(path, driver=driver, layer=layer)
            else:
                frame.to_file(path, driver=driver)
        return path

    return make


def _two_layers(tmp: Path) -> Path:
    path = tmp / "two.gpkg"
    for name in ("cables", "pipes"):
        gpd.GeoDataFrame({"id": [name]}, geometry=[shapely.LineString(CABLE)], crs=4326).to_file(path, layer=name)
    return path


def _bad_prj(tmp: Path) -> Path:
    path = _frame("bad.shp", "ESRI Shapefile")(tmp)
    path.with_suffix(".prj").write_text('PROJCS["nonsense",FOO]')
    return path


def _folder(tmp: Path) -> Path:
    (tmp / "folder").mkdir()
    return tmp / "folder"


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.geojson"
    os.mkfifo(path)
    return path


def _binary(tmp: Path) -> Path:
    path = tmp / "random.gpkg"
    path.write_bytes(bytes(range(256)) * 8)
    return path


def _nan_line(tmp: Path) -> Path:
    path = tmp / "nan.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},'
        '"geometry":{"type":"LineString","coordinates":[[40,NaN],[41,10]]}}]}'
    )
    return path


def _curve(tmp: Path) -> Path:
    import struct

    import pyogrio.raw

    def wkb(kind: int, points) -> bytes:
        return struct.pack("<BII", 1, kind, len(points)) + b"".join(struct.pack("<dd", *p) for p in points)

    path = tmp / "arcs.gpkg"
    geometries = np.array([wkb(2, CABLE[:2]), wkb(8, CABLE)], dtype=object)  # LineString, CircularString
    pyogrio.raw.write(path, geometries, field_data=[np.array(["a", "b"], dtype=object)], fields=["id"], geometry_type="Unknown", crs="EPSG:4326", driver="GPKG")
    return path


LINE = feature(shapely.LineString(CABLE), id="a")
BAD_INPUTS = [
    # (case, make the file (tmp -> path or name), extra args, exit code, message fragments)
    ("missing file", lambda tmp: tmp / "nowhere.geojson", [], 1, ["no such file", "check the path"]),
    ("empty file", _text("empty.geojson", ""), [], 1, ["is empty (0 bytes)", "export the layer again"]),
    ("text that is not JSON", _text("notes.geojson", "pipeline from Baku to Ceyhan\n"), [], 1, ["is not valid JSON", "line 1, column 1"]),
    ("truncated JSON", _text("cut.geojson", '{"type": "FeatureCollection", "features": [\n{"type": "Feature"'), [], 1, ["is not valid JSON", "line 2"]),
    ("text in no format", _text("notes.txt", "pipeline from Baku to Ceyhan\n"), [], 1, ["no vector format GDAL knows", "starts 'pipeline from"]),
    ("binary in no format", _binary, [], 1, ["not a vector format GDAL can read", "convert it to GeoJSON"]),
    ("JSON that is not GeoJSON", _text("data.json", '{"pipelines": [1, 2]}'), [], 1, ["is JSON but not GeoJSON", "keys are pipelines"]),
    ("JSON of an unknown type", _text("data.json", '{"type": "Topology2"}'), [], 1, ["is JSON but not GeoJSON", '"type" is "Topology2"']),
    ("JSON array", _text("data.json", "[1, 2, 3]"), [], 1, ["is JSON but not GeoJSON", "JSON array"]),
    ("no features", _geojson("none.geojson", []), [], 1, ["has no features"]),
    ("no geometry at all", _geojson("nulls.geojson", [feature(None, id="a"), feature(None, id="b")]), [], 1, ["has no", "in its 2 features"]),
    ("latitude out of range", _geojson("far.geojson", [LINE, feature(shapely.LineString([(40, 20), (41, 95.5)]), id="b")]), [], 1, ["feature 'b'", "(41, 95.5) is out of range"]),
    ("longitude out of range", _geojson("far.geojson", [feature(shapely.LineString([(190, 20), (200, 95)]), id="a")]), [], 1, ["feature 'a'", "(190, 20) is out of range", "fix the coordinate"]),
    ("NaN coordinate", _nan_line, [], 1, ["feature 'a'", "is not a number"]),
    ("lat/lon swapped", _geojson("swapped.geojson", [feature(shapely.LineString([(40.4, 49.9), (41.7, 44.8), (41.0, 120.0)]), id="a")]), [], 1, ["feature 'a'", "look swapped", "longitude, latitude"]),
    ("metres read as degrees", _geojson("metres.geojson", [feature(shapely.LineString([(400000, 4500000), (410000, 4510000)]), id="a")]), [], 1, ["look like projected coordinates", "--assume-crs"]),
    ("no CRS", _frame("nocrs.fgb", "FlatGeobuf", crs=None), [], 1, ["has no coordinate reference system", "--assume-crs EPSG:4326"]),
    ("unknown CRS in a .prj", _bad_prj, [], 1, ["not one PROJ understands", "--assume-crs"]),
    ("unknown CRS in GeoJSON", _geojson("crs.geojson", [LINE], crs={"type": "name", "properties": {"name": "EPSG:99999"}}), [], 1, ["EPSG:99999", "PROJ does not know"]),
    ("unknown --assume-crs", _frame("nocrs.fgb", "FlatGeobuf", crs=None), ["--assume-crs", "EPSG:999999"], 2, ["--assume-crs 'EPSG:999999' is not a CRS PROJ knows"]),
    ("layer that does not exist", _two_layers, ["--layer", "cable"], 1, ["has no layer 'cable'", "'cables', 'pipes'", "--layer"]),
    ("several layers, none chosen", _two_layers, [], 1, ["has 2 layers ('cables', 'pipes')", "choose one with --layer"]),
    ("a folder", _folder, [], 1, ["is a folder, not a file"]),
    ("a FIFO", _fifo, [], 1, ["is not a regular file"]),
    ("CSV without geometry", _text("table.csv", "id,km\na,380\n"), ["--assume-crs", "EPSG:4326"], 1, ["has no geometry column", "WKT"]),
    ("line of one point", _text("one.geojson", '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"LineString","coordinates":[[50,40]]}}]}'), [], 1, ["feature 'a'", "geometry is invalid", "two points or more"]),
    ("curved geometry", _curve, [], 1, ["feature 'b'", "geometry is curved", "CONVERT_TO_LINEAR"]),
    ("unknown --id-field", _geojson("ok.geojson", [LINE]), ["--id-field", "nom"], 1, ["has no field 'nom'", "its fields: id", "--id-field"]),
]
COMMANDS = {
    # command -> (argv before the file, argv after, output path option: check prints only)
    "measure": (["measure"], ["--format", "csv"], "-o"),
    "map": (["map"], [], "-o"),
    "check": (["check", "--claims", "{claims}", "--file"], [], None),
}


def _claims(tmp: Path) -> Path:
    path = tmp / "claims.toml"
    path.write_text(
        '[[source]]\nid = "s"\npublisher = "P"\ntitle = "T"\nurl = "https://example.org"\ndate = "2024"\n\n'
        '[[claim]]\nid = "c"\nsubject = "a"\nmetric = "length"\nvalue = 380\nunit = "km"\nrole = "canonical"\nsource = "s"\n'
    )
    return path


def _command_args(command: str, tmp: Path, path: Path, extra: list[str], out: Path) -> list[str]:
    before, after, out_option = COMMANDS[command]
    before = [a.format(claims=_claims(tmp)) for a in before]
    return [*before, str(path), *after, *extra, *([out_option, str(out)] if out_option else [])]


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("case", "make", "extra", "code", "fragments"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input__one_line_error_naming_the_file_no_output(tmp_path, command, case, make, extra, code, fragments):
    path = make(tmp_path)
    out = tmp_path / "out" / "result.out"
    result = invoke(*_command_args(command, tmp_path, path, extra, out))
    lines = result.stderr.splitlines()
    if command == "check" and code == 1:
        code = 3  # check's exit status is a verdict: bad input is 3, told apart from a failed check (1)
    assert result.exit_code == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("transcaspian: error: ")
    if code in (1, 3):
        assert str(path) in lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists() and not (out.parent.exists() and list(out.parent.iterdir()))


def test_bad_input__unknown_format_is_a_usage_error(tmp_path):
    out = tmp_path / "x.out"
    result = invoke("measure", str(lines_file(tmp_path)), "--format", "xml", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip() == "transcaspian: error: --format 'xml' is not one of table, json, csv, geojson"
    assert not out.exists()


def test_bad_input__unreadable_file(tmp_path, monkeypatch):
    # Tests run as root, for whom chmod 000 changes nothing: make open() refuse instead.
    import transcaspian.userdata.opening as userfiles

    path = lines_file(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(userfiles, "open", refuse, raising=False)
    for command in ("measure", "map"):
        out = tmp_path / f"{command}.out"
        result = invoke(command, str(path), "-o", str(out))
        assert result.exit_code == 1
        assert result.stderr.strip() == f"transcaspian: error: {path}: cannot be read (permission denied); make it readable (chmod +r) or copy it somewhere you can read"
        assert not out.exists()


def test_bad_input__error_mid_file_leaves_no_output(tmp_path):
    good = [feature(shapely.LineString(CABLE), id=str(i)) for i in range(3000)]
    bad = feature(shapely.LineString([(40, 20), (41, 95)]), id="broken")
    path = write_geojson(tmp_path / "late.geojson", [*good, bad])
    out = tmp_path / "out.geojson"
    result = invoke("measure", str(path), "--format", "geojson", "--id-field", "id", "-o", str(out))
    assert result.exit_code == 1
    assert "feature 'broken'" in result.stderr
    assert list(tmp_path.iterdir()) == [path]
    result = invoke("measure", str(path), "--format", "csv")
    assert result.exit_code == 1 and result.stdout == ""


def test_bad_input__output_into_a_folder(tmp_path):
    result = invoke("measure", str(lines_file(tmp_path)), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_bad_input__real_process_prints_no_traceback(tmp_path):
    path = _text("notes.geojson", "not json")(tmp_path)
    result = subprocess.run([sys.executable, "-m", "transcaspian", "measure", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"transcaspian: error: {path}: is not valid JSON (Expecting value at line 1, column 1); fix the syntax or export the layer again as GeoJSON"]


def test_open_vector__errors_are_data_errors():
    with pytest.raises(DataError):
        open_vector("/nonexistent/file.geojson")
    with pytest.raises(UsageError):
        open_vector("/nonexistent/file.geojson", assume_crs="not a crs")


def test_scan__gdal_reads_what_we_write(tmp_path):
    # The fixtures above rely on GDAL writing a "crs" member for projected GeoJSON.
    frame = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=32639)
    frame.to_file(tmp_path / "p.geojson", driver="GeoJSON")
    assert pyogrio.read_info(tmp_path / "p.geojson")["crs"] == "EPSG:32639"


# -- check --file -----------------------------------------------------------------------

SOURCE = '[[source]]\nid = "survey"\npublisher = "Survey Co"\ntitle = "Route survey"\nurl = "https://example.org/survey"\ndate = "2024-01-01"\n'


def claim(cid: str, subject, value: float, role: str = "canonical", **extra) -> str:
    lines = [f'[[claim]]\nid = "{cid}"', f"subject = {json.dumps(subject)}", 'metric = "length"', f"value = {value}", 'unit = "km"', f'role = "{role}"', 'source = "survey"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def layer_and_claims(tmp_path: Path, *claims: str, features=None, name: str = "user.geojson") -> tuple[Path, Path]:
    layer = write_geojson(
        tmp_path / name,
        features
        or [
            feature(shapely.LineString(CABLE), ref="cable", route_accuracy="schematic"),
            feature(shapely.LineString(RAIL), ref="rail"),
            feature(shapely.Point(49.9, 40.4), ref="baku"),
        ],
    )
    claims_path = tmp_path / "claims.toml"
    claims_path.write_text(SOURCE + "\n".join(claims))
    return layer, claims_path


def test_check_layer__same_verdicts_and_exit_status_as_the_curated_check(tmp_path):
    cable, rail = geodesic_km(CABLE), geodesic_km(RAIL)
    layer, claims = layer_and_claims(
        tmp_path,
        claim("cable_ok", "cable", round(cable * 1.05)),  # schematic: -15 %/+10 %
        claim("rail_long", "rail", round(rail * 0.5), role="variant"),
        claim("both", ["cable", "rail"], round(cable + rail), role="headline"),
        claim("rail_geo", "rail", 150, role="variant", country="GEO"),
        claim("baku", "baku", 1, role="headline"),
    )
    result = invoke("check", "--file", str(layer), "--id-field", "ref", "--claims", str(claims), "--format", "json")
    assert result.exit_code == 0, result.stderr
    checks = {c["claim"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["cable_ok"]["verdict"] == "consistent" and checks["cable_ok"]["route_accuracy"] == "schematic"
    assert checks["cable_ok"]["measured_km"] == round(cable, 3)
    assert checks["rail_long"]["verdict"] == "impossible"  # shorter than end to end
    assert checks["both"]["verdict"] == "consistent" and checks["both"]["measured_km"] == pytest.approx(cable + rail, abs=1e-3)
    assert 0 < checks["rail_geo"]["measured_km"] < rail
    assert checks["baku"]["verdict"] == "not_checkable"


def test_check_layer__a_failed_canonical_claim_exits_1(tmp_path):
    layer, claims = layer_and_claims(tmp_path, claim("rail_short", "rail", round(geodesic_km(RAIL) * 1.5)))
    result = invoke("check", "--file", str(layer), "--id-field", "ref", "--claims", str(claims))
    assert result.exit_code == 1
    assert "trace_short" in result.stdout
    assert "rail_short" in result.stderr


def test_check_layer__claims_name_features_that_exist(tmp_path):
    layer, claims = layer_and_claims(tmp_path, claim("ghost", "pipeline", 100))
    result = invoke("check", "--file", str(layer), "--id-field", "ref", "--claims", str(claims))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert result.stderr.startswith(f"transcaspian: error: {claims}: claim 'ghost': field 'subject': no feature of the layer has id 'pipeline'")


def test_check_layer__ids_must_be_unique(tmp_path):
    twice = [feature(shapely.LineString(CABLE), id="x"), feature(shapely.LineString(RAIL), id="x")]
    layer, claims = layer_and_claims(tmp_path, claim("c", "x", 100), features=twice)
    result = invoke("check", "--file", str(layer), "--claims", str(claims))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert "id 'x' is used by features #1 and #2" in result.stderr


def test_check_layer__needs_an_id_field(tmp_path):
    layer, claims = layer_and_claims(tmp_path, claim("c", "cable", 100))
    result = invoke("check", "--file", str(layer), "--claims", str(claims))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert "has no 'id' field" in result.stderr and "--id-field" in result.stderr


def test_check_layer__bad_route_accuracy_names_feature_and_field(tmp_path):
    bad = [feature(shapely.LineString(CABLE), id="c", route_accuracy="guessed")]
    layer, claims = layer_and_claims(tmp_path, claim("c", "c", 100), features=bad)
    result = invoke("check", "--file", str(layer), "--claims", str(claims))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert "feature 'c': field 'route_accuracy': is 'guessed'" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--file", "x.geojson"], ["--id-field", "ref"], ["--file", "x.geojson", "--claims", "{claims}", "--geodata", "."]],
)
def test_check_layer__usage_errors(tmp_path, args):
    _, claims = layer_and_claims(tmp_path, claim("c", "cable", 100))
    result = invoke("check", *[a.format(claims=claims) for a in args])
    assert result.exit_code == 2
    assert result.stderr.startswith("transcaspian: error: --")
