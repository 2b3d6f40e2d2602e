"""Measure the features of anyone's vector files, in batches, vectorised.

Every line or polygon feature gets its geodesic length on the WGS84 ellipsoid
in kilometres: a (Multi)LineString its length, a (Multi)Polygon its
**perimeter** (every ring, holes included), a GeometryCollection the sum of
its lines and polygon rings. Points have no length: they are counted and
listed as not measured. Heights (z) are ignored.

The work is vectorised per batch of features, not per feature: all vertices of
the batch come out of shapely as one array (:func:`shapely.get_coordinates`
with ``return_index``), are reprojected in one pyproj call, measured in one
:meth:`pyproj.Geod.line_lengths` call (GeographicLib's inverse problem between
consecutive vertices), and the segment lengths summed per feature with
:func:`numpy.bincount`, after zeroing the "segments" that join the last
vertex of one path to the first of the next. Memory is bounded by the batch
size, not the file size.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from transcaspian.geo.countries import SEA, CountryIndex, country_lengths_km
from transcaspian.geo.countrygrid import CountryGrid, split_paths_km
from transcaspian.geo.geodesy import GEOD, SPLIT_SPACING_KM, densify, line_length_km
from transcaspian.userdata.batches import Batch, VectorSource
from transcaspian.userdata.reading import check_lonlat
from transcaspian.userdata.writers import (  # noqa: F401  (re-exported: the measuring API)
    WRITERS,
    FeatureRow,
    FileSummary,
    Progress,
    Writer,
    atomic_open,
)

#: Key of the length outside the shipped country boundaries' extent.
OUTSIDE = "outside_region"
FORMATS = ("table", "json", "csv", "geojson")

# shapely type ids
_LINESTRING, _LINEARRING, _POLYGON = 1, 2, 3
_MULTI_OR_COLLECTION = 4  # MultiPoint=4 ... GeometryCollection=7
_TYPE_NAMES = np.array(
    ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"],
    dtype=object,
)


# -- the vectorised core -----------------------------------------------------------


def linear_paths(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines and polygon rings of each geometry, flattened.

    Parameters
    ----------
    geometries : numpy.ndarray of shapely geometries (or None)

    Returns
    -------
    paths : numpy.ndarray of LineString / LinearRing
        Every linear path: lines, and the exterior and interior rings of
        polygons, at any depth of multi-part and collection nesting.
    owner : numpy.ndarray of int
        For each path, the index of its geometry in ``geometries``.
    """
    types = shapely.get_type_id(geometries)
    if np.all(types == _LINESTRING):  # the common case: no splitting needed
        return geometries, np.arange(len(geometries))
    parts, owner = shapely.get_parts(geometries, return_index=True)
    ptypes = shapely.get_type_id(parts)
    while np.any(ptypes >= _MULTI_OR_COLLECTION):  # collections of multi-parts
        nested = ptypes >= _MULTI_OR_COLLECTION
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
        ptypes = shapely.get_type_id(parts)
    lines = (ptypes == _LINESTRING) | (ptypes == _LINEARRING)
    polygons = ptypes == _POLYGON
    rings, ring_owner = shapely.get_rings(parts[polygons], return_index=True)
    paths = np.concatenate([parts[lines], rings])
    return paths, np.concatenate([owner[lines], owner[polygons][ring_owner]])


def path_lengths_m(lon: np.ndarray, lat: np.ndarray, vertex_path: np.ndarray, n_paths: int) -> np.ndarray:
    """Geodesic length of each path, from the vertices of all paths at once.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertex longitudes and latitudes in WGS84 degrees, paths one after
        the other.
    vertex_path : numpy.ndarray of int
        For each vertex, the index of its path (non-decreasing).
    n_paths : int
        Number of paths.

    Returns
    -------
    numpy.ndarray
        Length of each path in metres.
    """
    if lon.size < 2:
        return np.zeros(n_paths)
    # One GeographicLib call for every consecutive pair of vertices ...
    dist = np.asarray(GEOD.line_lengths(lon, lat))
    # ... then drop the pairs that jump from the end of one path to the next.
    dist[vertex_path[1:] != vertex_path[:-1]] = 0.0
    return np.bincount(vertex_path[:-1], weights=dist, minlength=n_paths)


