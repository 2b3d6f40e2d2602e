"""Build Shapely geometry from the curated records.

Places become Points, legs become LineStrings through their ordered paths,
routes become the concatenation of their legs. Each line keeps the vertex
index of every place it passes, so lengths can be measured between any two
places of a leg or route. Coordinates are (lon, lat) in degrees, as in
GeoJSON; :func:`latlon` gives the (lat, lon) order folium wants.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from transcaspian.errors import DataError
from transcaspian.network.records import Geodata, Leg, Route, Waypoint

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Line:
    """A built leg or route: its coordinates and where its places fall.

    Attributes
    ----------
    id : str
        Leg or route id.
    coords : numpy.ndarray
        (n, 2) array of (lon, lat) degrees, full resolution.
    place_vertices : tuple of (str, int)
        Each place the line passes, in order, with its vertex index.
    """

    id: str
    coords: np.ndarray
    place_vertices: tuple[tuple[str, int], ...]

    def vertex_of(self, place_id: str) -> int:
        """Vertex index of a place on this line (first occurrence)."""
        for pid, index in self.place_vertices:
            if pid == place_id:
                return index
        raise DataError(f"place {place_id!r} is not on {self.id!r}; choose one of {', '.join(p for p, _ in self.place_vertices)}")

    @property
    def geometry(self) -> shapely.LineString:
        """The line as a Shapely LineString, (lon, lat) degrees."""
        return shapely.LineString(self.coords)


def latlon(coords: np.ndarray) -> list[list[float]]:
    """Swap (lon, lat) GeoJSON order to the (lat, lon) order folium takes."""
    return [[float(lat), float(lon)] for lon, lat in np.asarray(coords).reshape(-1, 2)]


def build_leg(leg: Leg, geodata: Geodata) -> Line:
    """Coordinates of one leg through its places and waypoints."""
    coords = []
    placed = []
    for item in leg.path:
        if isinstance(item, Waypoint):
            coords.append((item.lon, item.lat))
        else:
            place = geodata.places[item]
            placed.append((item, len(coords)))
            coords.append((place.lon, place.lat))
    return Line(leg.id, np.asarray(coords, dtype="float64"), tuple(placed))


def build_route(route: Route, lines: dict[str, Line], geodata: Geodata) -> Line:
    """Chain the legs of a route end to end into one line.

    Raises
    ------
    DataError
        When a leg does not start where the previous one ends.
    """
    coords: list[np.ndarray] = []
    placed: list[tuple[str, int]] = []
    previous: Leg | None = None
    for lid in route.legs:
        leg = geodata.legs[lid]
        line = lines[lid]
        offset = 0
        if previous is not None:
            if previous.path[-1] != leg.path[0]:
                raise DataError(
                    f"leg {lid!r} starts at {leg.path[0]!r} but {previous.id!r} ends at {previous.path[-1]!r}; "
                    "consecutive legs must meet at the same place",
                    file="routes.toml",
                    record=f"route '{route.id}'",
                    field="legs",
                )
            offset = 1  # the shared junction vertex is kept once
        base = sum(len(c) for c in coords) - offset
        coords.append(line.coords[offset:])
        for pid, index in line.place_vertices:
            if offset and index == 0:
                continue
            placed.append((pid, base + index))
        previous = leg
    return Line(route.id, np.concatenate(coords), tuple(placed))


@dataclass(frozen=True)
class Network:
    """The built network: lines for every leg and route, and the records."""

    geodata: Geodata
    legs: dict[str, Line]
    routes: dict[str, Line]


def build_network(geodata: Geodata) -> Network:
    """Build every leg and route of a geodata set."""
    legs = {lid: build_leg(leg, geodata) for lid, leg in geodata.legs.items()}
    routes = {rid: build_route(r, legs, geodata) for rid, r in geodata.routes.items()}
    return Network(geodata, legs, routes)


def places_frame(geodata: Geodata) -> gpd.GeoDataFrame:
    """Places as a GeoDataFrame (index ``id``; EPSG:4326)."""
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "country": p.country,
            "source": p.source,
            "references": [r.as_record() for r in p.references],
            "geometry": shapely.Point(p.lon, p.lat),
        }
        for p in geodata.places.values()
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS).set_index("id", drop=False)
