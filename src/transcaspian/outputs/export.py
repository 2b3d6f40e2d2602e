"""Write the measured layers to files.

Formats: GeoJSON layers (RFC 7946, nested attributes), one GeoPackage with
every layer, the claims table and QGIS default styles, FlatGeobuf files with
a spatial index, one KML file with a Folder per layer, and CSV files with WKT
geometry, all through GDAL (pyogrio) except GeoJSON; then the data dictionary,
``metadata.json`` and ``SHA256SUMS``.

Formats without nesting get a flat, typed attribute table (:func:`flat_frame`):
numbers stay numbers with the unit in the name, nested values become JSON
text, and per-country lengths are also spread over ``length_km_<iso3>``
columns (see :mod:`transcaspian.fields`).

Every file is written beside its target first (:func:`atomic_write`, or a
hidden staging folder for GDAL's multi-file or multi-step writes) and then
renamed over it, so an interrupted run never leaves a truncated file. Outputs
are deterministic: the same input gives byte-identical files. The wall clock
is never read; timestamps come from ``SOURCE_DATE_EPOCH`` (:func:`source_date`)
or are 1970-01-01 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from transcaspian.errors import UsageError
from transcaspian.files import atomic_write
from transcaspian.measured import Measured
from transcaspian.outputs.columns import (
    CLAIMS_TABLE,
    DICTIONARY_NAME,
    EVENTS_TABLE,
    FORMATS,
    GPKG_NAME,
    KML_NAME,
    METADATA_NAME,
    STYLES_TABLE,
    flat_frame,
    flat_frames,
    flat_table,
    line_countries,
    source_date,
)
from transcaspian.outputs.csvfiles import write_csv_layers
from transcaspian.outputs.fgb import write_fgb_layers
from transcaspian.outputs.geojson import dumps_geojson, feature_collection, write_geojson_layers
from transcaspian.outputs.gpkg import layer_qml, write_gpkg
from transcaspian.outputs.placemarks import kml_description, ogr_style, write_kml
from transcaspian.outputs.provenance import build_metadata, claims_table, data_dictionary_text, dumps_json, events_frame, layer_titles, sha256sums

#: The writers live in modules of their own; these are the names callers take from here.
__all__ = [
    "CLAIMS_TABLE",
    "EVENTS_TABLE",
    "FORMATS",
    "GPKG_NAME",
    "KML_NAME",
    "STYLES_TABLE",
    "build_metadata",
    "dumps_geojson",
    "events_frame",
    "export_format",
    "feature_collection",
    "flat_frame",
    "flat_frames",
    "kml_description",
    "layer_qml",
    "line_countries",
    "ogr_style",
    "select_layers",
    "sha256sums",
    "source_date",
    "write_exports",
    "write_geojson_layers",
    "write_gpkg",
    "write_kml",
]


def select_layers(frames: Mapping[str, gpd.GeoDataFrame], layers: Sequence[str] | None) -> dict[str, gpd.GeoDataFrame]:
    """The frames named in ``layers`` (all when None), in the frames' order.

    Raises
    ------
    UsageError
        When a name is not a layer.
    """
    if not layers:
        return dict(frames)
    unknown = [name for name in layers if name not in frames and name not in (CLAIMS_TABLE, EVENTS_TABLE)]
    if unknown:
        raise UsageError(f"unknown layer {unknown[0]!r}; choose from {', '.join([*frames, CLAIMS_TABLE, EVENTS_TABLE])}")
    return {name: frame for name, frame in frames.items() if name in layers}


def export_format(measured: Measured, out: str | Path, fmt: str, layers: Sequence[str] | None = None, *, date: datetime | None = None) -> list[Path]:
    """Write one format of the measured layers under ``out`` (``transcaspian export``).

    Parameters
    ----------
    measured : Measured
        What :func:`transcaspian.measured.measure_geodata` returned.
    out : str or Path
        Output folder.
    fmt : str
        One of :data:`FORMATS`.
    layers : sequence of str, optional
        Layer names to write (all when omitted); ``claims`` selects the claims
        table of the GeoPackage.
    date : datetime, optional
        Build date (see :func:`source_date`).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    for table in (CLAIMS_TABLE, EVENTS_TABLE):
        if layers and table in layers and fmt != "gpkg":
            # Only the GeoPackage holds non-spatial tables; say so rather than write nothing.
            raise UsageError(f"the {table} table is written to the GeoPackage only; use --format gpkg, or leave {table} out of --layers")
    frames = measured.layer_frames()
    selected = select_layers(frames, layers)
    tables: dict[str, pd.DataFrame] = {}
    if fmt == "gpkg" and (not layers or CLAIMS_TABLE in layers):
        claims = claims_table(measured)
        if claims is not None:
            tables[CLAIMS_TABLE] = claims
    if fmt == "gpkg" and (not layers or EVENTS_TABLE in layers):
        tables[EVENTS_TABLE] = events_frame(measured)
    if fmt == "geojson":
        return write_geojson_layers(Path(out), selected)
    # Flatten every layer together so that the per-country columns are the
    # same whichever layers are selected.
    flat = {name: frame for name, frame in flat_frames(frames).items() if name in selected}
    titles = layer_titles(measured)
    if fmt == "gpkg":
        return [write_gpkg(Path(out) / GPKG_NAME, flat, {n: flat_table(t, n) for n, t in tables.items()}, titles=titles, date=date)]
    if fmt == "fgb":
        return write_fgb_layers(out, flat, titles=titles)
    if fmt == "kml":
        return [write_kml(Path(out) / KML_NAME, flat, titles=titles)]
    return write_csv_layers(out, flat)


def write_exports(out: str | Path, measured: Measured, *, date: datetime | None = None) -> list[Path]:
    """Write every GIS format, the data dictionary and ``metadata.json`` (``transcaspian build``).

    GeoJSON layers are written by the build itself (:func:`write_geojson_layers`);
    this adds the GeoPackage (with the claims table when the build checked
    claims), FlatGeobuf, KML and CSV files. Call :func:`write_sha256sums`
    after every other output.

    Parameters
    ----------
    out : str or Path
        Output folder.
    measured : Measured
        What :func:`transcaspian.measured.measure_geodata` returned, checked.
    date : datetime, optional
        Build date (see :func:`source_date`); the caller reads it before
        writing anything, so a bad ``SOURCE_DATE_EPOCH`` stops the build
        before a single file is written.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    frames = measured.layer_frames()
    flat = flat_frames(frames)
    titles = layer_titles(measured)
    claims = claims_table(measured)
    tables = {CLAIMS_TABLE: flat_table(claims, CLAIMS_TABLE)} if claims is not None else {}
    tables[EVENTS_TABLE] = flat_table(events_frame(measured), EVENTS_TABLE)
    written = [write_gpkg(out / GPKG_NAME, flat, tables, titles=titles, date=date)]
    written += write_fgb_layers(out, flat, titles=titles)
    written.append(write_kml(out / KML_NAME, flat, titles=titles))
    written += write_csv_layers(out, flat)
    written.append(atomic_write(out / DICTIONARY_NAME, data_dictionary_text(flat, tables, titles)))
    written.append(atomic_write(out / METADATA_NAME, dumps_json(build_metadata(measured, frames, date=date, tables=tables))))
    return written

