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

import html
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from transcaspian import __version__
from transcaspian.claims.judge import RECORD_FIELDS, CheckResult
from transcaspian.errors import OutputError, UsageError
from transcaspian.files import atomic_write, output_error, target_mode
from transcaspian.geo.countries import SEA
from transcaspian.geo.geodesy import SPLIT_SPACING_KM
from transcaspian.network.records import MODES, PLACE_KINDS, ROUTE_ACCURACIES, STATUSES
from transcaspian.outputs import kml
from transcaspian.outputs.folder import sha256sums_text, written_files
from transcaspian.outputs.fields import COUNTRY_LENGTH_PREFIX, country_column, data_dictionary, describe, storage_type
from transcaspian.outputs.qml import LINE_KEYS, line_layer_qml, point_layer_qml
from transcaspian.styles import PLACE_STYLES, line_style
from transcaspian.values import COORD_PRECISION, FIELD_LABELS, LENGTH_NOTE, LENGTH_PRECISION, format_km, is_missing, json_value, round_coords, spreadsheet_text

if TYPE_CHECKING:
    from transcaspian.measured import Measured

CRS_WGS84 = "EPSG:4326"



def round_lengths(props: dict[str, Any]) -> dict[str, Any]:
    """Round every ``*_km`` value (and nested km maps) to metres."""
    out = {}
    for key, value in props.items():
        if key.endswith("_km") and isinstance(value, float):
            value = round(value, LENGTH_PRECISION)
        elif key.endswith("_km") and isinstance(value, dict):
            value = {k: round(v, LENGTH_PRECISION) for k, v in value.items()}
        out[key] = value
    return out


