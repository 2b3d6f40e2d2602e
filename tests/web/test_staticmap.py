"""Static images: the social card and the print SVG."""

from __future__ import annotations

import struct

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from transcaspian.cli import main
from transcaspian.measured import check_measured
from transcaspian.web.payload import network_payload
from transcaspian.web.staticmap import static_image


@pytest.fixture(scope="module")
def payload(measured):
    return network_payload(check_measured(measured), lang="kk")


def test_card__1200_by_630_png_deterministic(payload):
    png = static_image(payload)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 630)
    assert static_image(payload) == png


def test_svg__text_as_text_title_legend_scale_attribution(payload):
    svg = static_image(payload, fmt="svg").decode("utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert all(word in svg for word in payload["title"].split())  # in the page's language, as text (wrapped)
    for section in payload["legend"]:
        assert section["title"] in svg
    assert " km</text>" in svg or " km<" in svg
    assert "Natural Earth" in svg and "OpenStreetMap" in svg
    assert static_image(payload, fmt="svg").decode("utf-8") == svg


def test_static_image__unknown_format_refused(payload):
    with pytest.raises(ValueError, match="png or svg"):
        static_image(payload, fmt="gif")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_map_command__format_png_svg(tmp_path, fmt):
    frame = gpd.GeoDataFrame([{"name": "{{ 6*7 }} <b>x</b>", "geometry": shapely.LineString([(-8.6, 41.1), (2.2, 41.4)])}], geometry="geometry", crs="EPSG:4326")
    src = tmp_path / "iberia.geojson"
    src.write_text(frame.to_json(), encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--format", fmt, "--lang", "tr"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in data
    if fmt == "svg":
        assert b"42" not in data.split(b"<svg", 1)[1][:0] and b"iberia.geojson" in data


def test_map_command__unknown_tiles_is_a_usage_error(tmp_path):
    src = tmp_path / "a.geojson"
    src.write_text(gpd.GeoDataFrame([{"geometry": shapely.Point(1, 2)}], crs="EPSG:4326").to_json(), encoding="utf-8")
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(tmp_path / "a.html"), "--tiles", "No.Such.Provider"])
    assert result.exit_code == 2
    assert "tile provider" in result.output
    assert not (tmp_path / "a.html").exists()


def test_static_images__one_drawing_gives_each_format_as_drawn_alone(payload):
    """PNG and SVG are saved from one figure, only the legend swapped: the same bytes as two separate drawings."""
    from transcaspian.web.staticmap import static_images

    both = static_images(payload, ("png", "svg"))
    assert both == {"png": static_image(payload, fmt="png"), "svg": static_image(payload, fmt="svg")}
    assert static_images(payload, ("svg", "png")) == both  # the order of saving leaves no trace