@dataclass(frozen=True)
class BatchLengths:
    """Lengths of the features of one batch.

    Attributes
    ----------
    batch : Batch
        The batch measured.
    length_km : numpy.ndarray of float
        Geodesic length (perimeter for polygons) in km; NaN where the feature
        has no length (points) or no geometry.
    geometry_type : numpy.ndarray of str
        Geometry type name of each feature ("" for none).
    has_geometry, measured : numpy.ndarray of bool
        Which features have a geometry, and which of them have length.
    lonlat : numpy.ndarray of shapely geometries or None
        The geometries in WGS84 longitude/latitude, when asked for.
    country_km : numpy.ndarray or None
        With countries: (features, keys) km in each country, the sea and
        outside the boundaries' region (columns: :attr:`CountryGrid.keys`).
    """

    batch: Batch
    length_km: np.ndarray
    geometry_type: np.ndarray
    has_geometry: np.ndarray
    measured: np.ndarray
    lonlat: np.ndarray | None = None
    country_km: np.ndarray | None = None
    #: Position in the batch -> why the feature was left out (``skip_invalid``).
    invalid: dict[int, str] = field(default_factory=dict)

    @property
    def lonlat_array(self) -> np.ndarray:
        """:attr:`lonlat`, for code that asked for it (a ValueError otherwise)."""
        if self.lonlat is None:
            raise ValueError("measure the batch with keep_lonlat=True")
        return self.lonlat


def measure_batch(batch: Batch, source: VectorSource, *, keep_lonlat: bool = False, countries: CountryGrid | None = None) -> BatchLengths:
    """Geodesic length of every feature of a batch, vectorised over all vertices.

    Parameters
    ----------
    batch : Batch
        Features in the file's CRS.
    source : VectorSource
        The file (its CRS and name).
    keep_lonlat : bool
        Also return the geometries reprojected to WGS84 longitude/latitude.
    countries : CountryGrid, optional
        Also split each length by country (:func:`split_paths_km`), from the
        same segment lengths.

    Returns
    -------
    BatchLengths

    Raises
    ------
    DataError
        On NaN or out-of-range coordinates, naming the feature.
    """
    geoms = batch.geometries
    if geoms is None:
        raise ValueError("measure_batch needs a batch read with its geometries")
    has_geometry = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    type_id = shapely.get_type_id(geoms)
    geometry_type = np.where(type_id >= 0, _TYPE_NAMES[np.clip(type_id, 0, 7)], "")
    paths, path_owner = linear_paths(geoms)
    xy, vertex_path = shapely.get_coordinates(paths, return_index=True)
    lon, lat = xy[:, 0], xy[:, 1]
    transformer = source.transformer
    if transformer is not None:
        lon, lat = (np.asarray(a) for a in transformer.transform(lon, lat, errcheck=False))
        check_lonlat(lon, lat, path_owner[vertex_path], batch, source, raw_x=xy[:, 0], raw_y=xy[:, 1])
    else:
        check_lonlat(lon, lat, path_owner[vertex_path], batch, source)
    # Points inside multi-geometries and collections must be checked too.
    if not np.all(np.isin(type_id[has_geometry], (_LINESTRING, _LINEARRING, _POLYGON, 5, 6))):
        _check_all_vertices(batch, source)
    if lon.size >= 2:
        # One GeographicLib call for every consecutive pair of vertices, then
        # the pairs that jump from the end of one path to the next dropped.
        dist = np.asarray(GEOD.line_lengths(lon, lat))
        dist[vertex_path[1:] != vertex_path[:-1]] = 0.0
        per_path = np.bincount(vertex_path[:-1], weights=dist, minlength=len(paths))
    else:
        dist, per_path = np.zeros(0, dtype=np.float64), np.zeros(len(paths), dtype=np.float64)
    country_km = None
    if countries is not None:
        country_km = split_paths_km(countries, lon, lat, vertex_path, path_owner, np.append(dist, 0.0), len(geoms))
    per_feature = np.bincount(path_owner, weights=per_path, minlength=len(geoms)) / 1000.0
    has_path = np.bincount(path_owner, minlength=len(geoms)) > 0
    measured = has_geometry & has_path
    lonlat = None
    if keep_lonlat:
        lonlat = geoms
        if transformer is not None:
            # include_z=None keeps each geometry's dimensions: heights are carried through, not dropped.
            lonlat = shapely.transform(geoms, lambda c: np.column_stack([*transformer.transform(c[:, 0], c[:, 1], errcheck=False), *c.T[2:]]), include_z=None)
    return BatchLengths(
        batch=batch,
        length_km=np.where(measured, per_feature, np.nan),
        geometry_type=geometry_type,
        has_geometry=has_geometry,
        measured=measured,
        lonlat=lonlat,
        country_km=country_km,
    )


def _check_all_vertices(batch: Batch, source: VectorSource) -> None:
    xy, owner = shapely.get_coordinates(batch.geometries, return_index=True)
    transformer = source.transformer
    if transformer is None:
        check_lonlat(xy[:, 0], xy[:, 1], owner, batch, source)
        return
    lon, lat = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
    check_lonlat(np.asarray(lon), np.asarray(lat), owner, batch, source, raw_x=xy[:, 0], raw_y=xy[:, 1])