def feature_collection(frame: gpd.GeoDataFrame, *, precision: int = COORD_PRECISION, name: str | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection from a GeoDataFrame in EPSG:4326.

    Each feature's ``id`` is the row's ``id`` column; properties keep every
    other column (nested values stay nested); coordinates are rounded to
    ``precision`` decimals; there is no ``crs`` member.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    features = []
    for _, row in frame.iterrows():
        props = {k: json_value(v) for k, v in row.items() if k != frame.geometry.name}
        geom = json.loads(shapely.to_geojson(row[frame.geometry.name]))
        geom["coordinates"] = round_coords(geom["coordinates"], precision)
        features.append({"type": "Feature", "id": props["id"], "properties": round_lengths(props), "geometry": geom})
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        collection["name"] = name
    collection["features"] = features
    return collection


def dumps_geojson(collection: Mapping[str, Any]) -> str:
    """Serialise GeoJSON deterministically: sorted keys, UTF-8, one line per feature."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    body = ",\n".join(lines)
    head_text = json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{head_text},"features":[\n{body}\n]}}\n'


def write_geojson_layers(out: Path, frames: Mapping[str, gpd.GeoDataFrame]) -> list[Path]:
    """Write ``<out>/layers/<name>.geojson`` for each frame, atomically."""
    written = []
    for name, frame in frames.items():
        text = dumps_geojson(feature_collection(frame, name=name))
        written.append(atomic_write(Path(out) / "layers" / f"{name}.geojson", text))
    return written


# ---------------------------------------------------------------------------
# GIS formats: GeoPackage, FlatGeobuf, KML, CSV; metadata and checksums.
# ---------------------------------------------------------------------------

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
_GPKG_TIME = "%Y-%m-%dT%H:%M:%S.000Z"
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


def _file_timestamp(date: datetime | None) -> datetime:
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
        kind = _infer_kind(list(series))
        if kind == "json" or (kind == "text" and field.type == "real" and any(not is_missing(v) for v in series)):
            # Values the dictionary does not expect are written as they are.
            return kind
        return field.type
    kind = storage_type(series)
    # Object columns (text, nested values) are typed from their values.
    return kind if kind in ("real", "boolean", "integer") else _infer_kind(list(series))


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
    values = list(series)
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


def _geometry_type(frame: gpd.GeoDataFrame) -> str:
    types = sorted(set(frame.geometry.geom_type.dropna()))
    return types[0] if len(types) == 1 else ("Unknown" if types else "LineString")


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """A fresh hidden folder inside ``folder``; removed afterwards.

    Files are written there under their final names (so that drivers derive
    nothing from a temporary name) and then moved into place with
    :func:`os.replace`, which is atomic within one file system.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    except OSError as exc:
        raise output_error(folder, exc) from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _publish(staged: Path, target: Path) -> Path:
    try:
        os.chmod(staged, target_mode(target))
        os.replace(staged, target)
    except OSError as exc:
        raise output_error(target, exc) from None
    return target


@contextmanager
def _gdal_errors(target: Path) -> Iterator[None]:
    try:
        yield
    except OutputError:
        raise  # already says what went wrong
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise OutputError(f"{target}: GDAL could not write it ({' '.join(str(exc).split())})") from None
    except OSError as exc:
        raise output_error(target, exc) from None


@contextmanager
def _gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the duration of a block."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def _title(name: str, titles: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    return titles.get(name) or EXTRA_TITLES.get(name) or (name, "")


def layer_qml(name: str, frame: pd.DataFrame) -> str | None:
    """The QGIS default style of one exported layer, or None if it has none.

    Line layers get a rule per (mode, status, route_accuracy) they hold, in
    the colour of their network layer (``routes`` in the routes colour);
    ``places`` gets a category per kind. Non-spatial tables get no style.
    """
    if isinstance(frame, gpd.GeoDataFrame) and "kind" in frame.columns and _geometry_type(frame) == "Point":
        present = set(frame["kind"].dropna())
        return point_layer_qml([k for k in PLACE_KINDS if k in present] + sorted(present - set(PLACE_KINDS)))
    if isinstance(frame, gpd.GeoDataFrame) and all(k in frame.columns for k in LINE_KEYS):
        combos = {tuple(str(v) for v in row) for row in frame[list(LINE_KEYS)].itertuples(index=False)}
        order = (MODES + ("multimodal",), STATUSES + ("mixed",), ROUTE_ACCURACIES)

        def rank(combo: tuple[str, ...]) -> tuple:
            return tuple((vocab.index(v) if v in vocab else len(vocab), v) for v, vocab in zip(combo, order))

        return line_layer_qml("routes" if name == "routes" else name, sorted(combos, key=rank))
    return None


def layer_styles_frame(frames: Mapping[str, pd.DataFrame], date: datetime | None = None) -> pd.DataFrame:
    """Rows of the QGIS ``layer_styles`` table: one default style per styled layer.

    The columns are those QGIS itself creates when it saves a style into a
    GeoPackage; ``useAsDefault`` is true, so QGIS applies the style when the
    layer is added.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Exported layers by name (flat frames).
    date : datetime, optional
        ``update_time`` of every row; 1970-01-01 UTC when omitted.
    """
    rows = []
    for name, frame in frames.items():
        qml = layer_qml(name, frame)
        if qml is None:
            continue
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": name,
                "f_geometry_column": GPKG_GEOMETRY_COLUMN,
                "styleName": name,
                "styleQML": qml,
                "styleSLD": "",
                "useAsDefault": True,
                "description": "transcaspian default style: colour by layer, width by mode, dashes by status and route accuracy, as on the web maps",
                "owner": "",
                "ui": None,
                "update_time": pd.Timestamp(_file_timestamp(date)),
            }
        )
    columns = ["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
    styles = pd.DataFrame(rows, columns=columns)
    styles["useAsDefault"] = styles["useAsDefault"].astype(bool)
    styles["ui"] = styles["ui"].astype(object)
    styles["update_time"] = pd.to_datetime(styles["update_time"], utc=True)
    return styles


def write_gpkg(
    path: str | Path,
    frames: Mapping[str, gpd.GeoDataFrame],
    tables: Mapping[str, pd.DataFrame] | None = None,
    *,
    titles: Mapping[str, tuple[str, str]] = {},
    date: datetime | None = None,
    styles: bool = True,
) -> Path:
    """Write one GeoPackage with every layer, non-spatial tables and QGIS styles.

    Parameters
    ----------
    path : str or Path
        Target ``.gpkg``; replaced atomically (written to a staging folder
        beside it, then renamed).
    frames : mapping of str to GeoDataFrame
        Spatial layers by name, flat (see :func:`flat_frames`), EPSG:4326.
    tables : mapping of str to DataFrame, optional
        Non-spatial tables by name (the claims), flat columns.
    titles : mapping of str to (title, description), optional
        Written to ``gpkg_contents.identifier`` and ``description``.
    date : datetime, optional
        ``gpkg_contents.last_change`` and ``layer_styles.update_time`` of every
        row (GDAL would use the current time); 1970-01-01 UTC when omitted,
        so that two builds are byte-identical.
    styles : bool
        Write the ``layer_styles`` table (one QML default style per layer).

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    stamp = _file_timestamp(date).strftime(_GPKG_TIME)
    # SQLite's own fsync after every layer made this the slowest output (8 layers, 0.1 s each):
    # the file is staged and renamed into place whole, like every other output, none of which
    # is fsynced either, so SQLite's synchronous mode buys nothing here.
    with _staging(path.parent) as tmp, _gdal_errors(path), _gdal_config({"OGR_CURRENT_DATE": stamp, "OGR_SQLITE_SYNCHRONOUS": "OFF"}):
        staged = tmp / path.name
        created = False

        def write(frame: pd.DataFrame, name: str, **options: str) -> None:
            nonlocal created
            title, description = _title(name, titles)
            pyogrio.write_dataframe(
                frame,
                staged,
                layer=name,
                driver="GPKG",
                # GeoPackage 1.2 opens without warnings in GIS releases whose
                # GDAL predates 1.4 (QGIS 3.22 LTR, for one); nothing here needs more.
                dataset_options=None if created else {"VERSION": "1.2"},
                # The GeoPackage spec wants DATETIME values with milliseconds.
                layer_options={"IDENTIFIER": title, "DESCRIPTION": description, "DATETIME_PRECISION": "MILLISECOND", **options},
                **({"geometry_type": _geometry_type(frame)} if isinstance(frame, gpd.GeoDataFrame) else {}),
            )
            created = True

        for name, frame in frames.items():
            write(frame, name, GEOMETRY_NAME=GPKG_GEOMETRY_COLUMN, SPATIAL_INDEX="YES")
        for name, table in (tables or {}).items():
            write(pd.DataFrame(table).reset_index(drop=True), name)
        rows = layer_styles_frame(frames, date) if styles else pd.DataFrame()
        if len(rows):
            # QGIS names the key of its layer_styles table "id".
            write(rows, STYLES_TABLE, FID="id")
        return _publish(staged, path)


def write_fgb_layers(out: str | Path, frames: Mapping[str, gpd.GeoDataFrame], *, titles: Mapping[str, tuple[str, str]] = {}) -> list[Path]:
    """Write ``<out>/fgb/<layer>.fgb`` (FlatGeobuf with a packed R-tree index).

    Parameters
    ----------
    out : str or Path
        Output folder.
    frames : mapping of str to GeoDataFrame
        Flat layers by name, EPSG:4326.
    titles : mapping of str to (title, description), optional
        Written into each file's header.
    """
    folder = Path(out) / "fgb"
    written = []
    with _staging(folder) as tmp:
        for name, frame in frames.items():
            target = folder / f"{name}.fgb"
            title, description = _title(name, titles)
            with _gdal_errors(target):
                pyogrio.write_dataframe(
                    frame,
                    tmp / target.name,
                    layer=name,
                    driver="FlatGeobuf",
                    geometry_type=_geometry_type(frame),
                    layer_options={"SPATIAL_INDEX": "YES", "TITLE": title, "DESCRIPTION": description},
                )
            written.append(_publish(tmp / target.name, target))
    return written


def spreadsheet_safe_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas (numbers untouched).

    Only text columns change: a value starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR gets a leading ``'`` (:func:`values.spreadsheet_text`,
    OWASP's advice), so LibreOffice and Excel show it as text; numeric
    columns keep their type and their ``.csvt`` type.
    """
    out = frame.copy()
    geometry = frame.geometry.name
    for column in out.columns:
        if column != geometry and (out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype)):
            out[column] = out[column].map(lambda v: spreadsheet_text(v) if isinstance(v, str) else v)
    return out


