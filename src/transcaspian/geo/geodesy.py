"""Geodesic lengths on the WGS84 ellipsoid.

Every length is measured with :class:`pyproj.Geod` (GeographicLib) on the
full-resolution geometry, never as planar length in degrees. Functions take
longitude/latitude arrays in decimal degrees and return kilometres.
:func:`line_lengths_m` is the one exception, for pages that show the length
of every one of 100,000 lines: segments shorter than
:data:`SHORT_SEGMENT_M` are measured in closed form (numpy), within
a tenth of a millimetre of GeographicLib; longer ones still go to pyproj.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry

from transcaspian.errors import CoordinateError

#: The WGS84 ellipsoid, used for every length in transcaspian.
GEOD = Geod(ellps="WGS84")
#: Spacing (km) at which lines are densified along the geodesic before they
#: are cut by country borders, so that planar cutting stays within metres.
SPLIT_SPACING_KM = 1.0
#: Segments up to this long (chord, metres) are measured by :func:`line_lengths_m`
#: in closed form: there it is within 0.1 mm of GeographicLib.
SHORT_SEGMENT_M = 20_000.0
#: Largest longitude magnitude taken as degrees: unwrapped lines go past ±180, metres of a projected CRS far past this.
MAX_UNWRAPPED_LON = 720.0


def _vertex_arrays(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    lons, lats = np.asarray(lons, dtype="float64"), np.asarray(lats, dtype="float64")
    if lons.shape != lats.shape:
        raise ValueError("lons and lats must have the same shape")
    return lons, lats


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
    lons, lats = _vertex_arrays(lons, lats)
    if lons.size < 2:
        return np.zeros(0)
    _, _, dist_m = GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return np.asarray(dist_m) / 1000.0


def line_lengths_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic distance between consecutive vertices, as :meth:`pyproj.Geod.line_lengths`, faster.

    A short geodesic is its chord through the ellipsoid lengthened by the
    curvature of the surface: ``s = c (1 + c**2 / (24 R**2))``, with ``c``
    the straight-line distance between the two points in Earth-centred
    coordinates and ``R`` the radius of curvature, whose neglected
    terms are of order ``c**5 / R**4``. Taking ``R`` as the Gaussian mean
    radius at the first point (within 0.7 % of the radius in any direction)
    stays within a micrometre of GeographicLib up to 3 km and 0.1 mm at
    20 km (tests/geo/test_geodesy.py). Segments
    longer than :data:`SHORT_SEGMENT_M` go to GeographicLib (pyproj), which
    computes one inverse problem per segment, about ten times slower.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertex longitudes and latitudes (degrees), same length n.

    Returns
    -------
    numpy.ndarray
        The n - 1 distances in metres.

    Examples
    --------
    >>> float(line_lengths_m(np.array([0.0, 0.01]), np.array([0.0, 0.0]))[0].round(6))
    1113.194908
    """
    lon, lat = _vertex_arrays(lon, lat)
    if lon.size < 2:
        return np.zeros(0)
    a, f = GEOD.a, GEOD.f
    e2 = f * (2.0 - f)
    phi, lam = np.radians(lat), np.radians(lon)
    sin_phi, cos_phi = np.sin(phi), np.cos(phi)
    w = 1.0 - e2 * sin_phi * sin_phi
    n = a / np.sqrt(w)  # prime vertical radius of curvature
    x, y, z = n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1.0 - e2) * sin_phi
    chord = np.sqrt(np.diff(x) ** 2 + np.diff(y) ** 2 + np.diff(z) ** 2)
    # Gaussian mean radius sqrt(M N) = N sqrt(1 - e2) / sqrt(w)
    radius2 = (n[:-1] * n[:-1]) * (1.0 - e2) / w[:-1]
    out = chord * (1.0 + chord * chord / (24.0 * radius2))
    long = np.flatnonzero(chord > SHORT_SEGMENT_M)
    if long.size:
        _, _, dist = GEOD.inv(lon[long], lat[long], lon[long + 1], lat[long + 1])
        out[long] = dist
    return out


