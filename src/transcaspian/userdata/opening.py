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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.errors
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from transcaspian.errors import DataError, UsageError
from transcaspian.userdata.batches import (
    DEFAULT_ID_FIELD,
    DIRECTORY_DATASETS,
    FID,
    FORMATS,
    GEOJSON_TYPES,
    HEAD_BYTES,
    JSON_DIAGNOSE_MAX_BYTES,
    JSON_SUFFIXES,
    UserFileWarning,
    VectorSource,
    one_line,
    parse_crs,
    wgs84_transformer,
)
from transcaspian.userdata.refusal import refuse_driver, refuse_virtual_content, refuse_virtual_path

#: Features per batch: small enough that a batch of 100-vertex lines takes
#: about 15 MB, large enough that per-batch overhead is negligible (the
#: benchmark runs as fast with 512 as with 8192).

def _check_path(path: Path, name: str) -> bytes:
    """Check the path is a readable, non-empty file; return its first bytes."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise DataError("no such file; check the path and its spelling", file=name) from exc
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc}); check the path and its permissions", file=name) from exc
    if stat.S_ISDIR(info.st_mode):
        if path.suffix.lower() in DIRECTORY_DATASETS:
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
            return handle.read(HEAD_BYTES)
    except PermissionError as exc:
        raise DataError("cannot be read (permission denied); make it readable (chmod +r) or copy it somewhere you can read", file=name) from exc
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc}); check the file and its permissions", file=name) from exc


def _looks_like_json(path: Path, head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return path.suffix.lower() in JSON_SUFFIXES or text[:1] in (b"{", b"[")


def _diagnose_unreadable(path: Path, name: str, head: bytes, gdal_message: str) -> DataError:
    """Explain why GDAL could not open a file, as precisely as we can."""
    if path.suffix.lower() == ".shp" and "SHAPE_RESTORE_SHX" in gdal_message:
        # GDAL's advice names a config option; say what it means for this file.
        shx = path.with_suffix(".shx").name
        return DataError(
            f"its index {shx} is missing (a shapefile is several files: .shp, .shx, .dbf, .prj); copy {shx} from where "
            f"the .shp came from, or rebuild it with: ogr2ogr --config SHAPE_RESTORE_SHX YES fixed.shp {path.name}",
            file=name,
        )
    if _looks_like_json(path, head) and path.stat().st_size <= JSON_DIAGNOSE_MAX_BYTES:
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
        if kind not in GEOJSON_TYPES:
            return f"\"type\" is {json.dumps(kind)}, not FeatureCollection, Feature or a geometry type"
        return f"a {kind} that is malformed"
    return f"the top level is a JSON {type(document).__name__.replace('dict', 'object').replace('list', 'array')}, not an object"


def _layers(path: Path, name: str, head: bytes) -> list[str]:
    try:
        listed = pyogrio.list_layers(str(path))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise _diagnose_unreadable(path, name, head, one_line(exc)) from exc
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
    except CRSError as exc:
        raise DataError(
            f"its \"crs\" member names '{text}', a CRS PROJ does not know; fix it, or remove it if "
            "the coordinates are longitude/latitude (RFC 7946 GeoJSON is always WGS84)",
            file=name,
        ) from exc
    return True


def _check_id_field(id_field: str | None, fields: Sequence[str], name: str, *, fid: bool = False) -> None:
    if id_field is not None and id_field not in fields and not (fid and id_field == FID):
        listed = ", ".join(fields) if fields else "none"
        raise DataError(f"has no field '{id_field}' (its fields: {listed}); choose one with --id-field, or --id-field fid for the feature ids GDAL reads", file=name)


def _bounds_tuple(bounds: Any) -> tuple[float, float, float, float] | None:
    try:
        values = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        return None
    return values if len(values) == 4 else None


def _open_gdal(path: Path, name: str, head: bytes, layer: str | None, assumed: CRS | None, id_field: str | None, allow_vrt: bool = False) -> VectorSource:
    refuse_virtual_content(path, name, head, allow_vrt)
    chosen = _pick_layer(_layers(path, name, head), layer, name)
    try:
        info = pyogrio.read_info(str(path), layer=chosen)
    except pyogrio.errors.CRSError as exc:
        raise DataError(
            f"its coordinate reference system is not one PROJ understands ({one_line(exc)}); "
            "fix or delete it (e.g. the .prj file) and give --assume-crs",
            file=name,
        ) from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"cannot be read ({one_line(exc)}); check the file or export it again", file=name) from exc
    refuse_driver(str(info.get("driver", "")), name, allow_vrt)
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
            raise DataError(f"its coordinate reference system is not one PROJ understands ({one_line(exc)}); fix it or give --assume-crs", file=name) from exc
    bounds = info.get("total_bounds")
    crs = _resolve_crs(found, assumed, name, bounds)
    fields = tuple(str(f) for f in info.get("fields", ()))
    _check_id_field(id_field, fields, name, fid=True)
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
        raise DataError(f"is not a readable Parquet file ({one_line(exc)}); export it again", file=name) from exc
    metadata = parquet.schema_arrow.metadata or {}
    if b"geo" not in metadata:
        raise DataError("is Parquet without GeoParquet metadata (no 'geo' key), so it has no geometry; write it with geopandas.to_parquet or ogr2ogr", file=name)
    try:
        geo = json.loads(metadata[b"geo"])
        column = geo["primary_column"]
        spec = geo["columns"][column]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError("has malformed GeoParquet metadata; write it again with geopandas.to_parquet or ogr2ogr", file=name) from exc
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
            raise DataError(f"its coordinate reference system is not one PROJ understands ({one_line(exc)}); fix it or give --assume-crs", file=name) from exc
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
    if not name.strip():
        raise UsageError(f"\"\" is an empty file name; give the path of a vector file ({FORMATS})")
    refuse_virtual_path(name)
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
        raise DataError(f"its coordinate reference system ({crs.name}) cannot be converted to WGS84 ({one_line(exc)}); {hint}", file=name) from None
