"""Read anyone's vector files: any format GDAL reads, plus GeoParquet.

A user's layer (a tracker's pipeline network, a survey's cable routes, an
OpenStreetMap extract) is opened, checked and read in batches of features, so
a large file is never held in memory whole. Everything that can be wrong with
the file becomes one :class:`~transcaspian.errors.DataError` whose message
names the file (and the feature, where there is one) and says what to do; the
CLI prints it as one line.

Two entry points:

- :func:`read_vector` reads a whole file into a GeoDataFrame in EPSG:4326,
  for maps and small layers;
- :func:`open_vector` checks a file and returns a :class:`VectorSource`, whose
  :meth:`VectorSource.batches` yields :class:`Batch` es of shapely geometries
  in the file's own CRS with the transformer to WGS84 longitude/latitude, for
  measuring large files in bounded memory.

GeoJSON without a ``crs`` member is WGS84 longitude/latitude (RFC 7946). Any
other file without a CRS is an error unless ``assume_crs`` is given.
GeoParquet is read with pyarrow directly (GDAL builds often lack its Parquet
driver).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from transcaspian.errors import DataError, UsageError

#: Features per batch: small enough that a batch of 100-vertex lines takes
#: about 15 MB, large enough that per-batch overhead is negligible (the
#: benchmark runs as fast with 512 as with 8192).
BATCH_SIZE = 1024
#: Formats named in messages that tell the user what to convert to.
FORMATS = "GeoJSON, GeoPackage, FlatGeobuf, Shapefile or GeoParquet"
#: Bytes read to sniff a file's kind (and to prove it can be read at all).
_HEAD_BYTES = 4096
#: Largest file parsed as JSON to explain why GDAL refused it.
_JSON_DIAGNOSE_MAX_BYTES = 64 * 2**20
_JSON_SUFFIXES = {".json", ".geojson", ".geojsons", ".geojsonl", ".geojsonseq", ".topojson"}
#: Folders GDAL reads as one dataset.
_DIRECTORY_DATASETS = {".gdb"}
_GEOJSON_TYPES = {
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
#: Formats that hold one layer, so messages speak of "the file".
_ONE_LAYER_DRIVERS = {"GeoJSON", "GeoJSONSeq", "GeoParquet", "FlatGeobuf", "ESRI Shapefile", "CSV"}


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
    """

    start: int
    geometries: np.ndarray | None
    ids: np.ndarray | None = None
    table: pa.Table | None = None
    size: int = 0

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
            yield from self._parquet_batches(batch_size, attributes, geometry)
        else:
            yield from self._gdal_batches(batch_size, attributes, geometry)

    # -- readers -----------------------------------------------------------------

    def _columns(self, attributes: bool | Sequence[str]) -> list[str]:
        wanted = list(self.fields) if attributes is True else list(attributes or ())
        if self.id_field and self.id_field not in wanted:
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
            ) as (meta, reader):
                geom_name = (meta["geometry_name"] or "wkb_geometry") if geometry else None
                for record_batch in reader:
                    batch = self._make_batch(start, record_batch, geom_name, attributes)
                    start += record_batch.num_rows
                    yield batch
        except (*_PYOGRIO_ERRORS, OSError, pa.ArrowException) as exc:
            raise DataError(
                f"cannot be read past feature {start} ({_one_line(exc)}); check the file is complete or export it again",
                file=self.name,
            ) from None

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
                f"cannot be read past feature {start} ({_one_line(exc)}); check the file is complete or export it again",
                file=self.name,
            ) from None

    def _make_batch(self, start: int, record_batch: pa.RecordBatch, geom_name: str | None, attributes: bool | Sequence[str]) -> Batch:
        ids = None
        if self.id_field:
            ids = np.array([_id_text(v) for v in record_batch.column(self.id_field).to_pylist()], dtype=object)
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
        try:
            geometries = _from_wkb(wkb)
        except (shapely.errors.GEOSException, NotImplementedError):
            geometries = self._decode_one_by_one(start, wkb, ids)
        return Batch(start=start, geometries=geometries, ids=ids, table=table, size=record_batch.num_rows)

    def _decode_one_by_one(self, start: int, wkb: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        # Only on the error path: find which feature is corrupt, to name it.
        for i, blob in enumerate(wkb):
            try:
                _from_wkb(np.array([blob], dtype=object))
            except (shapely.errors.GEOSException, NotImplementedError) as exc:
                label = feature_label(start + i, None if ids is None else ids[i])
                text = _one_line(exc).removeprefix("IllegalArgumentException: ")
                if isinstance(exc, NotImplementedError) or "Unknown WKB type" in text:
                    message = "geometry is curved (arcs), which is not supported; make it linear first, e.g. ogr2ogr -nlt CONVERT_TO_LINEAR out.gpkg in.gpkg"
                else:
                    message = f"geometry is invalid ({text}); fix it (a line needs two points or more, a polygon's rings must close) or remove the feature"
                raise DataError(message, file=self.name, record=label) from None
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


def _one_line(exc: BaseException) -> str:
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
    except CRSError:
        raise UsageError(
            f"{option} '{text}' is not a CRS PROJ knows; give an EPSG code such as EPSG:4326 "
            "(longitude/latitude) or EPSG:32639 (UTM 39N)"
        ) from None


def wgs84_transformer(crs: CRS) -> Transformer | None:
    """Transformer from ``crs`` to WGS84 longitude/latitude (x = lon, y = lat).

    Returns None when ``crs`` already is WGS84 longitude/latitude in degrees
    (EPSG:4326 in either axis order, or OGC:CRS84), so no work is done.
    """
    if crs.equals(WGS84, ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, WGS84, always_xy=True)


# -- opening -------------------------------------------------------------------

#: GDAL drivers that read other files or the network on the data's say: an XML
#: file that names its sources (VRT), or a service description (WFS, OGC API,
#: WMS, ...). Refused whatever the file is called; VRT only with ``allow_vrt``.
_VIRTUAL_DRIVERS = {"OGR_VRT", "VRT"}
_NETWORK_DRIVERS = {
    "WFS", "OAPIF", "WMS", "WMTS", "CSW", "ESRIC", "NGW", "PLSCENES", "EEDA", "EEDAI", "Elasticsearch",
    "CARTO", "AmigoCloud", "DAAS", "OGCAPI", "STACIT", "STACTA", "GMLAS", "PostgreSQL", "MySQL",
    "MSSQLSpatial", "ODBC", "OCI", "MongoDBv3", "HANA", "ADBC", "XODR",
}
#: Root elements of XML files whose driver reads what they name (checked before GDAL opens them).
_VIRTUAL_XML = re.compile(rb"<\s*(OGRVRTDataSource|VRTDataset|OGRWFSDataSource|GDAL_WMS|WFS_Capabilities|GDAL_WMTS|OGRAPISpy)\b", re.I)
#: What marks a VRT that reaches beyond the local disk (refused even with ``allow_vrt``).
_REMOTE = re.compile(rb"/vsi|[a-z][a-z0-9+.-]*://", re.I)
#: Largest VRT read in full to look for network sources.
_VRT_MAX_BYTES = 1 << 20
#: A GDAL connection string ("PG:dbname=...", "WFS:https://...", "GPKG:file:layer").
_CONNECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_]*:")


