"""One set of line and marker styles, shared by the web maps and the GIS files.

Colours are by layer, widths by mode, dash patterns by status and route
accuracy, so a planned cable looks the same in QGIS (QML in the GeoPackage),
in Google Earth (KML) and in the browser (folium).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Colour of each network layer (hex RGB), chosen to be told apart by people
#: with the common forms of colour blindness (Okabe–Ito palette).
LAYER_COLORS: dict[str, str] = {
    "middle_corridor": "#D55E00",  # vermillion
    "fiber": "#0072B2",  # blue
    "power_cables": "#CC79A7",  # reddish purple
    "btc_pipeline": "#000000",  # black
    "routes": "#E69F00",  # orange
}

#: Line width of each mode, in CSS pixels (web) and points (QGIS, KML).
MODE_WIDTHS: dict[str, float] = {
    "rail": 3.0,
    "ferry": 2.5,
    "subsea_cable": 2.5,
    "land_cable": 2.0,
    "pipeline": 3.5,
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
PLACE_STYLES: dict[str, tuple[str, float]] = {
    "port": ("#0072B2", 5.0),
    "terminal": ("#000000", 5.0),
    "pump_station": ("#555555", 4.0),
    "landing_point": ("#56B4E9", 4.0),
    "border_crossing": ("#009E73", 4.0),
    "junction": ("#999999", 3.0),
    "substation": ("#CC79A7", 4.0),
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