# -- per country -------------------------------------------------------------------


def country_split_km(geometry: shapely.Geometry, countries: CountryIndex, region: shapely.Geometry) -> dict[str, float]:
    """Split one feature's length (perimeter) by country.

    Parameters
    ----------
    geometry : shapely geometry
        In WGS84 longitude/latitude degrees.
    countries : CountryIndex
        Country polygons (the shipped Natural Earth data covers the region
        around the Caspian only).
    region : shapely Polygon
        The extent those polygons cover; length outside it is reported as
        ``"outside_region"`` rather than as sea.

    Returns
    -------
    dict
        ISO alpha-3 code, ``"sea"`` or ``"outside_region"`` to km, sorted by key.
    """
    parts: dict[str, float] = {}
    paths, _ = linear_paths(np.array([geometry], dtype=object))
    for path in paths:
        coords = shapely.get_coordinates(path)
        for key, km in country_lengths_km(coords, countries).items():
            parts[key] = parts.get(key, 0.0) + km
        if not region.contains(path):
            outside = line_length_km(shapely.difference(shapely.LineString(densify(coords, SPLIT_SPACING_KM)), region))
            if outside > 0:
                parts[OUTSIDE] = parts.get(OUTSIDE, 0.0) + outside
                parts["sea"] = parts.get("sea", 0.0) - outside
    if parts.get("sea", 1.0) <= 1e-6:  # all of the "sea" was outside the region
        parts.pop("sea", None)
    return dict(sorted(parts.items()))


def shipped_region(index: CountryIndex) -> shapely.Geometry:
    """The extent the shipped boundaries cover (a prepared box)."""
    region = shapely.box(*shapely.total_bounds(index.polygons))
    shapely.prepare(region)
    return region


@functools.lru_cache(maxsize=1)
def _shipped_index() -> tuple[CountryIndex, tuple[float, float, float, float]]:
    index = CountryIndex.shipped()
    xmin, ymin, xmax, ymax = (float(v) for v in shapely.bounds(shipped_region(index)))
    return index, (xmin, ymin, xmax, ymax)


@functools.lru_cache(maxsize=4)
def shipped_countries(extent: tuple[float, float, float, float] | None = None) -> CountryGrid:
    """The shipped Natural Earth countries indexed for :func:`split_paths_km`.

    Parameters
    ----------
    extent : (xmin, ymin, xmax, ymax), optional
        Longitude/latitude box of the data to be split (:func:`lonlat_extent`):
        the border grid is made as fine as it can be there. Anything outside
        it is still split exactly, only more slowly.
    """
    index, region = _shipped_index()
    return CountryGrid(index.codes, index.polygons, region, sea=SEA, outside=OUTSIDE, extent=extent)


def lonlat_extent(sources: Sequence[VectorSource]) -> tuple[float, float, float, float] | None:
    """The longitude/latitude box around the features of some files, if their headers say.

    Read from the file's metadata (GDAL's layer extent when it is cheap, the
    GeoParquet ``bbox``), widened by 0.1 degree and rounded outwards to it;
    None when any file does not say.
    """
    boxes = []
    for source in sources:
        bounds = source.bounds
        if bounds is None or not np.all(np.isfinite(bounds)):
            return None
        transformer = source.transformer
        if transformer is not None:
            try:
                bounds = transformer.transform_bounds(*bounds, densify_pts=21)
            except Exception:  # noqa: BLE001  (PROJ cannot bound it: fall back to the whole region)
                return None
        boxes.append(bounds)
    if not boxes:
        return None
    b = np.array(boxes, dtype=float)
    xmin, ymin = np.floor(b[:, 0].min() * 10 - 1) / 10, np.floor(b[:, 1].min() * 10 - 1) / 10
    xmax, ymax = np.ceil(b[:, 2].max() * 10 + 1) / 10, np.ceil(b[:, 3].max() * 10 + 1) / 10
    if xmax - xmin > 360 or not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return None
    return (float(xmin), float(ymin), float(xmax), float(ymax))


def split_dict(country_km: np.ndarray, keys: Sequence[str]) -> dict[str, float]:
    """One feature's row of :attr:`BatchLengths.country_km` as ``{key: km}``, sorted by key.

    Zero entries are left out, and a sea length within a millimetre of zero
    (what is left of a line cut exactly at the coast) too, as
    :func:`transcaspian.geo.countries.country_lengths_km` does.
    """
    out = {}
    for j in np.flatnonzero(country_km > 0):
        key = keys[int(j)]
        if key == SEA and country_km[j] <= 1e-6:
            continue
        out[key] = float(country_km[j])
    return dict(sorted(out.items()))