def _refuse_virtual_path(name: str) -> None:
    """Refuse GDAL virtual file systems and connection strings before anything is opened."""
    if "/vsi" in name.lower():
        raise DataError(
            "is a GDAL virtual file system path (/vsi...): they read archives, other files and the network, "
            "so transcaspian refuses them; extract or download the file and give its local path",
            file=name,
        )
    if _CONNECTION.match(name) and not os.path.lexists(name):
        raise DataError(
            "is a GDAL connection string, not a file: transcaspian reads local files only; export the layer to a file "
            f"({FORMATS}) and give its path",
            file=name,
        )


def _refuse_virtual_content(path: Path, name: str, head: bytes, allow_vrt: bool) -> None:
    """Refuse a VRT or service description whatever it is called (``cables.gpkg`` holding VRT XML)."""
    match = _VIRTUAL_XML.search(head)
    if not match:
        return
    kind = match.group(1).decode("ascii", "replace")
    if kind.lower() in ("ogrvrtdatasource", "vrtdataset") and allow_vrt:
        with open(path, "rb") as handle:
            text = handle.read(_VRT_MAX_BYTES + 1)
        if len(text) > _VRT_MAX_BYTES or _REMOTE.search(text):
            raise DataError(
                "is a GDAL VRT that names a /vsi path or a URL (or is too large to check); even with --allow-vrt "
                "transcaspian reads local files only: point its sources at local files",
                file=name,
            )
        return
    if kind.lower() in ("ogrvrtdatasource", "vrtdataset"):
        raise DataError(
            f"is a GDAL VRT (XML <{kind}>), whatever its extension: a VRT makes GDAL read the other files "
            "(or URLs) it names, so it is refused; give the data file itself, or pass --allow-vrt if you trust this VRT",
            file=name,
        )
    raise DataError(
        f"is a GDAL service description (XML <{kind}>): it makes GDAL fetch data from the network, which transcaspian "
        f"never does; download the data and give the file ({FORMATS})",
        file=name,
    )