def write_csv_layers(out: str | Path, frames: Mapping[str, gpd.GeoDataFrame]) -> list[Path]:
    """Write ``<out>/csv/<layer>.csv``: attributes, with the geometry as WKT.

    Written by GDAL's CSV driver: the first column, ``WKT``, holds the
    geometry; a ``.csvt`` beside each file gives the column types (QGIS and
    GDAL read it) and a ``.prj`` the CRS. UTF-8, LF line ends, no BOM. Text
    cells are neutralised against formulas (:func:`spreadsheet_safe_frame`).

    Returns
    -------
    list of Path
        The ``.csv`` files (the ``.csvt`` and ``.prj`` files sit beside them).
    """
    folder = Path(out) / "csv"
    written = []
    with _staging(folder) as tmp:
        for name, frame in frames.items():
            target = folder / f"{name}.csv"
            with _gdal_errors(target):
                pyogrio.write_dataframe(
                    spreadsheet_safe_frame(frame),
                    tmp / target.name,
                    layer=name,
                    driver="CSV",
                    layer_options={"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES", "LINEFORMAT": "LF", "WRITE_BOM": "NO"},
                )
            for suffix in (".csvt", ".prj"):
                side = tmp / f"{name}{suffix}"
                if side.exists():
                    _publish(side, folder / side.name)
            written.append(_publish(tmp / target.name, target))
    return written


