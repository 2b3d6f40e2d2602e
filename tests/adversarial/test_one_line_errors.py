"""One line on stderr, never a traceback (issue 9, items 8-10).

Found tracebacks for: an unreadable file inside ``--out``, a ``.prj`` with
a local engineering CRS, deeply nested JSON, a huge ``SOURCE_DATE_EPOCH``,
``{%`` text; feature ids reached the terminal with their escape codes;
library code raised click's UsageError.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from hostile import CASPIAN, assert_ok, assert_one_line_error, cli, line_feature, write_geojson

SRC = Path(__file__).resolve().parents[2] / "src" / "transcaspian"


@pytest.mark.parametrize("value", ["99999999999999999999", "253402300800", "1" * 400, "-1", "1e9", "0x10", " ", "١٢٣"])
def test_bad_source_date_epoch(tmp_path: Path, mini_geodata: Path, value: str):
    out = tmp_path / "out"
    run = cli("build", "--geodata", mini_geodata, "--out", out, env={"SOURCE_DATE_EPOCH": value})
    if not value.strip():
        assert_ok(run)  # unset-like: no date
        return
    assert_one_line_error(run, codes=(2,), mentions="SOURCE_DATE_EPOCH")
    assert not out.exists()


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("command", ["map", "measure"])
def test_deeply_nested_json(tmp_path: Path, depth: int, command: str):
    deep = "[" * depth + "]" * depth
    path = tmp_path / "deep.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":' + deep + '},'
        '"geometry":{"type":"LineString","coordinates":[[50,40],[51,41]]}}]}'
    )
    run = cli(command, path, "-o", tmp_path / "o.txt")
    if run.exit_code == 0:
        return  # GDAL read it: fine, as long as nothing crashed
    assert_one_line_error(run, codes=(1,), mentions=str(path))


def test_deeply_nested_plain_json(tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    assert_one_line_error(cli("measure", path), codes=(1,), mentions="nested")


def test_deeply_nested_claims_toml(tmp_path: Path, mini_geodata: Path):
    claims = tmp_path / "claims.toml"
    claims.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    run = cli("check", "--geodata", mini_geodata, "--claims", claims)
    assert_one_line_error(run, codes=(1, 2, 3))  # check: 3 = an input could not be read


def test_local_engineering_crs_in_prj(tmp_path: Path):
    shp = tmp_path / "site.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.LineString([(0, 0), (1000, 1000)])]).to_file(shp)
    (tmp_path / "site.prj").write_text('LOCAL_CS["Site grid",LOCAL_DATUM["site",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]')
    for command in (["measure", shp], ["map", shp, "-o", tmp_path / "o.html"]):
        assert_one_line_error(cli(*command), codes=(1,), mentions="site.shp")
    assert not (tmp_path / "o.html").exists()


def test_garbage_prj(tmp_path: Path):
    shp = tmp_path / "g.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.LineString(CASPIAN)], crs=4326).to_file(shp)
    (tmp_path / "g.prj").write_text("{{ 6*7 }} not a CRS <script>")
    run = cli("measure", shp)
    if run.exit_code != 0:
        assert_one_line_error(run, codes=(1,), mentions="g.shp")


@pytest.mark.parametrize("text", ["a {% b", "{# c", "{{", "{% raw %}"])
def test_template_syntax_never_crashes(tmp_path: Path, text: str):
    src = write_geojson(tmp_path / "t.geojson", [line_feature(CASPIAN, name=text)])
    assert_ok(cli("map", src, "-o", tmp_path / "o.html", "--title", text))


def test_unreadable_and_special_files_inside_out_do_not_break_a_rebuild(tmp_path: Path, mini_geodata: Path):
    out = tmp_path / "out"
    assert_ok(cli("build", "--geodata", mini_geodata, "--out", out))
    (out / "report.md").chmod(0)
    (out / "locked").mkdir()
    (out / "locked" / "x").write_text("x")
    (out / "locked").chmod(0)
    os.mkfifo(out / "fifo")
    try:
        assert_ok(cli("build", "--geodata", mini_geodata, "--out", out))
    finally:
        (out / "locked").chmod(0o755)
    assert (out / "report.md").stat().st_mode & 0o444  # rewritten, readable again


@pytest.mark.parametrize("ident", ["\x1b[2J\x1b[31mred", "\x1b]0;pwned\x07", "a\rb", "\u202eevil", "nul\x00x", "\x9b31m"])
def test_control_characters_never_reach_the_terminal(tmp_path: Path, ident: str):
    src = write_geojson(tmp_path / "t.geojson", [line_feature(CASPIAN, id=ident)])
    run = cli("measure", src)
    assert_ok(run)
    for stream in (run.stdout, run.stderr):
        assert not any(ch in stream for ch in "\x1b\x07\r\x00\x9b\u202e")


def test_control_characters_in_a_file_name_never_reach_the_terminal(tmp_path: Path):
    src = write_geojson(tmp_path / "evil\x1b[31m.geojson", [line_feature(CASPIAN, id="a")])
    run = cli("measure", src)
    assert_ok(run)
    assert "\x1b" not in run.stdout + run.stderr
    bad = tmp_path / "missing\x1b]0;x\x07.geojson"
    run = cli("measure", bad)
    assert_one_line_error(run, codes=(1,))
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr


def test_library_code_raises_its_own_exceptions_not_clicks():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "cli" in path.relative_to(SRC).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                if any(n == "click" or n.startswith("click.") for n in names):
                    offenders.append(str(path.relative_to(SRC)))
    assert offenders == []
