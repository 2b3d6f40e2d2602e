"""A user's vector file as a source of batches: ids, geometry, attributes, CRS."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from transcaspian.errors import DataError, UsageError

#: Features per batch: small enough that a batch of 100-vertex lines takes
#: about 15 MB, large enough that per-batch overhead is negligible (the
#: benchmark runs as fast with 512 as with 8192).

BATCH_SIZE = 1024
#: Formats named in messages that tell the user what to convert to.
FORMATS = "GeoJSON, GeoPackage, FlatGeobuf, Shapefile or GeoParquet"
#: Bytes read to sniff a file's kind (and to prove it can be read at all).
HEAD_BYTES = 4096
#: Largest file parsed as JSON to explain why GDAL refused it.
JSON_DIAGNOSE_MAX_BYTES = 64 * 2**20
JSON_SUFFIXES = {".json", ".geojson", ".geojsons", ".geojsonl", ".geojsonseq", ".topojson"}
#: Folders GDAL reads as one dataset.
DIRECTORY_DATASETS = {".gdb"}
GEOJSON_TYPES = {
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
WGS84 = CRS.from_epsg(4326)
#: Field that names features when no other is asked for.
DEFAULT_ID_FIELD = "id"
#: ``--id-field fid``: GDAL's feature id (a GeoPackage's fid, a GeoJSON feature's integer top-level id),
#: when the file has no attribute of that name.
FID = "fid"
#: Formats that hold one layer, so messages speak of "the file".
ONE_LAYER_DRIVERS = {"GeoJSON", "GeoJSONSeq", "GeoParquet", "FlatGeobuf", "ESRI Shapefile", "CSV"}


#: What pyogrio raises when GDAL fails to read.
_PYOGRIO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    pyogrio.errors.FeatureError,
)


class UserFileWarning(UserWarning):
    """Something in a user's file was skipped; the CLI prints it on stderr."""


@dataclass(frozen=True)
class Batch:
    """A run of consecutive features read from a user's file.

    Attributes
    ----------
    start : int
        0-based position in the layer of the first feature of the batch.
    geometries : numpy.ndarray of shapely geometries, or None
        One per feature (None for a feature without geometry), in the file's
        CRS (see :attr:`VectorSource.crs`); the array is None when geometry
        was not read.
    ids : numpy.ndarray of str or None
        The ``id_field`` value of each feature, when one was asked for.
    table : pyarrow.Table or None
        The attribute columns, when asked for.
    size : int
        Number of features.
    wkb : numpy.ndarray of bytes or None
        The geometries still as WKB, when read with ``decode=False``
        (:attr:`geometries` is then None until :meth:`VectorSource.decode`).
    """

    start: int
    geometries: np.ndarray | None
    ids: np.ndarray | None = None
    table: pa.Table | None = None
    size: int = 0
    wkb: np.ndarray | None = None

    @property
    def geometry_array(self) -> np.ndarray:
        """:attr:`geometries`, for code that read them (a ValueError otherwise)."""
        if self.geometries is None:
            raise ValueError("this batch was read without geometry; read it with batches(geometry=True)")
        return self.geometries

    @property
    def id_array(self) -> np.ndarray:
        """:attr:`ids`, for code that opened the source with an id field (a ValueError otherwise)."""
        if self.ids is None:
            raise ValueError("this batch has no ids; open the source with an id_field")
        return self.ids

    def label(self, i: int) -> str:
        """How messages name the batch's ``i``-th feature."""
        return feature_label(self.start + i, None if self.ids is None else self.ids[i])


