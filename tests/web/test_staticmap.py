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
from transcaspian.web.staticmap import static_image, static_images


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
    """PNG and SVG are made from one drawing, only the legend swapped: the same bytes as two separate drawings."""
    both = static_images(payload, ("png", "svg"))
    assert both == {"png": static_image(payload, fmt="png"), "svg": static_image(payload, fmt="svg")}
    assert static_images(payload, ("svg", "png")) == both  # the order of saving leaves no trace


def rgb_of(png: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def share(rgb, color: str, tolerance: int = 6) -> float:
    import numpy as np

    want = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(rgb - want).sum(axis=2) <= tolerance).mean())


def test_card__shows_land_sea_the_layers_and_a_title(payload):
    from transcaspian.styles import BASEMAP_LAND, BASEMAP_SEA, LAYER_COLORS

    rgb = rgb_of(static_image(payload))
    assert share(rgb, BASEMAP_LAND) > 0.4 and share(rgb, BASEMAP_SEA) > 0.05  # the Caspian region: mostly land
    for layer in ("middle_corridor", "btc_pipeline"):
        assert share(rgb, LAYER_COLORS[layer], 30) > 0.001, layer
    title = rgb[10:50, 10:600]
    assert (title.sum(axis=2) < 150).mean() > 0.05  # dark letters on the white title box


def test_static_images__drawn_without_matplotlib(tmp_path):
    """The images are written as SVG and rasterised: matplotlib (0.45 s to import) is not loaded."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from transcaspian.measured import check_measured, measure_geodata\n"
        "from transcaspian.web.staticmap import network_images\n"
        "images = network_images(check_measured(measure_geodata(None), None))\n"
        "assert images['index.png'][:4] == b'\\x89PNG' and b'<svg' in images['index.svg']\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'pylab')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_user_image__hostile_names_and_a_polygon_with_a_hole(tmp_path):
    import xml.etree.ElementTree as ET

    import numpy as np

    from transcaspian.web.userpayload import user_payload

    ring = [(50.0, 40.0), (52.0, 40.0), (52.0, 42.0), (50.0, 42.0), (50.0, 40.0)]
    hole = [(50.5, 40.5), (51.5, 40.5), (51.5, 41.5), (50.5, 41.5), (50.5, 40.5)]
    frame = gpd.GeoDataFrame(
        [{"name": "</text><script>alert(1)</script>", "geometry": shapely.Polygon(ring, [hole])},
         {"name": "]]> {{ 6*7 }}", "geometry": shapely.LineString([(49.0, 39.0), (53.0, 43.0)])}],
        geometry="geometry", crs="EPSG:4326",
    )
    payload = user_payload([("a\x00<b>.geojson", frame)], title="<script>x</script> \x1b]0;t\x07", lang="en")
    images = static_images(payload)
    root = ET.fromstring(images["svg"])
    tags = {el.tag.split("}")[1] for el in root.iter()}
    assert tags <= {"svg", "title", "rect", "path", "circle", "text"}
    texts = [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>x</script> \ufffd]0;t\ufffd" in texts
    assert any(t.endswith("a\ufffd<b>.geojson") or "a\ufffd<b>.geojson" in t for t in texts)
    rgb = rgb_of(images["png"])
    assert rgb.shape == (630, 1200, 3)
    # The polygon is filled as on the web map (its colour at 0.2 over the sea), its hole left open.
    from transcaspian.styles import BASEMAP_SEA
    from transcaspian.web.staticmap import _extent, _View

    view = _View(_extent(payload["bounds"], 1200 / 630), (1200, 630))
    (inside_x, inside_y), (hole_x, hole_y) = view.px(np.array([50.25, 51.0]), np.array([41.0, 41.0])).round().astype(int).tolist()
    sea = np.array([int(BASEMAP_SEA[i : i + 2], 16) for i in (1, 3, 5)])
    layer_color = next(layer["color"] for layer in payload["layers"])
    fill = np.array([int(layer_color[i : i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(rgb[inside_y, inside_x] - (0.8 * sea + 0.2 * fill)).max() <= 3
    assert np.abs(rgb[hole_y, hole_x] - sea).max() <= 3
    assert 'fill-rule="evenodd"' in images["svg"].decode() and 'fill-opacity="0.2"' in images["svg"].decode()
