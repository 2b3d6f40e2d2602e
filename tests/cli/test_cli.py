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


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "transcaspian", *args], cwd=cwd, capture_output=True, text=True, check=False
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
    assert lines[0].split() == ["layer", "leg", "km"]
    assert any(line.split()[:2] == ["btc_pipeline", "btc"] for line in lines)
    assert any("route:btk_railway" in line for line in lines)


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


def test_build__is_byte_identical_twice(tmp_path: Path, build_run):
    _, cwd = build_run
    result = run("build", "--out", str(tmp_path / "again"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in GEOJSON_FILES:
        rel = Path("layers") / f"{name}.geojson"
        assert (tmp_path / "again" / rel).read_bytes() == (cwd / "outputs" / rel).read_bytes(), rel


def test_build__bad_geodata_gives_one_line_and_exit_1(tmp_path: Path, mini_geodata: Path):
    places = mini_geodata / "places" / "places.toml"
    places.write_text(places.read_text().replace("lat = 41.71", "lat = 141.71"))
    result = run("build", "--geodata", str(mini_geodata), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "places/places.toml: place 'tbilisi': field 'lat': 141.71 is out of range" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_build__missing_geodata_dir(tmp_path: Path):
    result = run("build", "--geodata", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert "is not a geodata directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_build__unknown_option_is_a_usage_error(tmp_path: Path):
    result = run("build", "--frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    # one line naming the option and where to look, not click's usage banner
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("transcaspian: error: No such option '--frobnicate'")
    assert "transcaspian build --help" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nocommand"], "No such command 'nocommand'"),
        (["--bogus"], "No such option '--bogus'"),
        (["check", "--format", "xml"], "Invalid value for '--format'"),
        (["export"], "Missing option '--format'"),
        (["map", "x.geojson"], "Missing option '-o' / '--output'"),
        (["measure"], "Missing argument"),
    ],
)
def test_cli__usage_errors_are_one_line(tmp_path: Path, args: list[str], words: str):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and words in result.stderr
    assert result.stderr.startswith("transcaspian: error: ") and "Usage:" not in result.stderr
    assert result.stdout == ""


def test_build__out_is_a_file_is_a_usage_error(tmp_path: Path):
    (tmp_path / "taken").write_text("")
    result = run("build", "--out", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'taken' is a file" in result.stderr


def test_build__out_under_a_file_names_it_and_writes_nothing(tmp_path: Path):
    (tmp_path / "taken").write_text("")
    result = run("build", "--out", "taken/outputs", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "taken is a file, not a folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_build__bad_source_date_epoch_writes_nothing(tmp_path: Path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "tomorrow"}
    result = subprocess.run(
        [sys.executable, "-m", "transcaspian", "build", "--out", "out"], cwd=tmp_path, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "SOURCE_DATE_EPOCH" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli__interrupt_is_one_line_and_exit_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from transcaspian import pipeline
    from transcaspian.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_build", interrupted)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert result.stderr == "transcaspian: interrupted\n"