def line_length_km(coords: Sequence[Sequence[float]] | np.ndarray | BaseGeometry, *, crs: Any = None) -> float:
    """Geodesic length of a polyline, or of the lines and rings of a geometry, in kilometres.

    Parameters
    ----------
    coords : (n, 2) array_like of (lon, lat) degrees, or a shapely geometry
        Coordinates of one polyline, or a geometry: a LineString its length, a
        Polygon its perimeter (every ring, holes included), a multi-part
        geometry or collection the sum of its parts, a Point 0. Z is ignored.
    crs : pyproj.CRS or anything it accepts, optional
        The CRS of the coordinates. Projected coordinates (metres of a UTM
        zone, say) are transformed to WGS84 longitude/latitude first; without
        a CRS the coordinates must be longitude/latitude degrees.

    Returns
    -------
    float
        Length in kilometres on the WGS84 ellipsoid.

    Raises
    ------
    CoordinateError
        When coordinates given without a CRS are not longitude/latitude
        degrees (the geodesic of such numbers would be NaN).

    Examples
    --------
    One degree of longitude on the equator is the equatorial radius times
    pi / 180: 111.319491 km.

    >>> round(line_length_km([(0, 0), (1, 0)]), 6)
    111.319491

    The same line in UTM zone 31N (metres):

    >>> import shapely
    >>> from pyproj import Transformer
    >>> utm = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)
    >>> line = shapely.LineString(list(zip(*utm.transform([0, 1], [0, 0]))))
    >>> round(line_length_km(line, crs="EPSG:32631"), 6)
    111.319491
    """
    if isinstance(coords, BaseGeometry):
        if coords.is_empty:
            return 0.0
        if crs is not None:
            coords = shapely.transform(coords, _to_lonlat(crs), include_z=False)
        lengths = [_lonlat_length_m(shapely.get_coordinates(part)) for part in linear_parts(coords)]
        return float(sum(lengths)) / 1000.0
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    if crs is not None:
        xy = _to_lonlat(crs)(xy)
    check_lonlat_degrees(xy[:, 0], xy[:, 1])
    return float(segment_lengths_km(xy[:, 0], xy[:, 1]).sum())


def linear_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """The lines and polygon rings of a geometry (holes included), in order; none for points."""
    kind = geom.geom_type
    if kind in ("LineString", "LinearRing"):
        return [geom]
    if kind == "Polygon":
        return list(shapely.get_rings(geom))
    if kind.startswith("Multi") or kind == "GeometryCollection":
        return [p for g in getattr(geom, "geoms", ()) for p in linear_parts(g)]
    return []


def _lonlat_length_m(xy: np.ndarray) -> float:
    if len(xy) < 2:
        return 0.0
    lon, lat = xy[:, 0], xy[:, 1]
    check_lonlat_degrees(lon, lat)
    # GEOD.line_length, as pyproj's geometry_length uses it: the same sum, bit for bit.
    return float(GEOD.line_length(lon, lat))


def check_lonlat_degrees(lon: np.ndarray, lat: np.ndarray) -> None:
    """Raise :class:`CoordinateError` unless every point is a longitude/latitude in degrees.

    A geodesic between numbers out of that range (metres of a projected CRS)
    is NaN, which would otherwise pass silently through sums. Longitudes may
    be unwrapped (a line across 180° written as 170, 190): GeographicLib
    measures them as they are, so up to two turns either way pass.
    """
    bad = ~((np.abs(lon) <= MAX_UNWRAPPED_LON) & (np.abs(lat) <= 90.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CoordinateError(
            f"coordinate ({lon[i]:.6g}, {lat[i]:.6g}) is not longitude/latitude in degrees; "
            "pass the CRS of projected coordinates (crs=...) or reproject them to EPSG:4326 first"
        )


def _to_lonlat(crs: Any) -> Callable[[np.ndarray], np.ndarray]:
    transformer = Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)

    def transform(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return transform


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

    Places the points as :meth:`pyproj.Geod.npts` does (evenly along each
    segment's geodesic), with one vectorised :meth:`pyproj.Geod.fwd` call
    for the whole line; the original vertices are kept, so the geodesic
    length of the result equals that of the input.

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
    az, _, dist_m = GEOD.inv(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    seg = np.asarray(dist_m) / 1000.0
    inserted = np.maximum(np.ceil(seg / spacing_km).astype(np.int64) - 1, 0)
    if not inserted.any():
        return xy.copy()
    # All segments at once: every inserted point is one forward problem from the
    # segment's start, at k / (n + 1) of its length, as Geod.npts spaces them.
    at = np.concatenate([[0], np.cumsum(inserted + 1)])
    out = np.empty((int(at[-1]) + 1, 2))
    out[at] = xy
    seg_of = np.repeat(np.arange(len(inserted)), inserted)
    k = np.arange(len(seg_of)) - np.repeat(np.cumsum(inserted) - inserted, inserted) + 1
    lon, lat, _ = GEOD.fwd(xy[seg_of, 0], xy[seg_of, 1], np.asarray(az)[seg_of], np.asarray(dist_m)[seg_of] * k / (inserted[seg_of] + 1))
    rows = at[seg_of] + k
    out[rows, 0] = lon
    out[rows, 1] = lat
    return out
