"""Geodesic lengths on the WGS84 ellipsoid.

Every length is measured with :class:`pyproj.Geod` (GeographicLib) on the
full-resolution geometry, never as planar length in degrees. Functions take
longitude/latitude arrays in decimal degrees and return kilometres.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from .sources import load_countries

#: The WGS84 ellipsoid, used for every length in transcaspian.
GEOD = Geod(ellps="WGS84")
#: Spacing (km) at which lines are densified along the geodesic before they
#: are cut by country borders, so that planar cutting stays within metres.
SPLIT_SPACING_KM = 1.0
SEA = "sea"


def segment_lengths_km(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Geodesic length of each segment of a polyline.

    Parameters
    ----------
    lons, lats : array_like
        Vertex longitudes and latitudes in decimal degrees, same length n.

    Returns
    -------
    numpy.ndarray
        The n - 1 segment lengths in kilometres.

    Examples
    --------
    >>> float(segment_lengths_km([0, 1], [0, 0])[0].round(6))
    111.319491
    """
    lons = np.asarray(lons, dtype="float64")
    lats = np.asarray(lats, dtype="float64")
    if lons.shape != lats.shape:
        raise ValueError("lons and lats must have the same shape")
    if lons.size < 2:
        return np.zeros(0)
    _, _, dist_m = GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return np.asarray(dist_m) / 1000.0


def line_length_km(coords: Sequence[Sequence[float]] | np.ndarray | BaseGeometry) -> float:
    """Geodesic length of a polyline in kilometres.

    Parameters
    ----------
    coords : (n, 2) array_like of (lon, lat) degrees, or a shapely geometry
        A LineString, MultiLineString, Polygon (its rings) or coordinates.

    Returns
    -------
    float
        Length in kilometres on the WGS84 ellipsoid.
    """
    if isinstance(coords, BaseGeometry):
        if coords.is_empty:
            return 0.0
        return float(GEOD.geometry_length(coords)) / 1000.0
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    return float(segment_lengths_km(xy[:, 0], xy[:, 1]).sum())


def cumulative_km(coords: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Distance from the first vertex to each vertex, in kilometres.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in degrees.

    Returns
    -------
    numpy.ndarray
        n cumulative distances in kilometres, starting at 0.
    """
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    return np.concatenate([[0.0], np.cumsum(segment_lengths_km(xy[:, 0], xy[:, 1]))])


def section_km(coords: np.ndarray, start: int, end: int) -> float:
    """Length in kilometres of a polyline between two of its vertices.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in degrees.
    start, end : int
        Vertex indices; their order does not matter.
    """
    lo, hi = sorted((start, end))
    return line_length_km(np.asarray(coords)[lo : hi + 1])


def densify(coords: np.ndarray, spacing_km: float) -> np.ndarray:
    """Insert points along the geodesic so no segment exceeds ``spacing_km``.

    Uses :meth:`pyproj.Geod.npts`; the original vertices are kept, so the
    geodesic length of the result equals that of the input.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in degrees.
    spacing_km : float
        Largest segment length in kilometres after densifying.

    Returns
    -------
    numpy.ndarray
        (m, 2) array of (lon, lat), m >= n.
    """
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    if len(xy) < 2:
        return xy.copy()
    seg = segment_lengths_km(xy[:, 0], xy[:, 1])
    out = [xy[:1]]
    for (lon1, lat1), (lon2, lat2), length in zip(xy[:-1], xy[1:], seg):
        n = int(np.ceil(length / spacing_km)) - 1
        if n > 0:
            out.append(np.asarray(GEOD.npts(lon1, lat1, lon2, lat2, n)))
        out.append(np.array([[lon2, lat2]]))
    return np.concatenate(out)


class CountryIndex:
    """Country polygons with a spatial index, for per-country lengths.

    Parameters
    ----------
    codes : sequence of str
        ISO 3166 alpha-3 codes.
    polygons : sequence of shapely geometries
        The country (multi)polygons, lon/lat degrees, same order as ``codes``.
    """

    def __init__(self, codes: Sequence[str], polygons: Sequence[BaseGeometry]) -> None:
        self.codes = list(codes)
        self.polygons = list(polygons)
        for poly in self.polygons:
            shapely.prepare(poly)
        self.tree = STRtree(self.polygons)
        self.land = shapely.union_all(self.polygons)
        shapely.prepare(self.land)

    @classmethod
    def from_geojson(cls, collection: dict) -> "CountryIndex":
        """Build the index from a GeoJSON FeatureCollection with ``iso_a3``."""
        codes = [f["properties"]["iso_a3"] for f in collection["features"]]
        polys = [shapely.geometry.shape(f["geometry"]) for f in collection["features"]]
        return cls(codes, polys)

    @classmethod
    def shipped(cls) -> "CountryIndex":
        """The Natural Earth boundaries shipped with the package (:func:`transcaspian.sources.load_countries`)."""
        return cls.from_geojson(load_countries())

    def country_at(self, lon: float, lat: float) -> str:
        """ISO alpha-3 code of the country containing a point, or ``"sea"``."""
        point = shapely.Point(lon, lat)
        for i in self.tree.query(point, predicate="intersects"):
            return self.codes[int(i)]
        return SEA

    def on_land(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Boolean array: which points fall inside any country polygon."""
        return shapely.contains_xy(self.land, np.asarray(lons), np.asarray(lats))


def country_lengths_km(coords: np.ndarray, countries: CountryIndex) -> dict[str, float]:
    """Split a line's geodesic length by country, the rest as ``"sea"``.

    The line is densified along the geodesic to :data:`SPLIT_SPACING_KM`
    before it is cut by the borders, so the parts add up to the whole length
    to within metres.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in degrees.
    countries : CountryIndex
        The country polygons.

    Returns
    -------
    dict
        ISO alpha-3 code (or ``"sea"``) to kilometres, sorted by key, zero
        entries left out.
    """
    dense = densify(coords, SPLIT_SPACING_KM)
    line = shapely.LineString(dense)
    total = line_length_km(dense)
    parts: dict[str, float] = {}
    for i in countries.tree.query(line, predicate="intersects"):
        piece = shapely.intersection(line, countries.polygons[int(i)])
        length = line_length_km(piece)
        if length > 0:
            code = countries.codes[int(i)]
            parts[code] = parts.get(code, 0.0) + length
    sea = total - sum(parts.values())
    if sea > 1e-6:
        parts[SEA] = sea
    return dict(sorted(parts.items()))


def country_part(coords: np.ndarray, country: str, countries: CountryIndex) -> list[BaseGeometry]:
    """The pieces of a line inside one country, cut as :func:`country_lengths_km` cuts it.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in degrees.
    country : str
        ISO alpha-3 code.
    countries : CountryIndex
        The country polygons.

    Returns
    -------
    list of shapely geometries
        The intersection of the line, densified along the geodesic to
        :data:`SPLIT_SPACING_KM`, with each polygon of ``country``; their
        :func:`line_length_km` sum is the country's entry in
        :func:`country_lengths_km`. Empty when the line does not enter it.
    """
    line = shapely.LineString(densify(coords, SPLIT_SPACING_KM))
    return [
        shapely.intersection(line, countries.polygons[int(i)])
        for i in countries.tree.query(line, predicate="intersects")
        if countries.codes[int(i)] == country
    ]
