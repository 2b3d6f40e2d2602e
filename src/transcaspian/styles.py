"""One set of line and marker styles, shared by the web maps and the GIS files.

Colours are by layer, widths by mode, dash patterns by status and route
accuracy, so a planned cable looks the same in QGIS (QML in the GeoPackage),
in Google Earth (KML) and in the browser (folium).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Basemap colours (web offline basemap and static images): land, sea, borders.
BASEMAP_LAND = "#f3f1ec"
BASEMAP_SEA = "#cadfeb"
BASEMAP_BORDER = "#9a9a9a"

#: Colour of each network layer (hex RGB): the Okabe–Ito hues, which people
#: with the common forms of colour blindness tell apart, darkened (HLS
#: lightness only) until each has at least 3:1 contrast (WCAG 2.x) against
#: both the land and the sea of the basemap (see :func:`contrast_ratio`).
LAYER_COLORS: dict[str, str] = {
    "middle_corridor": "#CB5900",  # vermillion, darkened
    "fiber": "#0072B2",  # blue
    "power_cables": "#BE548F",  # reddish purple, darkened
    "btc_pipeline": "#000000",  # black
    "routes": "#008A64",  # bluish green, darkened
}

#: Line width of each mode, in CSS pixels (web) and points (QGIS, KML); at
#: least 1 px apart where two modes share a layer, so they can be told apart.
MODE_WIDTHS: dict[str, float] = {
    "rail": 4.0,
    "ferry": 3.0,
    "subsea_cable": 3.0,
    "land_cable": 2.0,
    "pipeline": 5.0,
}

#: Dash pattern of each status and accuracy, as SVG ``stroke-dasharray``
#: lengths in line widths; ``None`` is a solid line. Status wins over
#: accuracy except for illustrative geometry, which is always dotted.
STATUS_DASH: dict[str, tuple[float, ...] | None] = {
    "operational": None,
    "under_construction": (6.0, 3.0),
    "planned": (4.0, 4.0),
    "proposed": (4.0, 4.0),
}
ILLUSTRATIVE_DASH: tuple[float, ...] = (1.0, 3.0)
#: Ferries are drawn with a long dash even when operational, as on charts.
FERRY_DASH: tuple[float, ...] = (10.0, 5.0)

#: Marker colour and radius (px) of each place kind.
#: Darkened as :data:`LAYER_COLORS` to 3:1 against land and sea.
PLACE_STYLES: dict[str, tuple[str, float]] = {
    "port": ("#0072B2", 5.0),
    "terminal": ("#000000", 5.0),
    "pump_station": ("#555555", 4.0),
    "landing_point": ("#1881BB", 4.0),
    "border_crossing": ("#008A64", 4.0),
    "junction": ("#7A7A7A", 3.0),
    "substation": ("#BE548F", 4.0),
    "city": ("#444444", 3.0),
}


@dataclass(frozen=True)
class LineStyle:
    """The look of one line: colour, width and dash pattern."""

    color: str
    width: float
    dash: tuple[float, ...] | None

    def dasharray(self) -> str | None:
        """SVG/Leaflet ``dashArray`` in pixels, e.g. ``"12 6"``; None if solid."""
        if not self.dash:
            return None
        return " ".join(f"{d * self.width:g}" for d in self.dash)


def line_style(layer: str, mode: str, status: str, route_accuracy: str) -> LineStyle:
    """Style of a leg or route from its layer, mode, status and accuracy.

    Parameters
    ----------
    layer, mode, status, route_accuracy : str
        The feature's attributes (unknown values fall back to grey, 2 px).
    """
    color = LAYER_COLORS.get(layer, "#666666")
    width = MODE_WIDTHS.get(mode, 2.0)
    if route_accuracy == "illustrative":
        dash: tuple[float, ...] | None = ILLUSTRATIVE_DASH
    elif STATUS_DASH.get(status) is not None:
        dash = STATUS_DASH[status]
    elif mode == "ferry":
        dash = FERRY_DASH
    else:
        dash = None
    return LineStyle(color, width, dash)


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of a ``#RRGGBB`` colour (0 black .. 1 white)."""
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#RRGGBB`` colours (1 .. 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
