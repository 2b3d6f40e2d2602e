"""GDAL VRTs, virtual file systems and service files are refused (issue 9, item 2).

Found: an XML VRT saved as ``cables.gpkg``, ``survey.geojson`` or
``route.shp`` made ``measure`` and ``map`` read any local file (``/etc/passwd``)
into their output; ``/vsicurl/`` paths and VRTs naming URLs made the tool
fetch from the network. The check is on the content and the driver GDAL
picked, never the extension.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import CASPIAN, assert_ok, assert_one_line_error, cli, line_feature, write_geojson

SECRET = "TOP-SECRET-LINE"


def secret_csv(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text(f"WKT,name\n\"LINESTRING (50 40, 51 41)\",{SECRET}\n")
    return path


def vrt(source: str, layer: str = "secret") -> str:
    return (
        "<OGRVRTDataSource><OGRVRTLayer name=\"leak\">"
        f"<SrcDataSource>{source}</SrcDataSource><SrcLayer>{layer}</SrcLayer>"
        "<GeometryType>wkbLineString</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        "<GeometryField encoding=\"WKT\" field=\"WKT\"/>"
        "</OGRVRTLayer></OGRVRTDataSource>"
    )


DISGUISES = ["cables.gpkg", "survey.geojson", "route.shp", "data.fgb", "table.csv", "noextension", "x.kml", "layer.vrt"]
PREFIXES = ["", '<?xml version="1.0" encoding="UTF-8"?>\n', "\ufeff", "   \n\t", "<!-- a comment -->\n"]


@pytest.mark.parametrize("command", ["map", "measure"])
@pytest.mark.parametrize("name", DISGUISES)
def test_vrt_is_refused_whatever_its_extension(tmp_path: Path, command: str, name: str):
    source = secret_csv(tmp_path)
    disguised = tmp_path / name
    disguised.write_text(vrt(str(source)), encoding="utf-8")
    out = tmp_path / "out.txt"
    run = cli(command, disguised, "-o", out)
    line = assert_one_line_error(run, codes=(1,), mentions=str(disguised))
    assert "VRT" in line and "--allow-vrt" in line
    assert not out.exists()
    assert SECRET not in run.stdout


@pytest.mark.parametrize("prefix", PREFIXES)
def test_vrt_behind_a_prolog_bom_or_comment_is_refused(tmp_path: Path, prefix: str):
    disguised = tmp_path / "cables.gpkg"
    disguised.write_text(prefix + vrt(str(secret_csv(tmp_path))), encoding="utf-8")
    run = cli("measure", disguised, "--format", "json")
    assert_one_line_error(run, codes=(1,), mentions="VRT")
    assert SECRET not in run.stdout


def test_vrt_reading_etc_passwd_is_refused(tmp_path: Path):
    disguised = tmp_path / "route.geojson"
    disguised.write_text(vrt("/etc/passwd", "passwd"))
    run = cli("map", disguised, "-o", tmp_path / "o.html")
    assert_one_line_error(run, codes=(1,))
    assert not (tmp_path / "o.html").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/vsicurl/http://127.0.0.1:9/x.geojson",
        "/vsicurl_streaming/https://example.invalid/x.geojson",
        "/vsis3/bucket/x.gpkg",
        "/vsizip//vsicurl/http://127.0.0.1:9/x.zip/x.shp",
        "/vsimem/x.geojson",
        "/vsistdin/",
        "WFS:http://127.0.0.1:9/wfs",
        "PG:dbname=x",
        "GPKG:/etc/passwd:layer",
    ],
)
@pytest.mark.parametrize("command", ["map", "measure"])
def test_virtual_file_systems_and_connection_strings_are_refused(tmp_path: Path, command: str, path: str):
    run = cli(command, path, "-o", tmp_path / "o.txt")
    line = assert_one_line_error(run, codes=(1,))
    assert "refuse" in line or "local" in line
    assert not (tmp_path / "o.txt").exists()


def test_vrt_naming_a_url_is_refused_even_with_the_opt_in(tmp_path: Path):
    disguised = tmp_path / "remote.vrt"
    disguised.write_text(vrt("/vsicurl/http://127.0.0.1:9/x.csv", "x"))
    run = cli("measure", disguised, "--allow-vrt")
    assert_one_line_error(run, codes=(1,), mentions="URL")
    disguised.write_text(vrt("CSV:http://127.0.0.1:9/x.csv", "x"))
    assert_one_line_error(cli("measure", disguised, "--allow-vrt"), codes=(1,))


def test_wfs_service_description_is_refused(tmp_path: Path):
    path = tmp_path / "service.geojson"
    path.write_text("<OGRWFSDataSource><URL>http://127.0.0.1:9/wfs</URL></OGRWFSDataSource>")
    assert_one_line_error(cli("measure", path), codes=(1,), mentions="network")


def test_local_vrt_is_read_with_the_opt_in(tmp_path: Path):
    lines = write_geojson(tmp_path / "lines.geojson", [line_feature(CASPIAN, name="a")])
    local = tmp_path / "local.vrt"
    local.write_text(
        f"<OGRVRTDataSource><OGRVRTLayer name=\"lines\"><SrcDataSource>{lines}</SrcDataSource>"
        "<SrcLayer>lines</SrcLayer></OGRVRTLayer></OGRVRTDataSource>"
    )
    assert_one_line_error(cli("measure", local), codes=(1,))
    run = cli("measure", local, "--allow-vrt", "--format", "csv")
    assert_ok(run)
    assert len(run.stdout.splitlines()) == 2
