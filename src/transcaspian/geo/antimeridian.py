"""Lines that cross the antimeridian (180° E = 180° W), for measuring and drawing.

A line from Tokyo (139.7° E) to San Francisco (122.4° W) is written with a
longitude jump of 262°: the geodesic between the two vertices goes east,
across the Pacific, but a planar line in lon/lat goes west, across Asia,
Europe and the Atlantic. Cutting such a line by country borders in lon/lat
(as :mod:`transcaspian.geo.countries` does) or drawing it in Leaflet would
follow the wrong way round the world.

The rule here, the one RFC 7946 (section 3.1.9) asks writers to follow: a
segment whose longitude changes by more than 180° crosses the antimeridian,
and the line is split there into parts that each stay within [-180°, 180°].
Longitudes outside that range (some tools write 200° for -160°) are wrapped
into it first. The functions are pure and work on (n, 2) lon/lat arrays, so
the per-country cut and the map both call them.

The crossing latitude is where the segment's WGS84 geodesic meets the
antimeridian (found by bisection along the geodesic with
:meth:`pyproj.Geod.fwd`), so the parts add up to the segment's length
however long it is.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from transcaspian.geo.geodesy import GEOD

__all__ = ["wrap_longitudes", "crosses_antimeridian", "crossing_latitude", "split_at_antimeridian", "split_line"]


def wrap_longitudes(lons: np.ndarray) -> np.ndarray:
    """Longitudes wrapped into [-180, 180]; values already in range are unchanged.

    Examples
    --------
    >>> wrap_longitudes(np.array([200.0, -190.0, 180.0, -180.0])).tolist()
    [-160.0, 170.0, 180.0, -180.0]
    """
    lons = np.asarray(lons, dtype="float64")
    out = lons.copy()
    outside = (lons > 180.0) | (lons < -180.0)
    out[outside] = (lons[outside] + 180.0) % 360.0 - 180.0
    return out


def crosses_antimeridian(coords: np.ndarray) -> bool:
    """True when some segment of the (wrapped) line jumps by more than 180° of longitude."""
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2)
    if len(xy) < 2:
        return False
    return bool(np.any(np.abs(np.diff(wrap_longitudes(xy[:, 0]))) > 180.0))


def crossing_latitude(lon1: float, lat1: float, lon2: float, lat2: float, edge: float) -> float:
    """Latitude where the geodesic from (lon1, lat1) to (lon2, lat2) meets longitude ``edge`` (±180).

    Bisection on the distance along the geodesic (60 steps: far below a
    millimetre); the longitude change from ``lon1`` grows monotonically
    along a geodesic that does not pass over a pole.
    """
    if lon1 == edge:  # the segment starts on the antimeridian: no longitude change to search for
        return float(lat1)
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    target = edge - lon1  # the longitude change at the crossing (positive going east)
    lo, hi = 0.0, float(dist)
    lat = float(lat1)
    for _ in range(60):
        mid = (lo + hi) / 2.0
        lon, lat, _ = GEOD.fwd(lon1, lat1, az, mid)
        change = (lon - lon1 + 540.0) % 360.0 - 180.0
        if (change < target) if target > 0 else (change > target):
            lo = mid
        else:
            hi = mid
    return float(lat)


def split_at_antimeridian(coords: np.ndarray) -> list[np.ndarray]:
    """Split a lon/lat polyline where it crosses the antimeridian.

    Parameters
    ----------
    coords : (n, 2) array_like
        (lon, lat) vertices in decimal degrees; longitudes may be outside
        [-180, 180] (they are wrapped).

    Returns
    -------
    list of numpy.ndarray
        The parts in order, each an (m, 2) array with longitudes in
        [-180, 180]; a part that ends at the antimeridian ends at exactly
        +180 or -180 and the next starts on the other side at the same
        latitude. One part (the wrapped input) when the line does not cross.
        Parts of a single vertex are dropped.

    Examples
    --------
    >>> [p.round(3).tolist() for p in split_at_antimeridian([[170.0, 0.0], [-170.0, 0.0]])]
    [[[170.0, 0.0], [180.0, 0.0]], [[-180.0, 0.0], [-170.0, 0.0]]]
    """
    xy = np.asarray(coords, dtype="float64").reshape(-1, 2).copy()
    if len(xy) == 0:
        return []
    xy[:, 0] = wrap_longitudes(xy[:, 0])
    jumps = np.flatnonzero(np.abs(np.diff(xy[:, 0])) > 180.0)
    if len(jumps) == 0:
        return [xy]
    parts: list[np.ndarray] = []
    start = 0
    head: np.ndarray | None = None
    for i in jumps:
        (lon1, lat1), (lon2, lat2) = xy[i], xy[i + 1]
        # Going east over +180 (lon2 < lon1) or west over -180 (lon2 > lon1).
        edge = 180.0 if lon2 < lon1 else -180.0
        lat = crossing_latitude(lon1, lat1, lon2, lat2, edge)
        body = xy[start : i + 1]
        part = body if head is None else np.vstack([head, body])
        part = np.vstack([part, [[edge, lat]]])
        parts.append(part)
        head = np.array([[-edge, lat]])
        start = int(i) + 1
    tail = xy[start:]
    parts.append(tail if head is None else np.vstack([head, tail]))
    # Drop zero-length parts (a vertex exactly on the antimeridian).
    return [p for p in parts if len(p) >= 2 and np.any(p[1:] != p[:-1])]


def split_line(geom: BaseGeometry) -> BaseGeometry:
    """A LineString or MultiLineString split at the antimeridian (other geometries unchanged).

    Returns a LineString when nothing was split, else a MultiLineString of
    the parts; the geodesic length (:func:`transcaspian.geo.geodesy.line_length_km`)
    of the result equals that of the input to within the interpolation of
    the crossing points.
    """
    if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "LinearRing", "MultiLineString"):
        return geom
    lines = list(getattr(geom, "geoms", [geom]))
    parts = [p for line in lines for p in split_at_antimeridian(np.asarray(line.coords)[:, :2])]
    if len(parts) == 1 and geom.geom_type != "MultiLineString":
        return shapely.LineString(parts[0])
    return shapely.MultiLineString(parts)
