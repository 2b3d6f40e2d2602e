"""QGIS layer styles (QML) made from the shared line and marker styles.

The GeoPackage stores one QML document per layer in its ``layer_styles``
table, so QGIS draws each layer the way the web maps do as soon as it is
added: colour by layer, width by mode, dash pattern by status and route
accuracy (:func:`transcaspian.styles.line_style`), markers by place kind
(:data:`transcaspian.styles.PLACE_STYLES`).

Widths and dash lengths are written in points (``Point`` units in QGIS), as
:mod:`transcaspian.styles` specifies for the GIS files. The documents are
built with :mod:`xml.etree.ElementTree`, so every value is escaped, and they
are deterministic: rule keys are UUIDs derived from the layer name and rule
number, not random ones.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from transcaspian.styles import PLACE_STYLES, LineStyle, line_style

#: QGIS version written into the documents (the format has been stable since 3.10).
QGIS_VERSION = "3.34.0-Prizren"
#: ``layerGeometryType`` codes QGIS uses.
POINT_GEOMETRY, LINE_GEOMETRY = 0, 1
#: Marker outline, as on the web maps (white, 1 px there, 1 pt here), so
#: that markers stay visible on dark lines.
MARKER_OUTLINE = "#FFFFFF"
MARKER_OUTLINE_WIDTH_PT = 1.0
_NAMESPACE = uuid.UUID("8f0b2c1e-6c1a-4b8e-9d7e-3a5f2b1c0d4e")

#: Category columns of line features, in the order a rule names them.
LINE_KEYS = ("mode", "status", "route_accuracy")


def qgis_color(hex_rgb: str, alpha: int = 255) -> str:
    """QGIS colour string ``"r,g,b,a"`` from ``#RRGGBB``.

    Examples
    --------
    >>> qgis_color("#D55E00")
    '213,94,0,255'
    """
    value = hex_rgb.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected a #RRGGBB colour, got {hex_rgb!r}")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _key(layer: str, *parts: object) -> str:
    # QGIS identifies rules by key; stable keys keep two builds identical.
    return "{" + str(uuid.uuid5(_NAMESPACE, "/".join([layer, *map(str, parts)]))) + "}"


def _option_map(parent: ET.Element, options: dict[str, str], name: str | None = None) -> ET.Element:
    attrs = {"type": "Map"} if name is None else {"name": name, "type": "Map"}
    node = ET.SubElement(parent, "Option", attrs)
    for key in sorted(options):
        ET.SubElement(node, "Option", {"name": key, "type": "QString", "value": options[key]})
    return node


def _empty_data_defined(parent: ET.Element) -> None:
    ddp = ET.SubElement(parent, "data_defined_properties")
    node = ET.SubElement(ddp, "Option", {"type": "Map"})
    ET.SubElement(node, "Option", {"name": "name", "type": "QString", "value": ""})
    ET.SubElement(node, "Option", {"name": "properties"})
    ET.SubElement(node, "Option", {"name": "type", "type": "QString", "value": "collection"})


def _symbol(parent: ET.Element, kind: str, name: str) -> ET.Element:
    symbol = ET.SubElement(
        parent,
        "symbol",
        {
            "type": kind,
            "name": name,
            "alpha": "1",
            "clip_to_extent": "1",
            "force_rhr": "0",
            "frame_rate": "10",
            "is_animated": "0",
        },
    )
    _empty_data_defined(symbol)
    return symbol


def _fmt(value: float) -> str:
    return f"{value:g}"


def line_symbol(parent: ET.Element, name: str, style: LineStyle) -> ET.Element:
    """Append a QGIS line ``<symbol>`` drawing ``style`` (widths in CSS pixels, as the web maps draw them)."""
    symbol = _symbol(parent, "line", name)
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"})
    dash = style.dash or ()
    _option_map(
        layer,
        {
            "align_dash_pattern": "0",
            "capstyle": "round",
            # styles.py gives dashes in multiples of the width; QGIS wants lengths.
            "customdash": ";".join(_fmt(d * style.width) for d in dash) or "5;2",
            "customdash_map_unit_scale": "3x:0,0,0,0,0,0",
            "customdash_unit": "Pixel",
            "draw_inside_polygon": "0",
            "joinstyle": "round",
            "line_color": qgis_color(style.color),
            "line_style": "solid",
            "line_width": _fmt(style.width),
            "line_width_unit": "Pixel",
            "offset": "0",
            "offset_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset_unit": "Point",
            "ring_filter": "0",
            "trim_distance_end": "0",
            "trim_distance_start": "0",
            "use_custom_dash": "1" if dash else "0",
            "width_map_unit_scale": "3x:0,0,0,0,0,0",
        },
    )
    _empty_data_defined(layer)
    return symbol


def marker_symbol(parent: ET.Element, name: str, color: str, radius: float) -> ET.Element:
    """Append a QGIS circle-marker ``<symbol>``; ``radius`` in pixels, as the web maps (size = diameter)."""
    symbol = _symbol(parent, "marker", name)
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
    _option_map(
        layer,
        {
            "angle": "0",
            "cap_style": "square",
            "color": qgis_color(color),
            "horizontal_anchor_point": "1",
            "joinstyle": "bevel",
            "name": "circle",
            "offset": "0,0",
            "offset_map_unit_scale": "3x:0,0,0,0,0,0",
            "offset_unit": "Point",
            "outline_color": qgis_color(MARKER_OUTLINE),
            "outline_style": "solid",
            "outline_width": _fmt(MARKER_OUTLINE_WIDTH_PT),
            "outline_width_map_unit_scale": "3x:0,0,0,0,0,0",
            "outline_width_unit": "Pixel",
            "scale_method": "diameter",
            "size": _fmt(2 * radius),
            "size_map_unit_scale": "3x:0,0,0,0,0,0",
            "size_unit": "Pixel",
            "vertical_anchor_point": "1",
        },
    )
    _empty_data_defined(layer)
    return symbol


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def rule_filter(values: dict[str, str]) -> str:
    """QGIS expression matching features whose columns equal ``values``.

    Examples
    --------
    >>> rule_filter({"mode": "rail", "status": "planned"})
    '"mode" = \\'rail\\' AND "status" = \\'planned\\''
    """
    return " AND ".join(f'"{key}" = {_quote_literal(value)}' for key, value in values.items())


def _document() -> ET.Element:
    return ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})


def _serialise(root: ET.Element, geometry_type: int) -> str:
    ET.SubElement(root, "layerGeometryType").text = str(geometry_type)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def line_layer_qml(style_layer: str, categories: Iterable[Sequence[str]]) -> str:
    """QML with a rule-based renderer for a line layer.

    Parameters
    ----------
    style_layer : str
        The key of the layer's colour in :data:`transcaspian.styles.LAYER_COLORS`
        (a network layer id, or ``"routes"``).
    categories : iterable of (mode, status, route_accuracy)
        The combinations the layer holds; one rule each, in the given order,
        labelled ``"mode · status · route_accuracy"``. An ``ELSE`` rule in the
        layer colour catches features edited to any other combination.

    Returns
    -------
    str
        The QML document.
    """
    root = _document()
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "RuleRenderer", "enableorderby": "0", "forceraster": "0", "referencescale": "-1", "symbollevels": "0"},
    )
    rules = ET.SubElement(renderer, "rules", {"key": _key(style_layer, "root")})
    symbols = ET.SubElement(renderer, "symbols")
    unique = list(dict.fromkeys(tuple(c) for c in categories))
    for i, combo in enumerate(unique):
        values = dict(zip(LINE_KEYS, combo))
        ET.SubElement(
            rules,
            "rule",
            {"key": _key(style_layer, i), "symbol": str(i), "label": " · ".join(v.replace("_", " ") for v in combo), "filter": rule_filter(values)},
        )
        line_symbol(symbols, str(i), line_style(style_layer, *combo))
    other = len(unique)
    ET.SubElement(rules, "rule", {"key": _key(style_layer, "else"), "symbol": str(other), "label": "other", "filter": "ELSE"})
    line_symbol(symbols, str(other), line_style(style_layer, "", "", ""))
    return _serialise(root, LINE_GEOMETRY)


def point_layer_qml(kinds: Iterable[str], column: str = "kind") -> str:
    """QML with a categorized renderer on place ``kind`` (circle markers).

    Parameters
    ----------
    kinds : iterable of str
        The kinds the layer holds, in legend order.
    column : str
        The attribute the categories are read from.

    Returns
    -------
    str
        The QML document; marker diameter = 2 x the web radius, in points.
    """
    root = _document()
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {"type": "categorizedSymbol", "attr": column, "enableorderby": "0", "forceraster": "0", "referencescale": "-1", "symbollevels": "0"},
    )
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, kind in enumerate(dict.fromkeys(kinds)):
        ET.SubElement(cats, "category", {"symbol": str(i), "value": kind, "label": kind.replace("_", " "), "render": "true", "type": "string"})
        color, radius = PLACE_STYLES.get(kind, ("#666666", 3.0))
        marker_symbol(symbols, str(i), color, radius)
    source = ET.SubElement(renderer, "source-symbol")
    marker_symbol(source, "0", "#666666", 3.0)
    return _serialise(root, POINT_GEOMETRY)