@dataclass(frozen=True)
class VectorSource:
    """A user's vector file, opened and checked, ready to be read in batches.

    Attributes
    ----------
    path : Path
        The file.
    name : str
        The path as the user gave it, for messages.
    layer : str
        The layer read.
    driver : str
        GDAL driver name, or ``"GeoParquet"``.
    crs : pyproj.CRS
        The CRS of the coordinates in the file (given by ``assume_crs`` if the
        file has none).
    fields : tuple of str
        Attribute field names.
    n_features : int or None
        Number of features, when the format knows it cheaply.
    id_field : str or None
        Field whose values name features in messages and outputs.
    """

    path: Path
    name: str
    layer: str
    driver: str
    crs: CRS
    fields: tuple[str, ...]
    n_features: int | None
    id_field: str | None = None
    _geo_column: str | None = field(default=None, repr=False)
    #: (xmin, ymin, xmax, ymax) in the file's CRS when its header says (the
    #: per-country split makes its border grid fine there).
    bounds: tuple[float, float, float, float] | None = field(default=None, repr=False)

    @property
    def ids_are_fids(self) -> bool:
        """True when features are named by GDAL's feature id (``--id-field fid``), not by an attribute."""
        return self.id_field == FID and FID not in self.fields and self.driver != "GeoParquet"

    @property
    def geographic(self) -> bool:
        """True when the coordinates are longitude/latitude degrees."""
        return bool(self.crs.is_geographic)

    @property
    def transformer(self) -> Transformer | None:
        """Transformer to WGS84 longitude/latitude, or None when already there."""
        return wgs84_transformer(self.crs)

    def batches(
        self,
        *,
        batch_size: int = BATCH_SIZE,
        attributes: bool | Sequence[str] = False,
        geometry: bool = True,
        decode: bool = True,
    ) -> Iterator[Batch]:
        """Read the layer in batches of at most ``batch_size`` features.

        Parameters
        ----------
        batch_size : int
            Features per batch.
        attributes : bool or sequence of str
            Also read every attribute column (True) or these ones into
            :attr:`Batch.table`.
        geometry : bool
            Read the geometries (False: :attr:`Batch.geometries` is None).
        decode : bool
            Decode the geometries from WKB; False leaves them in
            :attr:`Batch.wkb` for :meth:`decode` (which threads may call on
            several batches at once, while this one reads on).

        Yields
        ------
        Batch
            Consecutive batches, in file order.

        Raises
        ------
        DataError
            When the file cannot be read to the end or a geometry is corrupt.
        """
        if self.driver == "GeoParquet":
            batches = self._parquet_batches(batch_size, attributes, geometry)
        else:
            batches = self._gdal_batches(batch_size, attributes, geometry)
        for batch in batches:
            yield self.decode(batch) if decode else batch

    def decode(self, batch: Batch) -> Batch:
        """``batch`` with its geometries decoded from :attr:`Batch.wkb` (as it is when already decoded).

        Raises
        ------
        DataError
            Naming the first feature whose geometry is corrupt or curved.
        """
        if batch.wkb is None:
            return batch
        try:
            geometries = _from_wkb(batch.wkb)
        except (shapely.errors.GEOSException, NotImplementedError):
            geometries = self._decode_one_by_one(batch.start, batch.wkb, batch.ids)
        return replace(batch, geometries=geometries, wkb=None)

    # -- readers -----------------------------------------------------------------

    def _columns(self, attributes: bool | Sequence[str]) -> list[str]:
        wanted = list(self.fields) if attributes is True else list(attributes or ())
        if self.id_field and self.id_field not in wanted and not self.ids_are_fids:
            wanted.insert(0, self.id_field)
        return [c for c in wanted if c in self.fields]

    def _gdal_batches(self, batch_size: int, attributes: bool | Sequence[str], geometry: bool) -> Iterator[Batch]:
        start = 0
        try:
            with pyogrio.raw.open_arrow(
                str(self.path),
                layer=self.layer,
                columns=self._columns(attributes),
                read_geometry=geometry,
                batch_size=batch_size,
                use_pyarrow=True,
                return_fids=self.ids_are_fids,
            ) as (meta, reader):
                geom_name = (meta["geometry_name"] or "wkb_geometry") if geometry else None
                for record_batch in reader:
                    batch = self._make_batch(start, record_batch, geom_name, attributes)
                    start += record_batch.num_rows
                    yield batch
        except (*_PYOGRIO_ERRORS, OSError, pa.ArrowException) as exc:
            raise DataError(
                f"cannot be read past feature {start} ({one_line(exc)}); check the file is complete or export it again",
                file=self.name,
            ) from exc

    def _parquet_batches(self, batch_size: int, attributes: bool | Sequence[str], geometry: bool) -> Iterator[Batch]:
        import pyarrow.parquet as pq

        start = 0
        columns = ([self._geo_column] if geometry else []) + self._columns(attributes)
        try:
            parquet = pq.ParquetFile(self.path)
            for record_batch in parquet.iter_batches(batch_size=batch_size, columns=columns):
                batch = self._make_batch(start, record_batch, self._geo_column if geometry else None, attributes)
                start += record_batch.num_rows
                yield batch
        except (OSError, pa.ArrowException) as exc:
            raise DataError(
                f"cannot be read past feature {start} ({one_line(exc)}); check the file is complete or export it again",
                file=self.name,
            ) from exc

    def _make_batch(self, start: int, record_batch: pa.RecordBatch, geom_name: str | None, attributes: bool | Sequence[str]) -> Batch:
        ids = None
        if self.id_field:
            # With return_fids, GDAL puts the feature ids first, named after the format's fid column.
            column = record_batch.column(0) if self.ids_are_fids else record_batch.column(self.id_field)
            ids = np.array([_id_text(v) for v in column.to_pylist()], dtype=object)
        if self.ids_are_fids:
            record_batch = record_batch.drop_columns([record_batch.schema.names[0]])
        table = None
        if attributes:
            table = pa.Table.from_batches([record_batch])
            if geom_name is not None:
                table = table.drop_columns([geom_name])
        if geom_name is None:
            return Batch(start=start, geometries=None, ids=ids, table=table, size=record_batch.num_rows)
        column = record_batch.column(geom_name)
        if isinstance(column.type, pa.ExtensionType):
            column = column.storage
        wkb = column.to_numpy(zero_copy_only=False)
        return Batch(start=start, geometries=None, ids=ids, table=table, size=record_batch.num_rows, wkb=wkb)

    def _decode_one_by_one(self, start: int, wkb: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        # Only on the error path: find which feature is corrupt, to name it.
        for i, blob in enumerate(wkb):
            try:
                _from_wkb(np.array([blob], dtype=object))
            except (shapely.errors.GEOSException, NotImplementedError) as exc:
                label = feature_label(start + i, None if ids is None else ids[i])
                text = one_line(exc).removeprefix("IllegalArgumentException: ")
                if isinstance(exc, NotImplementedError) or "Unknown WKB type" in text:
                    message = "geometry is curved (arcs), which is not supported; make it linear first, e.g. ogr2ogr -nlt CONVERT_TO_LINEAR out.gpkg in.gpkg"
                else:
                    message = f"geometry is invalid ({text}); fix it (a line needs two points or more, a polygon's rings must close) or remove the feature"
                raise DataError(message, file=self.name, record=label) from exc
        raise AssertionError("unreachable: a batch failed to decode but no feature did")


def _from_wkb(wkb: np.ndarray) -> np.ndarray:
    # NaN coordinates decode fine but warn; check_lonlat reports them.
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return shapely.from_wkb(wkb, on_invalid="raise")


def feature_label(position: int, ident: Any = None) -> str:
    """How messages name a feature: by its id, or by its 1-based position.

    Parameters
    ----------
    position : int
        0-based position of the feature in its layer.
    ident : str, optional
        The feature's id (from ``--id-field``).
    """
    if ident is not None and ident != "":
        return f"feature '{ident}'"
    return f"feature #{position + 1}"


def _id_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text.rstrip(".") or type(exc).__name__


def parse_crs(text: str, *, option: str = "--assume-crs") -> CRS:
    """Parse a CRS the user typed; an unknown one is a usage error.

    Parameters
    ----------
    text : str
        Anything :meth:`pyproj.CRS.from_user_input` takes: ``EPSG:32639``,
        ``OGC:CRS84``, a WKT or PROJ string.
    option : str
        The option name, for the message.

    Raises
    ------
    UsageError
        When PROJ does not know the CRS.
    """
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise UsageError(
            f"{option} '{text}' is not a CRS PROJ knows; give an EPSG code such as EPSG:4326 "
            "(longitude/latitude) or EPSG:32639 (UTM 39N)"
        ) from exc


def wgs84_transformer(crs: CRS) -> Transformer | None:
    """Transformer from ``crs`` to WGS84 longitude/latitude (x = lon, y = lat).

    Returns None when ``crs`` already is WGS84 longitude/latitude in degrees
    (EPSG:4326 in either axis order, or OGC:CRS84), so no work is done.
    """
    if crs.equals(WGS84, ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, WGS84, always_xy=True)