def kml_description(row: Mapping[str, Any], layer_title: str = "") -> str:
    """The HTML balloon text of one Placemark.

    Every value from the data is HTML-escaped, so no attribute can become
    markup or script in Google Earth; links are made only for http(s) URLs.

    Parameters
    ----------
    row : mapping
        One feature of a flat frame (nested values as JSON text).
    layer_title : str
        Title of the feature's layer, shown first.
    """
    def esc(value: Any) -> str:
        return html.escape(str(value), quote=True)

    lines = []
    if layer_title:
        lines.append(f"<b>{esc(layer_title)}</b>")
    label = FIELD_LABELS
    for key in ("mode", "status", "route_accuracy", "operator", "capacity", "kind", "country"):
        value = row.get(key)
        if not is_missing(value, blank=True):
            lines.append(f"{label[key]}: {esc(str(value).replace('_', ' ') if key in ('mode', 'status', 'route_accuracy', 'kind') else value)}")
    if not is_missing(row.get("length_km")):
        lines.append(f"{label['length_km']}: {esc(format_km(row['length_km']))} ({LENGTH_NOTE})")
    if not is_missing(row.get("stated_length_km")):
        lines.append(f"{label['stated_length_km']}: {esc(format_km(row['stated_length_km']))}")
    if not is_missing(row.get("length_ratio")):
        lines.append(f"{label['length_ratio']}: {esc(format(float(row['length_ratio']), '.3f'))}")
    if not is_missing(row.get("check"), blank=True):
        lines.append(f"{label['check']}: {esc(str(row['check']).replace('_', ' '))}")
    if not is_missing(row.get("source"), blank=True):
        lines.append(f"{label['source']}: {esc(row['source'])}")
    facts = row.get("facts")
    if isinstance(facts, str) and facts:
        items = [
            f"<li>{esc(str(fact.get('metric', '')).replace('_', ' '))}: {esc(fact.get('text', ''))}</li>"
            for fact in json.loads(facts)
            if isinstance(fact, Mapping)
        ]
        if items:
            lines.append(f"{label['facts']}:<ul>" + "".join(items) + "</ul>")
    sources = row.get("sources")
    if isinstance(sources, str) and sources:
        items = []
        for src in json.loads(sources):
            text = esc(" – ".join(s for s in (src.get("publisher", ""), src.get("title", ""), src.get("date", "")) if s))
            url = str(src.get("url", ""))
            if url.startswith(("https://", "http://")):
                text = f'<a href="{esc(url)}">{text}</a>'
            items.append(f"<li>{text}</li>")
        if items:
            lines.append(f"{label['sources']}:<ul>" + "".join(items) + "</ul>")
    if not is_missing(row.get("notes"), blank=True):
        lines.append(f"{label['notes']}: {esc(row['notes'])}")
    return "<br/>".join(lines)


def _kml_scale(radius: float) -> float:
    # A web marker of radius 5 px is shown at KML icon scale 1.
    return radius / 5.0


def ogr_style(layer: str, row: Mapping[str, Any]) -> str:
    """The GDAL feature style string of one feature (LIBKML turns it into a KML Style).

    Lines: ``PEN`` with the colour and width of :func:`line_style` (KML has no
    dash patterns). Places: ``SYMBOL`` with the kind's colour; its size is
    chosen so that LIBKML writes an icon scale of radius / 5.
    """
    if "kind" in row and "mode" not in row:
        color, radius = PLACE_STYLES.get(str(row["kind"]), ("#666666", 3.0))
        # LIBKML converts a SYMBOL size in px to an icon scale of size * 25.4 / 72.
        size = _kml_scale(radius) * 72.0 / 25.4
        return f"SYMBOL(c:{color},s:{size:.4f}px)"
    style = line_style("routes" if layer == "routes" else layer, str(row.get("mode", "")), str(row.get("status", "")), str(row.get("route_accuracy", "")))
    return f"PEN(c:{style.color},w:{style.width:g}px)"


