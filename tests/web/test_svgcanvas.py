"""The SVG writer and rasteriser behind the static images."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from transcaspian.web.svgcanvas import Svg, font_files, path_data, points, rasterise, text_width, xml_text

SVG_NS = "{http://www.w3.org/2000/svg}"
#: What XML 1.0 cannot hold (and the C1 controls, invisible anyway): replaced by U+FFFD.
NOT_XML = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF}


def expected_text(text: str) -> str:
    return "".join("\ufffd" if ord(c) in NOT_XML or 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_xml_text__any_string_stays_text_in_element_and_attribute(text):
    canvas = Svg(10, 10)
    canvas.text(1, 2, text, size=5, color="#000000")
    canvas.rect(0, 0, 1, 1, fill="#ffffff")
    doc = canvas.document(title=text)
    root = ET.fromstring(doc.encode("utf-8"))  # well-formed, whatever the text
    title = [f"{SVG_NS}title"] if text else []  # an empty title is left out
    assert [el.tag for el in root] == [*title, f"{SVG_NS}text", f"{SVG_NS}rect"]
    cleaned = expected_text(text).replace("\r\n", "\n").replace("\r", "\n")  # as every XML parser reads line ends
    assert (root[len(title)].text or "") == cleaned
    assert not title or root[0].text == cleaned
    assert xml_text(text).count("<") == 0 and xml_text(text).count(">") == 0


@pytest.mark.parametrize(
    "hostile",
    ["</text><script>alert(1)</script>", "]]><svg onload=alert(1)>", "{{ 6*7 }} {% if %}", '" onmouseover="alert(1)', "=HYPERLINK(\"x\")", "a\x00b\x1bc\x85d"],
)
def test_hostile_text__no_element_or_attribute_is_added(hostile):
    canvas = Svg(100, 40)
    canvas.text(5, 20, hostile, size=12, color="#111111")
    root = ET.fromstring(canvas.document(title=hostile).encode("utf-8"))
    assert [el.tag for el in root.iter()] == [f"{SVG_NS}svg", f"{SVG_NS}title", f"{SVG_NS}text"]
    assert set(root[1].attrib) == {"x", "y", "font-size", "fill"}
    assert root[1].text == expected_text(hostile)


def test_text_width__known_answer_from_the_fonts_advance_widths():
    # DejaVu Sans: 2048 units per em; advance widths (hmtx) H 1540, i 569; Bold H 1714, i 702;
    # "Hi" has no kerning pair. At a size of 2048 px a unit is a pixel.
    assert text_width("H", 2048) == pytest.approx(1540, abs=2)
    assert text_width("Hi", 2048) == pytest.approx(1540 + 569, abs=2)
    assert text_width("Hi", 2048, weight="bold") == pytest.approx(1714 + 702, abs=2)
    assert text_width("Hi", 20.48) == pytest.approx((1540 + 569) / 100, abs=0.02)
    assert text_width("", 12) == 0


def test_points_and_path_data__tenth_of_a_pixel_no_negative_zero():
    assert points(np.array([[1.04, -0.04], [2.25, 3.0]])) == "1.0,0.0 2.2,3.0"
    rings = [np.array([[0, 0], [10, 0], [10, 10]]), np.array([[5, 5]])]  # a single vertex is no line
    assert path_data(rings, closed=True) == "M0.0,0.0 L10.0,0.0 10.0,10.0 Z"
    assert path_data([]) == ""


def test_empty_path_is_not_written():
    canvas = Svg(10, 10)
    canvas.path("", stroke="#000000")
    assert "<path" not in canvas.document()


def test_copy__draws_on_the_copy_only():
    canvas = Svg(10, 10)
    canvas.rect(0, 0, 5, 5, fill="#ff0000")
    other = canvas.copy()
    other.circle(5, 5, 2, fill="#0000ff")
    assert "<circle" in other.document() and "<circle" not in canvas.document()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=int)


def test_rasterise__shapes_where_they_were_drawn():
    canvas = Svg(200, 100)
    canvas.rect(0, 0, 200, 100, fill="#ffffff")
    canvas.rect(20, 20, 40, 40, fill="#ff0000")
    canvas.path(path_data([np.array([[100, 50], [190, 50]])]), stroke="#0000ff", width=6)
    canvas.circle(150, 20, 8, fill="#00ff00")
    png = rasterise(canvas.document(), 200, 100)
    rgba = pixels(png)
    assert rgba.shape == (100, 200, 4)
    assert rgba[40, 40].tolist() == [255, 0, 0, 255]
    assert rgba[50, 150].tolist() == [0, 0, 255, 255]
    assert rgba[20, 150].tolist() == [0, 255, 0, 255]
    assert rgba[90, 10].tolist() == [255, 255, 255, 255]
    assert rasterise(canvas.document(), 200, 100) == png  # deterministic


@pytest.mark.parametrize("text", ["Каспий", "საქართველო", "Hazar Denizi", "Қазақстан"])
@pytest.mark.parametrize("weight,style", [("normal", "normal"), ("bold", "normal"), ("normal", "italic")])
def test_rasterise__text_drawn_with_the_shipped_fonts_only(text, weight, style):
    """System fonts are never read: the text must come out of the shipped DejaVu faces, in every script a place name here uses."""
    canvas = Svg(400, 60)
    canvas.rect(0, 0, 400, 60, fill="#ffffff")
    canvas.text(10, 40, text, size=28, color="#000000", weight=weight, style=style)
    rgba = pixels(rasterise(canvas.document(), 400, 60))
    dark = (rgba[:, :, :3].sum(axis=2) < 200).sum()
    assert dark > 150, f"{text!r} was not drawn"
    # The ink ends where the font's advance widths say the text ends.
    columns = np.flatnonzero((rgba[:, :, :3].sum(axis=2) < 384).any(axis=0))
    assert columns.max() == pytest.approx(10 + text_width(text, 28, weight=weight, style=style), abs=6)


def test_fonts__the_shipped_dejavu_faces_unchanged():
    digests = {path.rsplit("/", 1)[-1]: hashlib.sha256(open(path, "rb").read()).hexdigest() for path in font_files()}
    assert digests == {
        "DejaVuSans-Bold.ttf": "b184b89e3c1075f22f6b71575b6fc20d4972b3cfd3b23322ca6fd596dcaef167",
        "DejaVuSans-Oblique.ttf": "ccdf74b350f11fd3dd5774de50e5e6346a1a5da1f5b7d5fb83590665e97a5213",
        "DejaVuSans.ttf": "3fdf69cabf06049ea70a00b5919340e2ce1e6d02b0cc3c4b44fb6801bd1e0d22",
    }
