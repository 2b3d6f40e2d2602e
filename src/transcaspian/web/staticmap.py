"""Static images of a map: a 1200×630 social card (PNG) and a print-ready SVG.

Drawn from the very payload the web page carries (same styles, same legend
samples) over the shipped Natural Earth basemap, in Web Mercator like the
interactive map, with a title, legend, scale bar and attribution. The SVG is
written directly (:mod:`transcaspian.web.svgcanvas`) and the PNG is that
SVG rasterised, with the shipped fonts. Output is deterministic: no time
stamps, no ids.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely

from transcaspian.styles import BASEMAP_BORDER, BASEMAP_LAND, BASEMAP_SEA
from transcaspian.web import basemap
from transcaspian.web.svgcanvas import Svg, path_data, rasterise, text_width

#: Pixel size of the social card (Open Graph's recommended 1.91:1).
CARD_SIZE = (1200, 630)
#: Typographic points to px: the sizes below are those the matplotlib drawing used (at 100 dpi).
_PX_PER_PT = 100 / 72
_R = 6378137.0
_INK = "#111111"
_TITLE_PT, _LABEL_PT, _SEA_PT, _SCALE_PT, _CREDIT_PT, _LEGEND_PT = 17, 7.5, 9, 9, 7.5, 8


def _merc(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85.0, 85.0)
    return np.radians(lon) * _R, _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _extent(bounds: Sequence[Sequence[float]] | None, aspect: float) -> tuple[float, float, float, float]:
    """Mercator box around ``bounds`` ([[s, w], [n, e]]) with a margin, at the image's aspect."""
    (s, w), (n, e) = bounds or [[30.0, 25.0], [55.0, 90.0]]
    x, y = _merc(np.array([w, e]), np.array([s, n]))
    cx, cy = x.mean(), y.mean()
    half_w = max((x[1] - x[0]) / 2 * 1.1, 50_000.0)
    half_h = max((y[1] - y[0]) / 2 * 1.15, 50_000.0)
    if half_w / half_h < aspect:
        half_w = half_h * aspect
    else:
        half_h = half_w / aspect
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