def kml_frame(name: str, frame: gpd.GeoDataFrame, title: str = "") -> gpd.GeoDataFrame:
    """A flat frame with the two columns LIBKML maps to KML: ``description`` and ``OGR_STYLE``."""
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    out = frame.copy()
    position = list(out.columns).index("name") + 1 if "name" in out.columns else 1
    out.insert(position, "description", pd.Series([kml_description(r, title) for r in records], index=out.index, dtype=object))
    out["OGR_STYLE"] = pd.Series([ogr_style(name, r) for r in records], index=out.index, dtype=object)
    return out.set_geometry(frame.geometry.name)


def write_kml(path: str | Path, frames: Mapping[str, gpd.GeoDataFrame], *, titles: Mapping[str, tuple[str, str]] = {}, document: str = "transcaspian") -> Path:
    """Write one KML file through GDAL's LIBKML driver, one Folder per layer.

    Each Placemark has the feature's ``id``, its ``name``, an HTML
    ``description`` (escaped values, see :func:`kml_description`), an inline
    Style made by LIBKML from :func:`ogr_style` (LineStyle colour and width;
    IconStyle colour and scale for places) and every attribute as
    ExtendedData.

    Parameters
    ----------
    path : str or Path
        Target ``.kml``; replaced atomically.
    frames : mapping of str to GeoDataFrame
        Flat layers by name, EPSG:4326.
    titles : mapping of str to (title, description), optional
        Layer titles, shown at the top of each description.
    document : str
        Name of the KML Document.
    """
    path = Path(path)
    with _staging(path.parent) as tmp, _gdal_errors(path):
        staged = tmp / path.name
        first = True
        for name, frame in frames.items():
            title, _ = _title(name, titles)
            pyogrio.write_dataframe(
                kml.protect_frame(kml_frame(name, frame, title)),
                staged,
                layer=name,
                driver="LIBKML",
                geometry_type=_geometry_type(frame),
                layer_options={"FOLDER": "YES"},
                dataset_options={"NAME": document, "DESCRIPTION": "Measured, source-checked lines across the Caspian; see metadata.json."} if first else None,
            )
            first = False
        # LIBKML quotes text as CDATA without escaping "]]>": see outputs/kml.py.
        kml.restore_file(staged)
        kml.verify_kml(staged, {name: len(frame) for name, frame in frames.items()}, shown_as=path)
        return _publish(staged, path)


def layer_titles(measured: Measured) -> dict[str, tuple[str, str]]:
    """(title, description) of every layer: network layers from the geodata, then the rest."""
    titles = {lid: (layer.title, layer.description) for lid, layer in measured.geodata.layers.items()}
    for name, value in EXTRA_TITLES.items():
        titles.setdefault(name, value)
    return titles


def claims_frame(result: CheckResult) -> pd.DataFrame:
    """Every claim of a check result as one table row, length claims with their verdicts.

    Parameters
    ----------
    result : transcaspian.claims.judge.CheckResult
        What :func:`transcaspian.claims.judge.run_checks` returned.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`transcaspian.claims.judge.RECORD_FIELDS`, one row per claim in
        register order. ``value`` is a number, null where the figure is text
        (a date; ``stated`` holds it as written); facts (figures that are not
        lengths) have no measurement and an empty ``verdict``.
    """
    checked = {c.claim.id: c.as_record() for c in result.checks}
    sources = result.register.sources
    rows = []
    for claim in result.register.claims:
        row = checked.get(claim.id)
        if row is None:
            src = sources.get(claim.source)
            row = dict.fromkeys(RECORD_FIELDS)
            row.update(
                claim=claim.id,
                subject=claim.subject_key,
                subject_kind=claim.subject.kind if claim.subject else "",
                role=claim.role,
                metric=claim.metric,
                stated=claim.stated_text(),
                value=claim.value,
                value_max=claim.value_max,
                unit=claim.unit,
                qualifier=claim.qualifier,
                verdict="",
                route_accuracy="",
                tolerance="",
                tolerance_basis="",
                reason=claim.reason,
                source=claim.source,
                source_publisher=src.publisher if src else "",
                source_title=src.title if src else "",
                source_url=src.url if src else "",
                source_date=src.date if src else "",
                says=claim.says,
                attributed_to=claim.attributed_to,
                notes=claim.notes,
            )
        row = dict(row)
        # A figure published as text (a date, a period) has no number.
        if isinstance(row.get("value"), str):
            row["value"] = None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RECORD_FIELDS))


