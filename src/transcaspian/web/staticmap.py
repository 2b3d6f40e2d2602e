"""Static images of a map: a 1200×630 social card (PNG) and a print-ready SVG.

Drawn with matplotlib from the very payload the web page carries (same
styles, same legend samples) over the shipped Natural Earth basemap, in Web
Mercator like the interactive map, with a title, legend, scale bar and
attribution. Output is deterministic: no time stamps, fixed SVG ids.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely

from transcaspian.styles import BASEMAP_BORDER, BASEMAP_LAND, BASEMAP_SEA
from transcaspian.web import basemap

#: Pixel size of the social card (Open Graph's recommended 1.91:1).
CARD_SIZE = (1200, 630)
_DPI = 100
#: CSS px to typographic points at :data:`_DPI`, so widths and dashes match the web map.
_PT = 72.0 / _DPI
_R = 6378137.0


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


def _level_for(extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """The basemap level whose detail suits the view (coarser for wider views)."""
    levels = basemap.shipped()["levels"]
    width_deg = math.degrees((extent[1] - extent[0]) / _R)
    name = "10m" if width_deg < 12 else "50m" if width_deg < 90 else "110m"
    return next(level for level in levels if level["name"] == name)


def _land_patches(extent: tuple[float, float, float, float]) -> list[Any]:
    from matplotlib.path import Path as MplPath

    level = _level_for(extent)
    q = level["quantum"]
    x0, x1, y0, y1 = extent
    lon = np.degrees(np.array([x0, x1]) / _R)
    lat = np.degrees(2 * np.arctan(np.exp(np.array([y0, y1]) / _R)) - np.pi / 2)
    box = (lon[0] - 1, lat[0] - 1, lon[1] + 1, lat[1] + 1)
    paths = []
    for poly in basemap.clip_level(level["polygons"], q, box):
        verts, codes = [], []
        for ring in poly:
            xy = basemap.decode_ring(ring, q)
            mx, my = _merc(xy[:, 0], xy[:, 1])
            verts.append(np.column_stack([mx, my]))
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
        paths.append(MplPath(np.vstack(verts), codes))
    return paths


def _dashes(style: Mapping[str, Any]) -> tuple[float, tuple[float, ...]] | None:
    dash = style.get("dash")
    if not dash:
        return None
    return (0.0, tuple(float(v) * _PT for v in str(dash).split()))


def _line_kwargs(style: Mapping[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "color": style.get("color", "#666666"),
        "linewidth": float(style.get("weight", 2)) * _PT,
        "alpha": float(style.get("opacity", 1.0)),
        "solid_capstyle": "butt",
        "dash_capstyle": "round" if style.get("dotted") else "butt",
        "solid_joinstyle": "round",
    }
    dashes = _dashes(style)
    if dashes:
        kwargs["linestyle"] = dashes
    return kwargs


def _lines_of(geometry: Mapping[str, Any]) -> list[np.ndarray]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    if kind == "LineString":
        return [np.asarray(coords, dtype=float)]
    if kind == "MultiLineString":
        return [np.asarray(c, dtype=float) for c in coords]
    if kind in ("Polygon", "MultiPolygon"):
        shape = shapely.geometry.shape(geometry)
        return [np.asarray(r.coords) for p in getattr(shape, "geoms", [shape]) for r in [p.exterior, *p.interiors]]
    return []


def _scale_bar(ax: Any, extent: tuple[float, float, float, float], width_px: int) -> None:
    """A metric scale bar at the view's centre latitude, a round length."""
    x0, x1, y0, y1 = extent
    lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2 / _R)) - math.pi / 2)
    metres_per_px = (x1 - x0) / width_px * math.cos(math.radians(lat))
    target = metres_per_px * 150 / 1000
    nice = max(v for v in (1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000) if v <= max(target, 1))
    length = nice * 1000 / math.cos(math.radians(lat))
    bx, by = x0 + (x1 - x0) * 0.02, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length], [by, by], color="#111111", linewidth=3 * _PT, solid_capstyle="butt", zorder=20)
    ax.text(bx, by + (y1 - y0) * 0.012, f"{nice:,} km", fontsize=9, color="#111111", zorder=20)


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
        Width and height in px (PNG) or in 1/100 inch (SVG).

    Returns
    -------
    bytes
        The image file, byte-identical for the same payload.
    """
    return static_images(payload, (fmt,), size=size)[fmt]


def static_images(payload: Mapping[str, Any], formats: Sequence[str] = ("png", "svg"), *, size: tuple[int, int] = CARD_SIZE) -> dict[str, bytes]:
    """Static images of a map payload in several formats, from one drawing.

    The figure is built once and saved in each format; only the legend
    differs (:func:`_add_legend`). See :func:`static_image` for the
    parameters.

    Returns
    -------
    dict of str to bytes
        Each format's image file, byte-identical for the same payload.
    """
    for fmt in formats:
        if fmt not in ("png", "svg"):
            raise ValueError(f"unknown image format {fmt!r}: use png or svg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images: dict[str, bytes] = {}
    with matplotlib.rc_context({"svg.hashsalt": "transcaspian", "svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig, ax = _draw(payload, size)
        try:
            for fmt in formats:
                legend = _add_legend(ax, payload, fmt)
                out = io.BytesIO()
                metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
                fig.savefig(out, format=fmt, dpi=_DPI, metadata=metadata)
                images[fmt] = out.getvalue()
                if legend is not None:
                    legend.remove()
        finally:
            plt.close(fig)
    return images


def _draw(payload: Mapping[str, Any], size: tuple[int, int]) -> tuple[Any, Any]:
    """The figure of ``payload`` without its legend: basemap, lines, places, title, scale, credit."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection

    width, height = size
    fig = plt.figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    extent = _extent(payload.get("bounds"), width / height)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.add_patch(plt.Rectangle((extent[0], extent[2]), extent[1] - extent[0], extent[3] - extent[2], color=BASEMAP_SEA, zorder=0))
    land = PathCollection(_land_patches(extent), facecolor=BASEMAP_LAND, edgecolor=BASEMAP_BORDER, linewidth=0.7 * _PT, zorder=1)
    ax.add_collection(land)
    _labels(ax, extent, str(payload.get("lang", "en")))
    styles = payload.get("styles", [])
    lines = {str(f["id"]): f["g"]["coordinates"] for layer in payload.get("layers", []) for f in layer["features"] if f.get("g", {}).get("type") == "LineString"}
    for z, layer in enumerate(payload.get("layers", [])):
        zorder = (5 if layer.get("pane") == "under" else 10 if layer.get("pane") == "places" else 7) + z * 0.01
        points: list[tuple[np.ndarray, Mapping[str, Any]]] = []
        for feature in layer["features"]:
            style = styles[feature["s"]] if feature.get("s") is not None else {}
            geometry = feature.get("g") or {"type": "LineString", "coordinates": [c for leg in feature.get("legs", []) for c in lines.get(str(leg), [])]}
            if geometry.get("type") in ("Point", "MultiPoint"):
                points.append((np.asarray(geometry["coordinates"], dtype=float).reshape(-1, 2), style))
                continue
            for part in _lines_of(geometry):
                if len(part) < 2:
                    continue
                mx, my = _merc(part[:, 0], part[:, 1])
                ax.plot(mx, my, zorder=zorder, **_line_kwargs(style))
        if points:
            _scatter(ax, points, zorder)
    ax.text(0.012, 0.975, str(payload.get("title", "")), transform=ax.transAxes, ha="left", va="top", fontsize=17, fontweight="bold",
            color="#111111", wrap=True, zorder=30, bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none", "pad": 5})
    _scale_bar(ax, extent, width)
    credit = " · ".join(str(payload.get(k)) for k in ("caption", "data_attribution") if payload.get(k))
    credit = textwrap.fill("Natural Earth" + (f" · {credit}" if credit else ""), 95)
    ax.text(0.012, 0.012, credit, transform=ax.transAxes, fontsize=7.5, color="#222222", zorder=30,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 2})
    return fig, ax


