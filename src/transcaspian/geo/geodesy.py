"""Geodesic lengths on the WGS84 ellipsoid.

Every length is measured with :class:`pyproj.Geod` (GeographicLib) on the
full-resolution geometry, never as planar length in degrees. Functions take
longitude/latitude arrays in decimal degrees and return kilometres.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

#: The WGS84 ellipsoid, used for every length in transcaspian.
GEOD = Geod(ellps="WGS84")
#: Spacing (km) at which lines are densified along the geodesic before they
#: are cut by country borders, so that planar cutting stays within metres.
SPLIT_SPACING_KM = 1.0


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
