"""The `transcaspian build` command, end to end, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from transcaspian.network.records import LAYERS

GEOJSON_FILES = [*LAYERS, "places", "routes"]


def run(*args: str, cwd: Path, hash_seed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-m", "transcaspian", *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )


@pytest.fixture(scope="module")
def build_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    cwd = tmp_path_factory.mktemp("cwd")
    return run("build", cwd=cwd), cwd


def test_build__writes_every_layer_into_outputs(build_run):
    result, cwd = build_run
    assert result.returncode == 0, result.stderr
    for name in GEOJSON_FILES:
        assert (cwd / "outputs" / "layers" / f"{name}.geojson").is_file()


def test_build__prints_a_summary_table(build_run):
    result, _ = build_run
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["layer", "id", "km"]
    assert any(line.split()[:2] == ["btc_pipeline", "btc"] for line in lines)
    # routes are named by the id the maps' deep links take (index.html#btk_railway)
    assert any(line.split()[:2] == ["routes", "btk_railway"] for line in lines)


def test_build__geojson_reads_back_with_gdal(build_run):
    _, cwd = build_run
    for name in GEOJSON_FILES:
        path = cwd / "outputs" / "layers" / f"{name}.geojson"
        info = pyogrio.read_info(path)
        assert info["crs"] == "EPSG:4326"
        doc = json.loads(path.read_text())
        assert info["features"] == len(doc["features"]) > 0
        assert "crs" not in doc


def test_build__leg_features_carry_ids_and_lengths(build_run):
    _, cwd = build_run
    doc = json.loads((cwd / "outputs" / "layers" / "fiber.geojson").read_text())
    feature = next(f for f in doc["features"] if f["id"] == "fiber_aktau_sumgayit")
    props = feature["properties"]
    assert props["id"] == "fiber_aktau_sumgayit"
    for key in ("name", "layer", "mode", "status", "route_accuracy", "length_km", "country_lengths_km", "sources"):
        assert key in props
    assert props["mode"] == "subsea_cable"
    assert sum(props["country_lengths_km"].values()) == pytest.approx(props["length_km"], abs=0.01)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_build__is_byte_identical_in_another_process(tmp_path: Path, build_run):
    # Another interpreter with another hash seed: set and dict orders, ids and
    # caches that one process shares with itself cannot make the files agree.
    _, cwd = build_run
    result = run("build", "--out", str(tmp_path / "again"), cwd=tmp_path, hash_seed="12345")
    assert result.returncode == 0, result.stderr
    first, second = _tree(cwd / "outputs"), _tree(tmp_path / "again")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert (cwd / "outputs" / "SHA256SUMS").read_bytes() == (tmp_path / "again" / "SHA256SUMS").read_bytes()


def test_build__bad_geodata_gives_one_line_and_exit_1(tmp_path: Path, mini_geodata: Path):
    places = mini_geodata / "places" / "places.toml"
    places.write_text(places.read_text().replace("lat = 41.71", "lat = 141.71"))
    result = run("build", "--geodata", str(mini_geodata), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "places/places.toml: place 'tbilisi': field 'lat': 141.71 is out of range" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_build__geodata_path_problems_are_one_usage_error_naming_the_path(tmp_path: Path, kind: str):
    # Missing or a file: the same exit status (2), one line, the path named.
    path = {"missing": tmp_path / "nope", "file": tmp_path / "geodata.toml", "empty": ""}[kind]
    if kind == "file":
        path.write_text("")
    result = run("build", "--geodata", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("transcaspian: error: --geodata ")
    assert (str(path) if kind != "empty" else '""') in result.stderr
    assert not (tmp_path / "out").exists()


def test_build__empty_out_names_itself(tmp_path: Path):
    result = run("build", "--out", "", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith('transcaspian: error: --out "": ')


def test_build__misspelt_option_hint_reads_as_sentences(tmp_path: Path):
    result = run("build", "--ou", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "?;" not in result.stderr and ".." not in result.stderr
    assert result.stderr.rstrip().endswith("See 'transcaspian build --help'.")


def test_show_versions_names_gdal_proj_geos(tmp_path: Path):
    result = run("--show-versions", cwd=tmp_path)
    assert result.returncode == 0
    names = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert {"transcaspian", "GDAL", "PROJ", "GEOS", "pyproj", "shapely"} <= set(names)
    assert run("--version", cwd=tmp_path).stdout.startswith("transcaspian, version ")


def test_quiet_keeps_stderr_to_warnings(tmp_path: Path):
    line = {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[49, 40], [50, 41]]}}
    (tmp_path / "l.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [line]}))
    loud = run("measure", "l.geojson", "--format", "csv", "-o", "a.csv", cwd=tmp_path)
    quiet = run("-q", "measure", "l.geojson", "--format", "csv", "-o", "b.csv", cwd=tmp_path)
    assert loud.returncode == quiet.returncode == 0, loud.stderr + quiet.stderr
    assert loud.stderr == "transcaspian: wrote a.csv: 1 feature measured, total 139.699 km\n"
    assert quiet.stderr == ""
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize("command", ["measure", "map"])
def test_empty_file_name_is_a_usage_error_that_says_so(tmp_path: Path, command: str):
    result = run(command, "", *(["-o", "x.html"] if command == "map" else []), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith('transcaspian: error: "" is an empty file name; ')


def test_shapefile_without_its_index_says_how_to_restore_it(tmp_path: Path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.LineString([(49, 40), (50, 41)])], crs=4326).to_file(tmp_path / "s.shp")
    (tmp_path / "s.shx").unlink()
    result = run("measure", "s.shp", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "s.shp: its index s.shx is missing" in result.stderr
    assert "ogr2ogr --config SHAPE_RESTORE_SHX YES fixed.shp s.shp" in result.stderr


def test_measure_table__says_where_clipped_ids_are_whole(tmp_path: Path):
    long_id = "aktau_sumgayit_fiber_optic_cable_segment_2"
    line = {"type": "Feature", "properties": {"id": long_id}, "geometry": {"type": "LineString", "coordinates": [[49, 40], [50, 41]]}}
    (tmp_path / "l.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [line]}))
    table = run("measure", "l.geojson", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert long_id not in table.stdout
    assert table.stdout.splitlines()[-1] == "(1 feature id longer than 24 characters clipped with '…'; --format csv or json print them whole)"
    assert long_id in run("measure", "l.geojson", "--format", "csv", cwd=tmp_path).stdout


def test_measure__skip_invalid_measures_the_rest_and_lists_what_it_left_out(tmp_path: Path):
    def feature(fid: str, lon: float) -> dict:
        return {"type": "Feature", "properties": {"id": fid}, "geometry": {"type": "LineString", "coordinates": [[49, 40], [lon, 41]]}}

    features = [feature("ok", 50), feature("bad", 500), feature("ok2", 50)]
    (tmp_path / "l.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    stopped = run("measure", "l.geojson", cwd=tmp_path)
    assert stopped.returncode == 1 and "feature 'bad'" in stopped.stderr and stopped.stdout == ""
    result = run("measure", "l.geojson", "--skip-invalid", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [f["feature"] for f in doc["features"]] == ["ok", "ok2"]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "skipped 1 invalid feature (feature 'bad': coordinate (500, 41) is out of range" in warnings[0]


@pytest.mark.parametrize("crs", [4326, 32639])
def test_measure_geojson__keeps_heights(tmp_path: Path, crs: int):
    import geopandas as gpd
    import shapely

    line = shapely.LineString([(49, 40, -12.5), (50, 41, -30.25)])
    gpd.GeoDataFrame({"id": ["z"]}, geometry=[line], crs=4326).to_crs(crs).to_file(tmp_path / "z.gpkg")
    result = run("measure", "z.gpkg", "--format", "geojson", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    coords = json.loads(result.stdout)["features"][0]["geometry"]["coordinates"]
    assert [c[2] for c in coords] == [-12.5, -30.25]
    assert [c[:2] for c in coords] == [[49.0, 40.0], [50.0, 41.0]]