def events_frame(measured: Measured) -> pd.DataFrame:
    """Every leg's events as one non-spatial table, by leg (file order) then date.

    Columns ``leg``, ``date``, ``kind``, ``what``, ``source``, ``source_url``:
    joined to the legs layer on ``leg`` = ``id``, it lets a GIS show the
    network as it stood on any date.
    """
    gd = measured.geodata
    rows = [
        {**e.as_record(), "leg": lid, "source_url": gd.sources[e.source].url}
        for lid, leg in gd.legs.items()
        for e in leg.events
    ]
    return pd.DataFrame(rows, columns=["leg", "date", "kind", "what", "source", "source_url"])


def claims_table(measured: Measured) -> pd.DataFrame | None:
    """The claims table of a build, or None when the build checked no claims."""
    return None if measured.checks is None else claims_frame(measured.checks)


def _geometry_label(frame: pd.DataFrame) -> str | None:
    return _geometry_type(frame) if isinstance(frame, gpd.GeoDataFrame) else None


def data_dictionary_text(flat: Mapping[str, gpd.GeoDataFrame], tables: Mapping[str, pd.DataFrame] = {}, titles: Mapping[str, tuple[str, str]] = {}) -> str:
    """``DATA_DICTIONARY.md`` for the flat layers and tables that were written."""
    every: dict[str, pd.DataFrame] = {**flat, **tables}
    extra = {}
    sample = next(iter(flat.values()), None)
    if sample is not None:
        extra["KML (`transcaspian.kml`)"] = (
            "One Folder per layer. `id` is the Placemark's id and `name` its name; every other field is ExtendedData "
            "(SchemaData), typed as in the GeoPackage. KML has no dash patterns: lines keep their colour and width.",
            pd.DataFrame({"description": pd.Series(dtype=object), "OGR_STYLE": pd.Series(dtype=object)}),
        )
        extra["CSV (`csv/*.csv`)"] = (
            "The geometry comes first, as WKT; the `.csvt` beside each file gives the column types, the `.prj` the CRS.",
            pd.DataFrame({"WKT": pd.Series(dtype=object)}),
        )
    return data_dictionary(
        every,
        titles={name: _title(name, titles)[0] for name in every},
        geometry_types={name: g for name, f in every.items() if (g := _geometry_label(f))},
        format_columns=extra,
    )