def _scatter(ax: Any, points: list[tuple[np.ndarray, Mapping[str, Any]]], zorder: float) -> None:
    """A layer's points as one collection, in feature order, each in its own style.

    One call for the layer, not one per place: matplotlib's per-call cost
    (masked arrays, colour parsing) made the curated places a third of the
    images' time.
    """
    counts = [len(xy) for xy, _ in points]
    xy = np.vstack([xy for xy, _ in points])
    mx, my = _merc(xy[:, 0], xy[:, 1])
    sizes = np.repeat([(float(style.get("radius", 4)) * 2 * _PT) ** 2 for _, style in points], counts)
    faces = [style.get("fill", "#444444") for xy, style in points for _ in xy]
    edges = [style.get("color", "#ffffff") for xy, style in points for _ in xy]
    widths = np.repeat([float(style.get("weight", 1)) * _PT for _, style in points], counts)
    ax.scatter(mx, my, s=sizes, c=faces, edgecolors=edges, linewidths=widths, zorder=zorder)


def _add_legend(ax: Any, payload: Mapping[str, Any], fmt: str) -> Any:
    """The legend for ``fmt``: the card (PNG) names each layer once; the print image (SVG) lists every style."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    labels: list[str] = []
    for section in payload.get("legend", []):
        for item in section.get("items", [])[:1] if fmt == "png" else section.get("items", []):
            if item.get("line"):
                handles.append(Line2D([0, 1], [0, 0], **_line_kwargs(item["line"])))
            elif item.get("circle"):
                c = item["circle"]
                handles.append(Line2D([0], [0], linestyle="none", marker="o", markersize=float(c.get("radius", 4)) * 2 * _PT,
                                      markerfacecolor=c.get("fill", c.get("color", "#666666")), markeredgecolor=c.get("color", "#ffffff")))
            elif item.get("area"):
                handles.append(plt.Rectangle((0, 0), 1, 1, facecolor=item["area"]["color"], alpha=0.3, edgecolor=item["area"]["color"]))
            else:
                continue
            labels.append(section["title"] if fmt == "png" or section["title"] == item["label"] else f"{section['title']}: {item['label']}")
    if not handles:
        return None
    legend = ax.legend(handles, labels, loc="lower right", fontsize=8, frameon=True, framealpha=0.93, handlelength=4.5,
                       ncols=1 if len(handles) <= 14 else 2, borderaxespad=0.6)
    legend.set_zorder(30)
    return legend


def _labels(ax: Any, extent: tuple[float, float, float, float], lang: str) -> None:
    """Sea and country names inside the view, in the map's language."""
    doc = basemap.shipped()
    x0, x1, y0, y1 = extent
    zoom = math.log2(2 * math.pi * _R / (x1 - x0) * CARD_SIZE[0] / 256 / 4)
    for sea in doc["seas"]:
        mx, my = _merc(np.array([sea["lon"]]), np.array([sea["lat"]]))
        if x0 < mx[0] < x1 and y0 < my[0] < y1 and sea["min_zoom"] <= zoom + 1:
            ax.text(mx[0], my[0], sea["names"].get(lang) or sea["names"]["en"], ha="center", va="center", fontsize=9, style="italic",
                    color="#2b5b7a", zorder=2, clip_on=True)
    for country in doc["countries"]:
        lon, lat = country["label"]
        mx, my = _merc(np.array([lon]), np.array([lat]))
        if x0 < mx[0] < x1 and y0 < my[0] < y1 and country["min_label"] <= zoom + 1.5:
            name = country["names"].get(lang) or country["names"].get("en", "")
            ax.text(mx[0], my[0], name.upper(), ha="center", va="center", fontsize=7.5, color="#555555", zorder=2, clip_on=True)


def network_images(measured: Any, *, lang: str = "en") -> dict[str, bytes]:
    """The combined map of the curated network as ``index.png`` (social card) and ``index.svg`` (print)."""
    from transcaspian.web.payload import network_payload

    # The images draw their own basemap: the payload's finer levels (detail) are not used.
    images = static_images(network_payload(measured, lang=lang, detail=False))
    return {"index.png": images["png"], "index.svg": images["svg"]}
