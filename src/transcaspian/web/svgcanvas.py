"""An SVG drawing written element by element, and its PNG raster.

The static images (:mod:`transcaspian.web.staticmap`) are a few hundred
shapes and labels. They were drawn with matplotlib, whose import alone took
about 0.45 s, half of everything else a build does (issue 13); an SVG is
text, so the drawing is written here directly, and the PNG is that SVG
rasterised by resvg (a maintained SVG renderer, through ``resvg-py``).

Text is measured and rasterised with the DejaVu Sans faces shipped in
``transcaspian/data/fonts`` (the faces matplotlib drew with before), never
with the machine's own fonts, so the card is the same on every machine.
Every string is XML-escaped, with the characters XML cannot hold replaced:
a name from a user's file stays text.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import re
from collections.abc import Iterable, Sequence
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np

#: The font family the images name; its faces are shipped (``data/fonts``).
FONT_FAMILY = "DejaVu Sans"
_FACES = {("normal", "normal"): "DejaVuSans.ttf", ("bold", "normal"): "DejaVuSans-Bold.ttf", ("normal", "italic"): "DejaVuSans-Oblique.ttf"}
# XML 1.0 cannot hold C0 controls other than tab/LF/CR, nor surrogates or U+FFFE/U+FFFF;
# C1 controls are allowed but invisible, and a viewer may choke on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """``text`` as XML character data or attribute value: escaped, with what XML cannot hold replaced by U+FFFD."""
    clean = _NOT_XML.sub("\ufffd", str(text))
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


#: Temporary copies of the fonts when the package is not a folder (a zip): kept until exit.
_COPIES = contextlib.ExitStack()
atexit.register(_COPIES.close)


@functools.lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """Paths of the shipped font faces (for the rasteriser)."""
    folder = files("transcaspian.data") / "fonts"
    paths = []
    for name in sorted(set(_FACES.values())):
        resource = folder / name
        path = resource if isinstance(resource, Path) else _COPIES.enter_context(as_file(resource))
        paths.append(str(path))
    return tuple(paths)


#: Font size (px) text is measured at: widths scale with the size, and Pillow
#: rounds each advance to a whole pixel, which is negligible at this size.
_MEASURE_PX = 1024


@functools.lru_cache(maxsize=4)
def _font(weight: str, style: str) -> Any:
    # Pillow's FreeType binding gives advance widths with kerning, as resvg lays the text out.
    from PIL import ImageFont

    path = dict(zip(sorted(set(_FACES.values())), font_files()))[_FACES[(weight, style)]]
    return ImageFont.truetype(path, size=_MEASURE_PX, layout_engine=ImageFont.Layout.BASIC)


def text_width(text: str, size: float, *, weight: str = "normal", style: str = "normal") -> float:
    """Width of one line of ``text`` in px at font size ``size`` px."""
    return float(_font(weight, style).getlength(text)) * size / _MEASURE_PX


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def points(xy: np.ndarray) -> str:
    """Pixel coordinates (N×2) as an SVG path's ``x,y`` pairs, to 0.1 px."""
    rounded = np.round(np.asarray(xy, dtype=float), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    # One %-format over every pair: twice as fast as a format per pair, the same text.
    return " ".join(["%.1f,%.1f"] * len(rounded)) % tuple(rounded.ravel().tolist())


def path_data(parts: Iterable[np.ndarray], *, closed: bool = False) -> str:
    """SVG path data for polylines (or rings, when ``closed``) in pixel coordinates."""
    end = " Z" if closed else ""
    return " ".join(f"M{points(part[:1])} L{points(part[1:])}{end}" for part in parts if len(part) >= 2)


class Svg:
    """An SVG image of ``width`` × ``height`` px, drawn in call order (later on top).

    Each method adds one element; :meth:`document` returns the file's text.
    Colours are CSS colours from the project's styles; text is escaped here.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._parts: list[str] = []

    def copy(self) -> Svg:
        """A new drawing with this one's elements, to draw on without changing this one."""
        other = Svg(self.width, self.height)
        other._parts = list(self._parts)
        return other

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str, opacity: float = 1.0, stroke: str | None = None,
             stroke_width: float = 1.0, radius: float = 0.0) -> None:
        """A rectangle, top-left corner at (``x``, ``y``) px."""
        attrs = {"x": _number(x), "y": _number(y), "width": _number(w), "height": _number(h), "fill": fill}
        if radius:
            attrs["rx"] = _number(radius)
        if opacity < 1:
            attrs["fill-opacity"] = _number(opacity)
        if stroke:
            attrs |= {"stroke": stroke, "stroke-width": _number(stroke_width)}
        self._element("rect", attrs)

    def path(self, d: str, *, stroke: str | None = None, width: float = 1.0, opacity: float = 1.0, fill: str = "none", fill_opacity: float = 1.0,
             dash: Sequence[float] | None = None, cap: str = "butt", join: str = "round", evenodd: bool = False) -> None:
        """A path (from :func:`path_data`): stroked, filled, or both."""
        if not d:
            return
        attrs = {"d": d, "fill": fill}
        if fill != "none" and fill_opacity < 1:
            attrs["fill-opacity"] = _number(fill_opacity)
        if evenodd:
            attrs["fill-rule"] = "evenodd"
        if stroke:
            attrs |= {"stroke": stroke, "stroke-width": _number(width), "stroke-linecap": cap, "stroke-linejoin": join}
            if opacity < 1:
                attrs["stroke-opacity"] = _number(opacity)
            if dash:
                attrs["stroke-dasharray"] = " ".join(_number(v) for v in dash)
        self._element("path", attrs)

    def circle(self, x: float, y: float, r: float, *, fill: str, stroke: str | None = None, width: float = 1.0) -> None:
        """A circle of radius ``r`` px centred on (``x``, ``y``)."""
        attrs = {"cx": _number(x), "cy": _number(y), "r": _number(r), "fill": fill}
        if stroke:
            attrs |= {"stroke": stroke, "stroke-width": _number(width)}
        self._element("circle", attrs)

    def text(self, x: float, y: float, text: str, *, size: float, color: str, weight: str = "normal", style: str = "normal",
             anchor: str = "start") -> None:
        """One line of text, its baseline at ``y`` px; ``anchor`` is start, middle or end."""
        attrs = {"x": _number(x), "y": _number(y), "font-size": _number(size), "fill": color}
        if weight != "normal":
            attrs["font-weight"] = weight
        if style != "normal":
            attrs["font-style"] = style
        if anchor != "start":
            attrs["text-anchor"] = anchor
        self._parts.append(f"<text{_attributes(attrs)}>{xml_text(text)}</text>")

    def _element(self, name: str, attrs: dict[str, str]) -> None:
        self._parts.append(f"<{name}{_attributes(attrs)}/>")

    def document(self, *, title: str = "") -> str:
        """The SVG file's text (UTF-8), with ``title`` as its accessible title."""
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" viewBox="0 0 {self.width} {self.height}"'
            f' font-family="{FONT_FAMILY}, sans-serif">\n'
        )
        named = f"<title>{xml_text(title)}</title>\n" if title else ""
        return head + named + "\n".join(self._parts) + "\n</svg>\n"


def _attributes(attrs: dict[str, str]) -> str:
    return "".join(f' {key}="{xml_text(value)}"' for key, value in attrs.items())


def rasterise(svg: str, width: int, height: int) -> bytes:
    """The PNG of an SVG from :class:`Svg`, ``width`` × ``height`` px, drawn with the shipped fonts only."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=width, height=height, skip_system_fonts=True, font_files=list(font_files())))