def build_metadata(measured: Measured, frames: Mapping[str, pd.DataFrame], *, date: datetime | None = None, tables: Mapping[str, pd.DataFrame] = {}) -> dict[str, Any]:
    """The content of ``metadata.json``.

    Parameters
    ----------
    measured : Measured
        The build's measurements (geodata digest, layers, sources).
    frames : mapping of str to DataFrame
        The exported layers (for their feature counts and geometry types).
    date : datetime, optional
        Build date from ``SOURCE_DATE_EPOCH``; ``build_date`` is null without it.
    tables : mapping of str to DataFrame, optional
        Non-spatial tables (claims, events), for their row counts.
    """
    gd = measured.geodata
    titles = layer_titles(measured)
    layers = []
    for name, frame in {**frames, **tables}.items():
        title, description = _title(name, titles)
        layers.append(
            {
                "name": name,
                "title": title,
                "description": description,
                "geometry_type": _geometry_label(frame),
                "features": int(len(frame)),
            }
        )
    return {
        "name": "transcaspian",
        "title": "Links across the Caspian: Middle Corridor, Trans-Caspian fiber, subsea power cables, BTC pipeline",
        "tool": {"name": "transcaspian", "version": __version__},
        "source_data": {
            "digest": f"sha256:{gd.digest}",
            "digest_of": "every geodata file read (places/, layers/, sources/, routes.toml), in that order, each as its path, NUL, its bytes, NUL",
            "counts": {"places": len(gd.places), "legs": len(gd.legs), "routes": len(gd.routes), "sources": len(gd.sources)},
        },
        "build_date": date.strftime("%Y-%m-%dT%H:%M:%SZ") if date is not None else None,
        "build_date_policy": (
            "Taken from SOURCE_DATE_EPOCH when it is set; otherwise null, and the timestamps file formats require "
            "(GeoPackage gpkg_contents.last_change, layer_styles.update_time) are 1970-01-01T00:00:00Z, so that two builds "
            "of the same input are byte-identical. The wall clock is never read."
        ),
        "crs": {
            "id": "EPSG:4326",
            "name": "WGS 84",
            "axis_order": "longitude, latitude (RFC 7946 / GeoJSON order; OGC:CRS84 axis order)",
            "coordinate_decimals": COORD_PRECISION,
        },
        "length_measurement": {
            "unit": "km",
            "method": "geodesic length on the WGS84 ellipsoid (pyproj Geod, GeographicLib), summed over the segments of the full-resolution line; never planar length in degrees",
            "geometry": "each leg is a trace through its places and waypoints; a route is its legs chained end to end. A trace runs shorter than the real alignment, which bends between the waypoints; route_accuracy says how each line was drawn",
            "per_country": f"the line is densified along the geodesic every {SPLIT_SPACING_KM:g} km and cut by Natural Earth 10m admin-0 country polygons; the part outside every polygon is 'sea'",
            "rounding": f"lengths rounded to {LENGTH_PRECISION} decimals (1 m)",
        },
        "layers": layers,
        "files": {
            "layers/<layer>.geojson": "GeoJSON (RFC 7946), nested attributes",
            GPKG_NAME: "GeoPackage: every layer, the claims and events tables and QGIS default styles (layer_styles)",
            "fgb/<layer>.fgb": "FlatGeobuf with packed Hilbert R-tree spatial index",
            KML_NAME: "KML (LIBKML): one Folder per layer, styled Placemarks",
            "csv/<layer>.csv": "CSV with WKT geometry; .csvt column types, .prj CRS",
            DICTIONARY_NAME: "every field: type, unit, meaning, allowed values",
            SUMS_NAME: "SHA-256 of every file under the output folder (sha256sum -c format)",
        },
        "licences": [
            {
                "applies_to": "compiled route data: coordinates, waypoints and their bases, attributes, measured lengths",
                "licence": "ODbL-1.0",
                "holder": "the transcaspian authors; OpenStreetMap contributors",
                "url": "https://opendatacommons.org/licenses/odbl/1-0/",
                "attribution": "© OpenStreetMap contributors for the waypoints taken from OpenStreetMap (their basis says so); facts are attributed to the published sources cited on each feature (sources) and listed below",
            },
            {
                "applies_to": "the transcaspian program",
                "licence": "MIT",
                "holder": "the transcaspian authors",
            },
            {
                "applies_to": "country boundaries used for the per-country lengths",
                "licence": "public domain",
                "holder": "Natural Earth (10m admin-0 countries)",
                "url": "https://www.naturalearthdata.com/about/terms-of-use/",
            },
            {
                "applies_to": "figures, titles and quotations from published sources",
                "licence": "remain with their publishers; cited, not relicensed",
            },
        ],
        "attribution": "transcaspian route data (ODbL 1.0), compiled from the cited operator pages and news reports, with waypoints © OpenStreetMap contributors; country boundaries from Natural Earth (public domain).",
        "sources": [
            {"id": s.id, "publisher": s.publisher, "title": s.title, "url": s.url, "date": s.date}
            for s in sorted(gd.sources.values(), key=lambda s: s.id)
        ],
    }


def dumps_json(value: Any) -> str:
    """Deterministic, readable JSON: sorted keys, 2-space indent, UTF-8, final newline."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def sha256sums(out: str | Path, *, exclude: Iterable[str] = (SUMS_NAME,)) -> str:
    """``sha256sum``-format lines for every file under ``out``, sorted by path.

    Paths are relative, with ``/`` separators; files and folders whose names
    start with ``.`` (staging files of an interrupted write) are skipped, as
    is ``SHA256SUMS`` itself. Symbolic links are neither followed nor
    listed. Check with ``cd out && sha256sum -c SHA256SUMS``.
    """
    skip = set(exclude)
    return sha256sums_text(out, [rel for rel in written_files(out) if rel not in skip])


def write_sha256sums(out: str | Path) -> Path:
    """Write ``<out>/SHA256SUMS`` over every other file under ``out``.

    Call it last: it covers the files present when it runs.
    """
    return atomic_write(Path(out) / SUMS_NAME, sha256sums(out))


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
        return write_geojson_layers(out, selected)
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
