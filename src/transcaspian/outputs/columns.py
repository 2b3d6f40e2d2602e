"""Output names, dates and the flat, typed attribute tables that formats without nesting take."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from transcaspian.errors import UsageError
from transcaspian.geo.countries import SEA
from transcaspian.outputs.fields import COUNTRY_LENGTH_PREFIX, country_column, describe, storage_type
from transcaspian.outputs.geojson import round_lengths
from transcaspian.values import COORD_PRECISION, LENGTH_PRECISION, is_missing, json_value

CRS_WGS84 = "EPSG:4326"

#: Every format ``transcaspian export --format`` writes.
FORMATS = ("geojson", "gpkg", "fgb", "kml", "csv")
GPKG_NAME = "transcaspian.gpkg"
KML_NAME = "transcaspian.kml"
METADATA_NAME = "metadata.json"
DICTIONARY_NAME = "DATA_DICTIONARY.md"
SUMS_NAME = "SHA256SUMS"
#: Name of the claims table in the GeoPackage.
CLAIMS_TABLE = "claims"
#: Name of the events table (each leg's dated history) in the GeoPackage.
EVENTS_TABLE = "events"
#: QGIS keeps each layer's saved styles in this GeoPackage table.
STYLES_TABLE = "layer_styles"
#: Name of the geometry column in the GeoPackage (GDAL's default).
GPKG_GEOMETRY_COLUMN = "geom"
#: Titles of the layers that are not network layers.
EXTRA_TITLES = {
    "places": ("Places", "Named points the lines pass: ports, terminals, pump stations, landing points, junctions, border crossings, cities."),
    "routes": ("Routes", "Ordered chains of legs, each measured as a whole (e.g. the Baku–Tbilisi–Kars railway)."),
    CLAIMS_TABLE: ("Claims", "Published figures with their sources, and the verdict of each length claim against the measured geometry."),
    EVENTS_TABLE: ("Events", "Dated history of every leg (proposed, agreement signed, construction started, opened, capacity raised, planned completion), each with its source."),
    STYLES_TABLE: ("layer_styles", "QGIS default style (QML) of each layer"),
}
#: Format of timestamps in GeoPackage (``gpkg_contents.last_change``).
GPKG_TIME = "%Y-%m-%dT%H:%M:%S.000Z"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def source_date(environ: Mapping[str, str] | None = None) -> datetime | None:
    """The build date from ``SOURCE_DATE_EPOCH``, or None when it is not set.

    Builds never read the wall clock, so that two builds of the same input are
    byte-identical (https://reproducible-builds.org/specs/source-date-epoch/).

    Parameters
    ----------
    environ : mapping, optional
        The environment; ``os.environ`` when omitted.

    Raises
    ------
    UsageError
        When the variable is set but is not a whole number of seconds.
    """
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970-01-01 UTC; unset it or fix it")
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"SOURCE_DATE_EPOCH={value[:30]!r} is out of range (after the year 9999); unset it or fix it") from None


def file_timestamp(date: datetime | None) -> datetime:
    # Formats that need a timestamp get SOURCE_DATE_EPOCH, or the epoch itself.
    return date if date is not None else _EPOCH


def round_geometry(geometry: Any, precision: int = COORD_PRECISION) -> Any:
    """Coordinates rounded to ``precision`` decimals (the GeoJSON precision).

    Parameters
    ----------
    geometry : shapely geometry or array of them
        Lon/lat geometries in degrees.
    precision : int
        Decimal places (6 is about 0.1 m).
    """
    return shapely.transform(geometry, lambda xy: np.round(xy, precision))


def json_text(value: Any) -> str:
    """Compact, key-sorted JSON text of a nested value (lengths rounded to metres)."""
    return json.dumps(json_value(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _infer_kind(values: list[Any]) -> str:
    present = [v for v in values if not is_missing(v)]
    if any(isinstance(v, (Mapping, list, tuple, np.ndarray)) for v in present):
        return "json"
    if present and all(isinstance(v, (bool, np.bool_)) for v in present):
        return "boolean"
    if present and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present):
        return "integer"
    if present and all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in present):
        return "real"
    return "text"


def _column_kind(name: str, series: pd.Series, table: str | None = None) -> str:
    field = describe(name, table)
    if field is not None and field.type in ("real", "text", "JSON text"):
        # The dictionary fixes the type, so a column is typed the same in every
        # layer even where all its values are null.
        if field.type == "JSON text":
            return "json"
        kind = _infer_kind(series.tolist())
        if kind == "json" or (kind == "text" and field.type == "real" and not series.isna().all()):
            # Values the dictionary does not expect are written as they are.
            return kind
        return field.type
    kind = storage_type(series)
    # Object columns (text, nested values) are typed from their values.
    return kind if kind in ("real", "boolean", "integer") else _infer_kind(series.tolist())


def _round_km(name: str, value: Any) -> Any:
    if name.endswith("_km") or name.startswith(COUNTRY_LENGTH_PREFIX):
        return round(float(value), LENGTH_PRECISION)
    return float(value)


def typed_column(name: str, series: pd.Series, table: str | None = None) -> pd.Series:
    """One column as written to formats without nesting.

    Real numbers become float64 (NaN = null; ``*_km`` rounded to 1 m),
    integers nullable Int64, booleans nullable boolean, nested values compact
    JSON text, anything else text (None = null). The type comes from
    :data:`transcaspian.outputs.fields.FIELDS` when the column is known there, so a
    column has the same type in every layer even where all values are null.
    """
    kind = _column_kind(name, series, table)
    values = series.tolist()  # a bulk copy: iterating an Arrow-backed column yields one value at a time
    if kind == "json":
        # round_lengths rounds the values of a ``*_km`` mapping to metres.
        return pd.Series([None if is_missing(v) else json_text(round_lengths({name: v})[name]) for v in values], dtype=object)
    if kind == "real":
        return pd.Series([np.nan if is_missing(v) else _round_km(name, v) for v in values], dtype="float64")
    if kind == "integer":
        return pd.Series([None if is_missing(v) else int(v) for v in values], dtype="Int64")
    if kind == "boolean":
        return pd.Series([None if is_missing(v) else bool(v) for v in values], dtype="boolean")
    return pd.Series([None if is_missing(v) else str(v) for v in values], dtype=object)


def line_countries(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Every country key of ``country_lengths_km`` over all frames; ``sea`` last."""
    keys: set[str] = set()
    for frame in frames.values():
        if "country_lengths_km" in frame.columns:
            for value in frame["country_lengths_km"]:
                if isinstance(value, Mapping):
                    keys.update(value)
    return sorted(k for k in keys if k != SEA) + ([SEA] if SEA in keys else [])


def flat_frame(frame: gpd.GeoDataFrame, countries: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """A measured frame as a flat, typed attribute table for formats without nesting.

    Numbers stay numbers (float64, null where missing; ``*_km`` rounded to
    1 m), text stays text, nested values become JSON text, and
    ``country_lengths_km`` is also spread over one numeric column per country,
    ``length_km_<iso3>`` (0 where the line does not enter the country).
    Coordinates are rounded to :data:`COORD_PRECISION` decimals, as in GeoJSON.
    Every other column the frame carries is kept, typed by its values.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A leg, route or place frame in EPSG:4326.
    countries : sequence of str
        Country keys to spread into columns (see :func:`line_countries`), so
        that every line layer has the same columns.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame with a fresh integer index; the input is not changed.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometry_name = frame.geometry.name
    columns: dict[str, Any] = {}
    for name in frame.columns:
        if name == geometry_name:
            continue
        columns[name] = typed_column(name, frame[name])
        if name == "country_lengths_km":
            for code in countries:
                columns[country_column(code)] = pd.Series(
                    [round(float(v.get(code, 0.0)), LENGTH_PRECISION) if isinstance(v, Mapping) else np.nan for v in frame[name]],
                    dtype="float64",
                )
    geometry = round_geometry(np.asarray(frame.geometry.values, dtype=object))
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries(geometry, crs=frame.crs or CRS_WGS84), crs=frame.crs or CRS_WGS84)


def flat_frames(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """:func:`flat_frame` of every frame, with one country column set for all."""
    countries = line_countries(frames)
    return {name: flat_frame(frame, countries) for name, frame in frames.items()}


def flat_table(table: pd.DataFrame, name: str | None = None) -> pd.DataFrame:
    """A non-spatial table made flat and typed like :func:`flat_frame`.

    ``name`` is the table's name, for columns whose type it fixes
    (:data:`transcaspian.outputs.fields.TABLE_FIELDS`).
    """
    return pd.DataFrame({col: typed_column(col, table[col], name) for col in table.columns})


def geometry_type(frame: gpd.GeoDataFrame) -> str:
    types = sorted(set(frame.geometry.geom_type.dropna()))
    return types[0] if len(types) == 1 else ("Unknown" if types else "LineString")


def rewrite_text_cells(frame: pd.DataFrame, rewrite: Callable[[str], str], needs: Callable[[str], object]) -> pd.DataFrame:
    """``frame`` with ``rewrite`` applied to every text cell of the text columns where some cell ``needs`` it.

    Other values (numbers, None, geometries) are left as they are. A copy
    when a column changes, ``frame`` itself when none does: most columns hold
    nothing to rewrite, and looking costs a tenth of rewriting them.
    """
    out = frame
    for column in frame.columns:
        series = frame[column]
        if (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)) and any(
            isinstance(v, str) and needs(v) for v in series.tolist()
        ):
            out = frame.copy() if out is frame else out
            out[column] = series.map(lambda v: rewrite(v) if isinstance(v, str) else v)
    return out