class _View:
    """Longitude/latitude to the image's pixels (y down) for one Mercator extent."""

    def __init__(self, extent: tuple[float, float, float, float], size: tuple[int, int]) -> None:
        self.extent, self.size = extent, size
        x0, x1, y0, y1 = extent
        self._sx, self._sy = size[0] / (x1 - x0), size[1] / (y1 - y0)

    def px(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        mx, my = _merc(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.column_stack([(mx - self.extent[0]) * self._sx, (self.extent[3] - my) * self._sy])

    def inside(self, xy: np.ndarray) -> bool:
        return bool(0 < xy[0, 0] < self.size[0] and 0 < xy[0, 1] < self.size[1])


def _level_for(extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """The basemap level whose detail suits the view (coarser for wider views)."""
    width_deg = math.degrees((extent[1] - extent[0]) / _R)
    name = "10m" if width_deg < 12 else "50m" if width_deg < 90 else "110m"
    return basemap.shipped_level(name)


def _land(canvas: Svg, view: _View) -> None:
    """Land over sea: the basemap's polygons near the view, as one even-odd path (lakes stay holes)."""
    x0, x1, y0, y1 = view.extent
    canvas.rect(0, 0, *view.size, fill=BASEMAP_SEA)
    level = _level_for(view.extent)
    q = level["quantum"]
    lon = np.degrees(np.array([x0, x1]) / _R)
    lat = np.degrees(2 * np.arctan(np.exp(np.array([y0, y1]) / _R)) - np.pi / 2)
    box = (lon[0] - 1, lat[0] - 1, lon[1] + 1, lat[1] + 1)
    rings = []
    for poly in basemap.clip_level(level["polygons"], q, box):
        for ring in poly:
            xy = basemap.decode_ring(ring, q)
            rings.append(view.px(xy[:, 0], xy[:, 1]))
    canvas.path(path_data(rings, closed=True), fill=BASEMAP_LAND, stroke=BASEMAP_BORDER, width=0.7, evenodd=True)


def _stroke(style: Mapping[str, Any]) -> dict[str, Any]:
    """A payload line style as SVG stroke settings (widths and dashes are CSS px, as on the web map)."""
    dash = [float(v) for v in str(style.get("dash") or "").split()]
    return {
        "stroke": str(style.get("color", "#666666")),
        "width": float(style.get("weight", 2)),
        "opacity": float(style.get("opacity", 1.0)),
        "dash": dash or None,
        "cap": "round" if style.get("dotted") else "butt",
    }


def _lines_of(geometry: Mapping[str, Any]) -> list[np.ndarray]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "LineString":
        return [np.asarray(coords, dtype=float).reshape(-1, 2)]
    if kind == "MultiLineString":
        return [np.asarray(c, dtype=float).reshape(-1, 2) for c in coords]
    if kind in ("Polygon", "MultiPolygon"):
        shape = shapely.geometry.shape(geometry)
        return [np.asarray(r.coords)[:, :2] for p in getattr(shape, "geoms", [shape]) for r in [p.exterior, *p.interiors]]
    return []


def _layers(canvas: Svg, view: _View, payload: Mapping[str, Any]) -> None:
    """Each layer's lines and points, the routes under the lines and the places on top, in feature order."""
    styles = payload.get("styles", [])
    layers = payload.get("layers", [])
    lines = {str(f["id"]): f["g"]["coordinates"] for layer in layers for f in layer["features"] if f.get("g", {}).get("type") == "LineString"}
    rank = {"under": 0, "places": 2}
    for layer in sorted(layers, key=lambda layer: rank.get(layer.get("pane", ""), 1)):  # sorted() is stable: file order kept within a pane
        points = []
        for feature in layer["features"]:
            style = styles[feature["s"]] if feature.get("s") is not None else {}
            geometry = feature.get("g") or {"type": "LineString", "coordinates": [c for leg in feature.get("legs", []) for c in lines.get(str(leg), [])]}
            if geometry.get("type") in ("Point", "MultiPoint"):
                points.append((np.asarray(geometry["coordinates"], dtype=float).reshape(-1, 2), style))
                continue
            parts = [view.px(part[:, 0], part[:, 1]) for part in _lines_of(geometry) if len(part) >= 2]
            if geometry.get("type") in ("Polygon", "MultiPolygon") and style.get("fill"):
                # Filled as on the web map (holes stay open), outlined in the line style.
                canvas.path(path_data(parts, closed=True), fill=str(style["fill"]), fill_opacity=float(style.get("fillOpacity", 0.2)), evenodd=True,
                            **_stroke(style))
            else:
                canvas.path(path_data(parts), **_stroke(style))
        for xy, style in points:  # after the layer's lines, as one collection was
            for x, y in view.px(xy[:, 0], xy[:, 1]).tolist():
                canvas.circle(x, y, float(style.get("radius", 4)), fill=str(style.get("fill", "#444444")), stroke=str(style.get("color", "#ffffff")),
                              width=float(style.get("weight", 1)))


def _labels(canvas: Svg, view: _View, lang: str) -> None:
    """Sea and country names inside the view, in the map's language."""
    doc = basemap.shipped_world()
    x0, x1, _, _ = view.extent
    zoom = math.log2(2 * math.pi * _R / (x1 - x0) * CARD_SIZE[0] / 256 / 4)
    for sea in doc["seas"]:
        xy = view.px(np.array([sea["lon"]]), np.array([sea["lat"]]))
        if view.inside(xy) and sea["min_zoom"] <= zoom + 1:
            size = _SEA_PT * _PX_PER_PT
            canvas.text(xy[0, 0], xy[0, 1] + 0.36 * size, sea["names"].get(lang) or sea["names"]["en"], size=size, color="#2b5b7a", style="italic",
                        anchor="middle")
    for country in doc["countries"]:
        xy = view.px(np.array([country["label"][0]]), np.array([country["label"][1]]))
        if view.inside(xy) and country["min_label"] <= zoom + 1.5:
            size = _LABEL_PT * _PX_PER_PT
            name = country["names"].get(lang) or country["names"].get("en", "")
            canvas.text(xy[0, 0], xy[0, 1] + 0.36 * size, name.upper(), size=size, color="#555555", anchor="middle")


def _wrap(text: str, size: float, width: float, weight: str = "normal") -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` px (a longer word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, weight=weight) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _text_box(canvas: Svg, x: float, y: float, lines: list[str], *, size: float, pad: float, opacity: float, top: bool,
              weight: str = "normal", color: str = _INK) -> float:
    """Lines of text on a white box: the first line's top (``top``) or the last line's baseline at ``y`` px.

    Returns the box's top edge in px (``y`` when there are no lines).
    """
    if not lines:
        return y
    step = 1.2 * size
    height = step * (len(lines) - 1) + 1.16 * size  # ascent to descent of DejaVu Sans
    first = y + 0.93 * size if top else y - step * (len(lines) - 1)
    width = max(text_width(line, size, weight=weight) for line in lines)
    canvas.rect(x - pad, first - 0.93 * size - pad, width + 2 * pad, height + 2 * pad, fill="#ffffff", opacity=opacity)
    for i, line in enumerate(lines):
        canvas.text(x, first + i * step, line, size=size, color=color, weight=weight)
    return first - 0.93 * size - pad


def _scale_bar(canvas: Svg, view: _View, above: float) -> None:
    """A metric scale bar at the view's centre latitude, a round length, just above ``above`` px."""
    x0, x1, y0, y1 = view.extent
    width, height = view.size
    lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2 / _R)) - math.pi / 2)
    metres_per_px = (x1 - x0) / width * math.cos(math.radians(lat))
    target = metres_per_px * 150 / 1000
    nice = max(v for v in (1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= max(target, 1))
    length = nice * 1000 / metres_per_px
    bx, by = width * 0.02, min(height * 0.95, above - 4)
    canvas.path(path_data([np.array([[bx, by], [bx + length, by]])]), stroke=_INK, width=3)
    canvas.text(bx, by - height * 0.012, f"{nice:,} km", size=_SCALE_PT * _PX_PER_PT, color=_INK)


def static_image(payload: Mapping[str, Any], *, fmt: str = "png", size: tuple[int, int] = CARD_SIZE) -> bytes:
    """A static image of a map payload.

    Parameters
    ----------
    payload : mapping
        From :func:`~transcaspian.web.payload.network_payload` or
        :func:`~transcaspian.web.userpayload.user_payload` (not packed).
    fmt : {"png", "svg"}
        PNG for the social card, SVG (text kept as text) for print.
    size : (int, int)
        Width and height in px.

    Returns
    -------
    bytes
        The image file, byte-identical for the same payload.
    """
    return static_images(payload, (fmt,), size=size)[fmt]


def static_images(payload: Mapping[str, Any], formats: Sequence[str] = ("png", "svg"), *, size: tuple[int, int] = CARD_SIZE) -> dict[str, bytes]:
    """Static images of a map payload in several formats, from one drawing.

    The map is drawn once; only the legend differs (:func:`_legend`): the
    card names each layer once, the print image lists every style. See
    :func:`static_image` for the parameters.

    Returns
    -------
    dict of str to bytes
        Each format's image file, byte-identical for the same payload.
    """
    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise ValueError(f"unknown image format {fmt!r}: use png or svg")
    canvas = _draw(payload, size)
    title = str(payload.get("title", ""))
    images: dict[str, bytes] = {}
    for fmt in formats:
        drawn = canvas.copy()
        _legend(drawn, payload, fmt)
        svg = drawn.document(title=title)
        images[fmt] = rasterise(svg, *size) if fmt == "png" else svg.encode("utf-8")
    return images


def _draw(payload: Mapping[str, Any], size: tuple[int, int]) -> Svg:
    """The image of ``payload`` without its legend: basemap, lines, places, title, scale, credit."""
    width, height = size
    view = _View(_extent(payload.get("bounds"), width / height), size)
    canvas = Svg(width, height)
    _land(canvas, view)
    _labels(canvas, view, str(payload.get("lang", "en")))
    _layers(canvas, view, payload)
    title_size = _TITLE_PT * _PX_PER_PT
    title = _wrap(str(payload.get("title", "")), title_size, width * 0.976 - 14, weight="bold")
    _text_box(canvas, width * 0.012, height * 0.025, title, size=title_size, pad=5 * _PX_PER_PT, opacity=0.9, top=True, weight="bold")
    credit = " · ".join(str(payload.get(k)) for k in ("caption", "data_attribution") if payload.get(k))
    lines = textwrap.wrap("Natural Earth" + (f" · {credit}" if credit else ""), 95)
    credit_top = _text_box(canvas, width * 0.012, height * 0.988, lines, size=_CREDIT_PT * _PX_PER_PT, pad=2 * _PX_PER_PT, opacity=0.85, top=False,
                           color="#222222")
    _scale_bar(canvas, view, credit_top)
    return canvas


def _legend(canvas: Svg, payload: Mapping[str, Any], fmt: str) -> None:
    """The legend, lower right: the card (PNG) names each layer once; the print image (SVG) lists every style."""
    entries: list[tuple[Mapping[str, Any], str]] = []
    for section in payload.get("legend", []):
        for item in section.get("items", [])[:1] if fmt == "png" else section.get("items", []):
            if item.get("line") or item.get("circle") or item.get("area"):
                same = fmt == "png" or section["title"] == item["label"]
                entries.append((item, str(section["title"]) if same else f"{section['title']}: {item['label']}"))
    if not entries:
        return
    size = _LEGEND_PT * _PX_PER_PT
    rows = math.ceil(len(entries) / (1 if len(entries) <= 14 else 2))
    columns = [entries[i:i + rows] for i in range(0, len(entries), rows)]
    pad, handle, gap, step = 0.4 * size, 4.5 * size, 0.8 * size, 1.5 * size
    widths = [handle + gap + max(text_width(label, size) for _, label in column) for column in columns]
    box_w = sum(widths) + 2 * size * (len(columns) - 1) + 2 * pad
    box_h = rows * step + 2 * pad - 0.5 * size
    left = canvas.width - 0.6 * size - box_w
    top = canvas.height - 0.6 * size - box_h
    canvas.rect(left, top, box_w, box_h, fill="#ffffff", opacity=0.93, stroke="#cccccc", stroke_width=1, radius=0.2 * size)
    x = left + pad
    for column, column_width in zip(columns, widths):
        for i, (item, label) in enumerate(column):
            y = top + pad + i * step + 0.5 * size
            _sample(canvas, item, x, y, handle)
            canvas.text(x + handle + gap, y + 0.36 * size, label, size=size, color=_INK)
        x += column_width + 2 * size


def _sample(canvas: Svg, item: Mapping[str, Any], x: float, y: float, length: float) -> None:
    """A legend entry's sample: a length of line, a place's circle or a patch of area, centred on ``y`` px."""
    if item.get("line"):
        canvas.path(path_data([np.array([[x, y], [x + length, y]])]), **_stroke(item["line"]))
    elif item.get("circle"):
        c = item["circle"]
        canvas.circle(x + length / 2, y, float(c.get("radius", 4)), fill=str(c.get("fill", c.get("color", "#666666"))),
                      stroke=str(c.get("color", "#ffffff")), width=float(c.get("weight", 1)))
    else:
        color = str(item["area"]["color"])
        canvas.rect(x, y - 0.35 * length / 4.5, length, 0.7 * length / 4.5, fill=color, opacity=0.3, stroke=color)


def prepare(size: tuple[int, int] = CARD_SIZE) -> None:
    """Load what :func:`network_images` reads (the basemap level of the curated map's view, the fonts),
    so that a process waiting for the measured network can do it first."""
    _level_for(_extent(None, size[0] / size[1]))
    text_width("0", _TITLE_PT * _PX_PER_PT, weight="bold")
    import resvg_py  # noqa: F401 - the import is the work


def network_images(measured: Any, *, lang: str = "en", memo: dict[tuple[str, ...], Any] | None = None) -> dict[str, bytes]:
    """The combined map of the curated network as ``index.png`` (social card) and ``index.svg`` (print).

    ``memo``: see :func:`~transcaspian.web.payload.network_payload`.
    """
    from transcaspian.web.payload import network_payload

    # The images draw their own basemap: the payload's finer levels (detail) are not used.
    images = static_images(network_payload(measured, lang=lang, detail=False, memo=memo))
    return {"index.png": images["png"], "index.svg": images["svg"]}
