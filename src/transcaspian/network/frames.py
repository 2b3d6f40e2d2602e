"""Assemble the measured layers: one GeoDataFrame row per leg or route.

This is the table every output is made from (GeoJSON, GeoPackage, KML, CSV,
the maps): the records' attributes, the geometry, and the geodesic lengths.
"""

from __future__ import annotations

import geopandas as gpd

from transcaspian.geo.countries import CountryIndex, chained_country_lengths_km, country_lengths_km
from transcaspian.geo.geodesy import line_length_km
from transcaspian.network.lines import CRS, Line, Network
from transcaspian.network.records import Geodata, worst_accuracy

#: Columns of a leg or route row, in output order (geometry last).
LINE_COLUMNS = (
    "id",
    "name",
    "layer",
    "mode",
    "status",
    "status_as_of",
    "status_source",
    "route_accuracy",
    "operator",
    "capacity",
    "capacity_mw",
    "capacity_tbps",
    "length_km",
    "country_lengths_km",
    "start_place",
    "end_place",
    "places",
    "sources",
    "events",
    "notes",
)


def _source_list(geodata: Geodata, ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {"id": s.id, "publisher": s.publisher, "title": s.title, "url": s.url, "date": s.date}
        for s in (geodata.sources[i] for i in ids)
    ]


def _measured(line: Line, countries: CountryIndex, chained: list[dict[str, float]] | None = None) -> dict[str, object]:
    """The columns every line has: lengths, end places, places passed, geometry.

    ``chained``: the per-country lengths of the lines this one chains, when
    it is a route (:func:`~transcaspian.geo.countries.chained_country_lengths_km`).
    """
    length = line_length_km(line.coords)
    return {
        "length_km": length,
        "country_lengths_km": country_lengths_km(line.coords, countries) if chained is None else chained_country_lengths_km(chained, length),
        "start_place": line.place_vertices[0][0],
        "end_place": line.place_vertices[-1][0],
        "places": [p for p, _ in line.place_vertices],
        "geometry": line.geometry,
    }


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """Rows to a frame indexed by id, columns in :data:`LINE_COLUMNS` order."""
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).set_index("id", drop=False)
    order = [c for c in LINE_COLUMNS if c in frame] + [c for c in frame if c not in LINE_COLUMNS]
    return frame[order]


def legs_frame(network: Network, countries: CountryIndex) -> gpd.GeoDataFrame:
    """Every leg with its attributes and geodesic lengths.

    Parameters
    ----------
    network : Network
        The built network.
    countries : CountryIndex
        Country polygons for the per-country split.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg in file order, index = leg id, EPSG:4326. ``length_km``
        is the WGS84 geodesic length of the full-resolution line;
        ``country_lengths_km`` maps ISO alpha-3 (or ``"sea"``) to km.
    """
    gd = network.geodata
    rows = []
    for lid, leg in gd.legs.items():
        rows.append(
            {
                "id": lid,
                "name": leg.name,
                "layer": leg.layer,
                "mode": leg.mode,
                "status": leg.status,
                "status_as_of": leg.status_as_of or None,
                "status_source": leg.status_source or None,
                "route_accuracy": leg.route_accuracy,
                "operator": leg.operator,
                "capacity": leg.capacity,
                "capacity_mw": leg.capacity_mw,
                "capacity_tbps": leg.capacity_tbps,
                "sources": _source_list(gd, leg.sources),
                "events": [e.as_record() for e in leg.events],
                "notes": leg.notes,
                **_measured(network.legs[lid], countries),
            }
        )
    return _frame(rows)


def routes_frame(network: Network, countries: CountryIndex, leg_frame: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Every route as one line, with its legs' attributes summarised.

    Columns as :func:`legs_frame`, plus ``legs`` (leg ids in order); ``mode``
    is ``"multimodal"`` and ``status`` ``"mixed"`` where the legs differ;
    ``status_as_of`` is the oldest of the legs' dates, ``events`` is empty
    (each leg keeps its own history). Given ``leg_frame`` (:func:`legs_frame`),
    a route's per-country lengths are its legs' added up instead of the
    route being cut by the borders again.
    """
    gd = network.geodata
    rows = []
    for rid, route in gd.routes.items():
        legs = [gd.legs[lid] for lid in route.legs]
        modes = sorted({leg.mode for leg in legs})
        statuses = sorted({leg.status for leg in legs})
        accuracy = worst_accuracy(leg.route_accuracy for leg in legs)
        # a route's status is only as recent as its least recently confirmed leg
        as_of = min((leg.status_as_of for leg in legs if leg.status_as_of), default=None)
        rows.append(
            {
                "id": rid,
                "name": route.name,
                "layer": route.layer,
                "mode": modes[0] if len(modes) == 1 else "multimodal",
                "status": statuses[0] if len(statuses) == 1 else "mixed",
                "status_as_of": as_of,
                "status_source": None,
                "route_accuracy": accuracy,
                "operator": "",
                "capacity": "",
                "capacity_mw": None,
                "capacity_tbps": None,
                "sources": _source_list(gd, route.sources),
                "events": [],
                "notes": route.notes,
                **_measured(network.routes[rid], countries, None if leg_frame is None else [leg_frame.at[lid, "country_lengths_km"] for lid in route.legs]),
                "legs": list(route.legs),
            }
        )
    return _frame(rows)
