"""Coordinates checked and whole files read into GeoDataFrames."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from transcaspian.errors import DataError
from transcaspian.userdata.batches import ONE_LAYER_DRIVERS, WGS84, Batch, UserFileWarning, VectorSource
from transcaspian.userdata.opening import crs_name, open_vector

#: Features per batch when a file is read whole: it is all held at the end anyway,
#: and each batch is one more frame to build and concatenate (measuring streams
#: in smaller batches to bound its memory).
WHOLE_FILE_BATCH = 65_536

#: Features per batch: small enough that a batch of 100-vertex lines takes
#: about 15 MB, large enough that per-batch overhead is negligible (the
#: benchmark runs as fast with 512 as with 8192).

# -- coordinates ----------------------------------------------------------------


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    owner: np.ndarray,
    batch: Batch,
    source: VectorSource,
    *,
    raw_x: np.ndarray | None = None,
    raw_y: np.ndarray | None = None,
) -> None:
    """Raise a DataError naming the first feature with an impossible vertex.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertex longitudes and latitudes in WGS84 degrees.
    owner : numpy.ndarray of int
        For each vertex, the position of its feature in ``batch``.
    batch : Batch
        The batch the vertices come from (to name the feature).
    source : VectorSource
        The file (to name it, and for its CRS).
    raw_x, raw_y : numpy.ndarray, optional
        The same vertices in the file's CRS, when it is not WGS84.

    Raises
    ------
    DataError
        On NaN or infinite coordinates, longitude outside -180..180 or latitude
        outside -90..90, with a hint when latitude and longitude look swapped
        or the coordinates look projected.
    """
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0))
    if not bad.any():
        return
    first = int(np.argmax(bad))
    feature = int(owner[first])
    record = batch.label(feature)
    x = raw_x if raw_x is not None else lon
    y = raw_y if raw_y is not None else lat
    point = f"({_num(x[first])}, {_num(y[first])})"
    if not (np.isfinite(x[first]) and np.isfinite(y[first])):
        raise DataError(f"coordinate {point} is not a number; fix or remove that vertex", file=source.name, record=record)
    if raw_x is not None:
        raise DataError(
            f"coordinate {point} cannot be transformed from {crs_name(source.crs)} to longitude/latitude; "
            "check that the file's CRS (or --assume-crs) is the right one",
            file=source.name,
            record=record,
        )
    mine = owner == feature
    fx, fy = x[mine], y[mine]
    finite = np.isfinite(fx) & np.isfinite(fy)
    fx, fy = fx[finite], fy[finite]
    if np.all(np.abs(fy) <= 180.0) and np.all(np.abs(fx) <= 90.0):
        hint = "latitude and longitude look swapped: write each position as longitude, latitude (x, y), as GeoJSON requires"
    elif np.nanmax(np.abs(np.concatenate([fx, fy]))) > 1000:
        if source.driver == "GeoJSON":
            fix = "give their CRS with --assume-crs (GeoJSON without a \"crs\" member is read as longitude/latitude)"
        else:
            fix = f"fix the file's CRS (it says {crs_name(source.crs)})"
        hint = f"these look like projected coordinates (e.g. metres), not degrees: {fix}"
    else:
        hint = "fix the coordinate"
    raise DataError(
        f"coordinate {point} is out of range (longitude must be within -180..180, latitude within -90..90); {hint}",
        file=source.name,
        record=record,
    )


def _num(value: float) -> str:
    return f"{float(value):.6g}"


# -- whole-file reading -----------------------------------------------------------


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    assume_crs: str | CRS | None = None,
    id_field: str | None = None,
    allow_vrt: bool = False,
) -> gpd.GeoDataFrame:
    """Read a user's vector file whole, in WGS84 longitude/latitude.

    Features without geometry are skipped with a :class:`UserFileWarning`.
    Coordinates are checked (finite, within range) after reprojection.

    Parameters
    ----------
    path : str or PathLike
        Any vector file GDAL reads, or GeoParquet.
    layer : str, optional
        Layer to read; required when the file has more than one.
    assume_crs : str or pyproj.CRS, optional
        CRS of the coordinates when the file declares none.
    id_field : str, optional
        Field that names features in error messages.
    allow_vrt : bool
        Read a GDAL VRT (see :func:`open_vector`).

    Returns
    -------
    geopandas.GeoDataFrame
        Every attribute column and a ``geometry`` column, CRS EPSG:4326
        (x = longitude, y = latitude, degrees).

    Raises
    ------
    DataError
        For every bad input; see :func:`open_vector` and :func:`check_lonlat`.
        Also when no feature has a geometry.
    UsageError
        When ``assume_crs`` is not a CRS PROJ knows.
    """
    source = open_vector(path, layer=layer, assume_crs=assume_crs, id_field=id_field, allow_vrt=allow_vrt)
    transformer = source.transformer
    frames: list[gpd.GeoDataFrame] = []
    skipped = Skipped()
    for batch in source.batches(attributes=True, batch_size=WHOLE_FILE_BATCH):
        geoms = batch.geometry_array
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        skipped.add(batch, ~present)
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        if transformer is not None:
            lon, lat = transformer.transform(coords[:, 0], coords[:, 1], errcheck=False)
            lon, lat = np.asarray(lon), np.asarray(lat)
            check_lonlat(lon, lat, owner, batch, source, raw_x=coords[:, 0], raw_y=coords[:, 1])
            geoms = shapely.set_coordinates(geoms.copy(), np.column_stack([lon, lat]))
        else:
            check_lonlat(coords[:, 0], coords[:, 1], owner, batch, source)
        attributes = batch.table.to_pandas() if batch.table is not None else None
        frame = gpd.GeoDataFrame(attributes, geometry=gpd.GeoSeries(geoms), crs=WGS84)
        frame.index = np.arange(batch.start, batch.start + len(geoms))
        frames.append(frame[present])
    if frames:
        whole = gpd.GeoDataFrame(gpd.pd.concat(frames), crs=WGS84)
    else:
        whole = gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=WGS84)}, crs=WGS84)
    if whole.empty:
        raise no_geometry_error(source, skipped.count)
    skipped.warn(source.name)
    return whole


def no_geometry_error(source: VectorSource, n_features: int, what: str = "geometry", detail: str = "") -> DataError:
    """The error for a layer with nothing to read (or measure) in it.

    Parameters
    ----------
    source : VectorSource
        The file.
    n_features : int
        How many features the layer has.
    what : str
        What is missing, e.g. ``"geometry"`` or ``"lines or polygons to measure"``.
    detail : str
        What the features are instead, e.g. ``"2 are points"``.
    """
    where = "the file" if source.driver in ONE_LAYER_DRIVERS else f"layer '{source.layer}'"
    if n_features == 0:
        return DataError(f"has no features, so no {what}; check that {where} is the right one and not empty", file=source.name)
    plural = "s" if n_features != 1 else ""
    detail = f" ({detail})" if detail else ""
    return DataError(f"has no {what} in its {n_features} feature{plural}{detail}; check that {where} is the right one", file=source.name)


@dataclass
class Skipped:
    """Features skipped for having no geometry: a count and the first few names."""

    count: int = 0
    labels: list[str] = field(default_factory=list)
    #: How many features a warning names; the rest are counted.
    shown: int = 3

    def add(self, batch: Batch, mask: np.ndarray) -> None:
        """Record the features of ``batch`` where ``mask`` is true."""
        where = np.flatnonzero(mask)
        self.count += len(where)
        room = self.shown - len(self.labels)
        self.labels.extend(batch.label(int(i)) for i in where[: max(room, 0)])

    def warn(self, name: str) -> None:
        """Warn once (a :class:`UserFileWarning`) if any feature was skipped."""
        if not self.count:
            return
        more = self.count - len(self.labels)
        listed = ", ".join(self.labels) + (f" and {more} more" if more else "")
        plural = "s" if self.count != 1 else ""
        warnings.warn(
            UserFileWarning(f"{name}: skipped {self.count} feature{plural} without geometry ({listed})"),
            stacklevel=3,
        )