def _refuse_driver(driver: str, name: str, allow_vrt: bool) -> None:
    """The check on the driver GDAL picked (not the extension) after it opened the file."""
    if driver in _VIRTUAL_DRIVERS and not allow_vrt:
        raise DataError(
            f"GDAL reads it as a VRT (driver {driver}), whatever its extension: a VRT reads the other files or URLs "
            "it names, so it is refused; give the data file itself, or pass --allow-vrt if you trust this VRT",
            file=name,
        )
    if driver in _NETWORK_DRIVERS:
        raise DataError(
            f"GDAL reads it with its {driver} driver, which fetches data from a server or database; transcaspian reads "
            f"local files only: export the data to a file ({FORMATS})",
            file=name,
        )



def _check_path(path: Path, name: str) -> bytes:
    """Check the path is a readable, non-empty file; return its first bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError("no such file; check the path and its spelling", file=name) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc}); check the path and its permissions", file=name) from None
    if stat.S_ISDIR(info.st_mode):
        if path.suffix.lower() in _DIRECTORY_DATASETS:
            return b""
        raise DataError(
            "is a folder, not a file; give the vector file inside it (a .geojson, .gpkg, .fgb, .shp or .parquet file)",
            file=name,
        )
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or cannot seek; GDAL needs a real file.
        raise DataError("is not a regular file (a pipe, socket or device); save the data to a file and give that", file=name)
    if info.st_size == 0:
        raise DataError(f"is empty (0 bytes); export the layer again as {FORMATS}", file=name)
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD_BYTES)
    except PermissionError:
        raise DataError("cannot be read (permission denied); make it readable (chmod +r) or copy it somewhere you can read", file=name) from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc}); check the file and its permissions", file=name) from None


def _looks_like_json(path: Path, head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return path.suffix.lower() in _JSON_SUFFIXES or text[:1] in (b"{", b"[")


def _diagnose_unreadable(path: Path, name: str, head: bytes, gdal_message: str) -> DataError:
    """Explain why GDAL could not open a file, as precisely as we can."""
    if _looks_like_json(path, head) and path.stat().st_size <= _JSON_DIAGNOSE_MAX_BYTES:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                document = json.load(handle)
        except UnicodeDecodeError:
            return DataError(f"is not text, so not JSON or GeoJSON; give a vector file ({FORMATS})", file=name)
        except RecursionError:
            return DataError("is JSON nested deeper than any GeoJSON (thousands of levels); give a GeoJSON FeatureCollection", file=name)
        except json.JSONDecodeError as exc:
            return DataError(
                f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); fix the syntax or export the layer again as GeoJSON",
                file=name,
            )
        return DataError(f"is JSON but not GeoJSON ({_describe_json(document)}); give a GeoJSON FeatureCollection, Feature or geometry", file=name)
    if b"\x00" not in head[:1024]:
        first = head.split(b"\n", 1)[0][:40].decode("utf-8", "replace").strip()
        return DataError(
            f"is text in no vector format GDAL knows (it starts '{first}'); convert it to {FORMATS}",
            file=name,
        )
    # GDAL's "not recognized as being in a supported file format" adds nothing but the path again.
    detail = "" if "not recognized as" in gdal_message else f" ({gdal_message})"
    return DataError(f"is not a vector format GDAL can read{detail}; convert it to {FORMATS}", file=name)


def _describe_json(document: Any) -> str:
    if isinstance(document, dict):
        kind = document.get("type")
        if kind is None:
            keys = ", ".join(sorted(map(str, document))[:5]) or "none"
            return f"the top-level object has no \"type\"; its keys are {keys}"
        if kind not in _GEOJSON_TYPES:
            return f"\"type\" is {json.dumps(kind)}, not FeatureCollection, Feature or a geometry type"
        return f"a {kind} that is malformed"
    return f"the top level is a JSON {type(document).__name__.replace('dict', 'object').replace('list', 'array')}, not an object"


def _layers(path: Path, name: str, head: bytes) -> list[str]:
    try:
        listed = pyogrio.list_layers(str(path))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _diagnose_unreadable(path, name, head, _one_line(exc)) from None
    return [str(row[0]) for row in listed]


def _pick_layer(layers: Sequence[str], layer: str | None, name: str) -> str:
    listed = ", ".join(f"'{n}'" for n in layers)
    if not layers:
        raise DataError("has no layers, so no geometry to read; export the layer again", file=name)
    if layer is not None:
        if layer not in layers:
            raise DataError(f"has no layer '{layer}'; its layers are {listed}: choose one with --layer", file=name)
        return layer
    if len(layers) > 1:
        raise DataError(f"has {len(layers)} layers ({listed}); choose one with --layer", file=name)
    return layers[0]


def _missing_crs(name: str, bounds: Any) -> DataError:
    hint = "e.g. --assume-crs EPSG:4326 for longitude/latitude degrees"
    if bounds is not None and len(bounds) == 4 and np.all(np.isfinite(bounds)):
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        if -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
            hint = "its coordinates look like longitude/latitude degrees: --assume-crs EPSG:4326"
        else:
            hint = "its coordinates look projected (e.g. metres): give the projection's EPSG code, e.g. --assume-crs EPSG:32639 for UTM 39N"
    return DataError(f"has no coordinate reference system; say which it is with --assume-crs ({hint})", file=name)


def _resolve_crs(found: CRS | None, assumed: CRS | None, name: str, bounds: Any) -> CRS:
    if found is None:
        if assumed is None:
            raise _missing_crs(name, bounds)
        return assumed
    if assumed is not None and not found.equals(assumed, ignore_axis_order=True):
        warnings.warn(
            UserFileWarning(f"{name}: has its own CRS ({crs_name(found)}); --assume-crs {crs_name(assumed)} is ignored"),
            stacklevel=3,
        )
    return found


def crs_name(crs: CRS) -> str:
    """How messages and summaries name a CRS: ``EPSG:32639``, else its name."""
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


_HAS_CRS_MEMBER = re.compile(rb'"crs"\s*:')
_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{[^{}]*"properties"\s*:\s*\{[^{}]*"name"\s*:\s*"([^"]+)"')


def _check_geojson_crs_member(head: bytes, name: str) -> bool:
    """Whether a GeoJSON file has a legacy "crs" member; raise if PROJ cannot read it."""
    # GDAL silently falls back to WGS84 when a legacy "crs" member names a CRS
    # PROJ does not know, which would measure projected metres as degrees.
    match = _CRS_MEMBER.search(head)
    if not match:
        return _HAS_CRS_MEMBER.search(head) is not None
    text = match.group(1).decode("utf-8", "replace")
    try:
        CRS.from_user_input(text)
    except CRSError:
        raise DataError(
            f"its \"crs\" member names '{text}', a CRS PROJ does not know; fix it, or remove it if "
            "the coordinates are longitude/latitude (RFC 7946 GeoJSON is always WGS84)",
            file=name,
        ) from None
    return True


def _check_id_field(id_field: str | None, fields: Sequence[str], name: str) -> None:
    if id_field is not None and id_field not in fields:
        listed = ", ".join(fields) if fields else "none"
        raise DataError(f"has no field '{id_field}' (its fields: {listed}); choose another with --id-field", file=name)


def _bounds_tuple(bounds: Any) -> tuple[float, float, float, float] | None:
    try:
        values = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        return None
    return values if len(values) == 4 else None  # type: ignore[return-value]


def _open_gdal(path: Path, name: str, head: bytes, layer: str | None, assumed: CRS | None, id_field: str | None, allow_vrt: bool = False) -> VectorSource:
    _refuse_virtual_content(path, name, head, allow_vrt)
    chosen = _pick_layer(_layers(path, name, head), layer, name)
    try:
        info = pyogrio.read_info(str(path), layer=chosen)
    except pyogrio.errors.CRSError as exc:
        raise DataError(
            f"its coordinate reference system is not one PROJ understands ({_one_line(exc)}); "
            "fix or delete it (e.g. the .prj file) and give --assume-crs",
            file=name,
        ) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"cannot be read ({_one_line(exc)}); check the file or export it again", file=name) from None
    _refuse_driver(str(info.get("driver", "")), name, allow_vrt)
    if info.get("geometry_type") is None and not info.get("geometry_name") and info.get("driver") != "GeoJSON":
        tip = "put each geometry as WKT in a column named WKT" if info.get("driver") == "CSV" else f"export it as {FORMATS}"
        raise DataError(f"has no geometry column, only attributes; {tip}", file=name)
    found = None
    geojson_default = False
    if info.get("driver") == "GeoJSON":
        # GDAL reports WGS84 for GeoJSON without a "crs" member (RFC 7946);
        # an explicit --assume-crs still wins for old projected exports.
        geojson_default = not _check_geojson_crs_member(head, name)
    if info.get("crs") and not (geojson_default and assumed is not None):
        try:
            found = CRS.from_user_input(info["crs"])
        except CRSError as exc:
            raise DataError(f"its coordinate reference system is not one PROJ understands ({_one_line(exc)}); fix it or give --assume-crs", file=name) from None
    bounds = info.get("total_bounds")
    crs = _resolve_crs(found, assumed, name, bounds)
    fields = tuple(str(f) for f in info.get("fields", ()))
    _check_id_field(id_field, fields, name)
    count = info.get("features")
    return VectorSource(
        path=path,
        name=name,
        layer=chosen,
        driver=str(info.get("driver", "")),
        crs=crs,
        fields=fields,
        n_features=int(count) if count is not None and count >= 0 else None,
        id_field=id_field,
        bounds=_bounds_tuple(bounds),
    )


def _open_parquet(path: Path, name: str, layer: str | None, assumed: CRS | None, id_field: str | None) -> VectorSource:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"is not a readable Parquet file ({_one_line(exc)}); export it again", file=name) from None
    metadata = parquet.schema_arrow.metadata or {}
    if b"geo" not in metadata:
        raise DataError("is Parquet without GeoParquet metadata (no 'geo' key), so it has no geometry; write it with geopandas.to_parquet or ogr2ogr", file=name)
    try:
        geo = json.loads(metadata[b"geo"])
        column = geo["primary_column"]
        spec = geo["columns"][column]
    except (ValueError, KeyError, TypeError):
        raise DataError("has malformed GeoParquet metadata; write it again with geopandas.to_parquet or ogr2ogr", file=name) from None
    if str(spec.get("encoding", "WKB")).upper() != "WKB":
        raise DataError(f"stores geometry as {spec.get('encoding')}; only WKB-encoded GeoParquet is read: write it again with WKB encoding", file=name)
    if layer is not None and layer != path.stem:
        raise DataError(f"has no layer '{layer}'; its layers are '{path.stem}': choose it with --layer or leave --layer out", file=name)
    # GeoParquet: a missing "crs" key means OGC:CRS84; an explicit null means unknown.
    found: CRS | None
    if "crs" not in spec:
        found = CRS.from_user_input("OGC:CRS84")
    elif spec["crs"] is None:
        found = None
    else:
        try:
            found = CRS.from_user_input(spec["crs"])
        except CRSError as exc:
            raise DataError(f"its coordinate reference system is not one PROJ understands ({_one_line(exc)}); fix it or give --assume-crs", file=name) from None
    crs = _resolve_crs(found, assumed, name, spec.get("bbox"))
    fields = tuple(n for n in parquet.schema_arrow.names if n != column)
    _check_id_field(id_field, fields, name)
    return VectorSource(
        path=path,
        name=name,
        layer=path.stem,
        driver="GeoParquet",
        crs=crs,
        fields=fields,
        n_features=parquet.metadata.num_rows,
        id_field=id_field,
        _geo_column=column,
        bounds=_bounds_tuple(spec.get("bbox")),
    )


def open_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    assume_crs: str | CRS | None = None,
    id_field: str | None = None,
    allow_vrt: bool = False,
) -> VectorSource:
    """Open and check a user's vector file; read nothing but its metadata.

    Parameters
    ----------
    path : str or PathLike
        Any vector file GDAL reads (GeoJSON, GeoPackage, FlatGeobuf,
        Shapefile, ...) or a GeoParquet file.
    layer : str, optional
        Layer to read; required when the file has more than one.
    assume_crs : str or pyproj.CRS, optional
        CRS of the coordinates when the file declares none.
    id_field : str, optional
        Attribute field that names features in messages and outputs; by
        default the ``id`` field, when the file has one.
    allow_vrt : bool
        Read a GDAL VRT (refused by default: it makes GDAL read the files
        it names). GDAL virtual file systems (``/vsi*``), connection strings,
        service descriptions and VRTs naming URLs are refused regardless.

    Returns
    -------
    VectorSource

    Raises
    ------
    DataError
        Missing, empty, unreadable or unrecognised file, a folder, JSON that
        is not GeoJSON, a missing layer, a missing or unknown CRS, a missing
        id field.
    UsageError
        When ``assume_crs`` is not a CRS PROJ knows.
    """
    name = os.fspath(path)
    _refuse_virtual_path(name)
    assumed = assume_crs if isinstance(assume_crs, CRS) or assume_crs is None else parse_crs(assume_crs)
    # GDAL gets the absolute path, so no part of a file's name is read as a prefix or option.
    file = Path(os.path.abspath(name))
    head = _check_path(file, name)
    if head[:4] == b"PAR1":
        source = _open_parquet(file, name, layer, assumed, id_field)
    else:
        source = _open_gdal(file, name, head, layer, assumed, id_field, allow_vrt)
    if id_field is None and DEFAULT_ID_FIELD in source.fields:
        source = dataclasses.replace(source, id_field=DEFAULT_ID_FIELD)
    _check_earth_crs(source.crs, name)
    return source


def _check_earth_crs(crs: CRS, name: str) -> None:
    """Refuse a CRS that cannot be brought to WGS84 (a local engineering grid, a broken .prj)."""
    hint = "give the data in a geographic or projected CRS (e.g. delete the .prj and pass --assume-crs EPSG:32639)"
    if crs.is_engineering:
        raise DataError(f"its coordinate reference system ({crs.name}) is a local engineering grid, not tied to the Earth, so no length in km can be measured; {hint}", file=name)
    try:
        wgs84_transformer(crs)
    except ProjError as exc:
        raise DataError(f"its coordinate reference system ({crs.name}) cannot be converted to WGS84 ({_one_line(exc)}); {hint}", file=name) from None


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
    for batch in source.batches(attributes=True):
        geoms = batch.geometries
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
    where = "the file" if source.driver in _ONE_LAYER_DRIVERS else f"layer '{source.layer}'"
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
