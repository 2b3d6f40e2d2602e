"""Writing through GDAL (pyogrio): a staging folder, GDAL's errors as ours, config options set for one write, a layer written without pandas' per-call overhead."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely

from transcaspian.errors import OutputError
from transcaspian.files import output_error, target_mode


@contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``folder``; removed afterwards.

    Files are written there under their final names (so that drivers derive
    nothing from a temporary name) and then moved into place with
    :func:`os.replace`, which is atomic within one file system.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    except OSError as exc:
        raise output_error(folder, exc) from exc
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish(staged: Path, target: Path) -> Path:
    try:
        os.chmod(staged, target_mode(target))
        os.replace(staged, target)
    except OSError as exc:
        raise output_error(target, exc) from exc
    return target


@contextmanager
def gdal_errors(target: Path) -> Iterator[None]:
    try:
        yield
    except OutputError:
        raise  # already says what went wrong
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise OutputError(f"{target}: GDAL could not write it ({' '.join(str(exc).split())})") from exc
    except OSError as exc:
        raise output_error(target, exc) from exc


@contextmanager
def gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a block."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


#: Geometry type ids (shapely.get_type_id) of the single-part types and of their multi-part kind.
_SINGLE_TO_MULTI = {0: 4, 1: 5, 3: 6}
#: The names geopandas (and so write_dataframe) gives the geometry type ids.
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def write_frame(frame: pd.DataFrame, path: Path, *, layer: str, driver: str, geometry_type: str | None = None, **options: Any) -> None:
    """Write one layer as :func:`pyogrio.write_dataframe` does, the same file byte for byte.

    ``write_dataframe`` spends about 2.5 ms a call in pandas before GDAL
    writes anything (a Series and a type inference per column, the geometry
    types tallied); a build writes 27 layers. A frame of plain numpy columns
    (text and None as objects, floats, integers, booleans) with one kind of
    2D geometry goes to :func:`pyogrio.raw.write` as the arrays
    ``write_dataframe`` would have made. Anything else (extension arrays,
    dates and times, single- and multi-part geometries mixed, 3D) goes
    through ``write_dataframe`` itself.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer; a GeoDataFrame's active geometry is written.
    path : Path
        The file (or dataset, with ``append=True``).
    layer, driver, geometry_type, **options
        As for :func:`pyogrio.write_dataframe` (``geometry_type`` found from
        the geometries when not given, as it does).
    """
    direct = _direct_arrays(frame, geometry_type)
    if direct is None:
        pyogrio.write_dataframe(frame, path, layer=layer, driver=driver, geometry_type=geometry_type, **options)
        return
    wkb, kind, fields, data, crs = direct
    pyogrio.raw.write(
        path, geometry=wkb, field_data=data, fields=fields, field_mask=[None] * len(fields), layer=layer, driver=driver,
        geometry_type=kind, crs=crs, gdal_tz_offsets={}, **options,
    )


def _direct_arrays(frame: pd.DataFrame, geometry_type: str | None) -> tuple[Any, str | None, list[str], list[np.ndarray], str | None] | None:
    """(WKB, geometry type, field names, field arrays, CRS) for :func:`pyogrio.raw.write`, or None when ``write_dataframe`` must convert."""
    geometry_columns = [name for name, dtype in frame.dtypes.items() if str(dtype) == "geometry"]
    wkb, crs, kind = None, None, None
    if geometry_columns:
        if len(geometry_columns) > 1 or not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name != geometry_columns[0]:
            return None
        geometries = np.asarray(frame.geometry.array, dtype=object)
        kinds = set(shapely.get_type_id(geometries[~shapely.is_missing(geometries)]).tolist())
        if shapely.has_z(geometries).any() or any(_SINGLE_TO_MULTI.get(k) in kinds for k in kinds):
            return None  # write_dataframe's rules for 3D and for mixed single/multi parts apply
        kind = geometry_type or (_TYPE_NAMES[next(iter(kinds))] if len(kinds) == 1 else "Unknown")
        wkb = shapely.to_wkb(geometries)
        if frame.crs is not None:
            epsg = frame.crs.to_epsg()
            crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt("WKT1_GDAL")
    fields = [str(name) for name in frame.columns if name not in geometry_columns]
    data = []
    for name in fields:
        series = frame[name]
        values = series.to_numpy()
        if not isinstance(series.dtype, np.dtype) or values.dtype.kind not in "biufO":
            return None
        if values.dtype == object and pd.api.types.infer_dtype(values) == "datetime":
            return None
        data.append(values)
    return wkb, kind, fields, data, crs
