"""The data dictionary: every field of every exported layer and table.

:data:`FIELDS` is the one source of what a field means, its unit and its
allowed values; :func:`data_dictionary` renders it as the Markdown file
``outputs/DATA_DICTIONARY.md`` for the tables that were actually written, so
the dictionary never lists a field the files lack or misses one they hold.

Encoding of nested values (one rule for every format):

- GeoJSON keeps them nested (objects and arrays).
- GeoPackage, FlatGeobuf, KML and CSV have no nesting: each nested value is
  written as compact JSON text (sorted keys) in a column of the same name,
  and the per-country lengths are *also* written as flat numeric columns
  ``length_km_<iso3>``, so they can be summed and filtered without parsing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from transcaspian.claims.judge import VERDICTS
from transcaspian.network.records import EVENT_KINDS, LAYERS, MODES, PLACE_KINDS, REFERENCE_KINDS, ROUTE_ACCURACIES, STATUSES


@dataclass(frozen=True)
class Field:
    """What one column holds.

    Attributes
    ----------
    name : str
        Column name (a pattern such as ``length_km_<iso3>`` for families).
    type : str
        Logical type: ``text``, ``real``, ``integer``, ``boolean``, ``JSON text``,
        ``date-time``.
    unit : str
        Unit of the values; empty when they have none.
    meaning : str
        What the value says and how it was obtained.
    allowed : str
        Allowed values, format or range; empty when any value is allowed.
    """

    name: str
    type: str
    unit: str
    meaning: str
    allowed: str = ""


def _one_of(values: tuple[str, ...] | list[str], *extra: str) -> str:
    return ", ".join(f"`{v}`" for v in (*values, *extra))


#: Every known field, keyed by column name.
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("id", "text", "", "Stable identifier of the feature, unique across the whole dataset; the GeoJSON feature `id` and the KML Placemark `id`.", "lower-case letters, digits and `_`, starting with a letter"),
        Field("name", "text", "", "Display name.", "non-empty"),
        Field("layer", "text", "", "Network layer the leg belongs to (for a route: the layer of its legs).", _one_of(LAYERS)),
        Field("mode", "text", "", "Mode of transport or transmission. Routes made of legs of several modes are `multimodal`.", _one_of(MODES, "multimodal")),
        Field("status", "text", "", "Construction status. Routes whose legs differ in status are `mixed`.", _one_of(STATUSES, "mixed")),
        Field(
            "route_accuracy",
            "text",
            "",
            "How the line was drawn: `traced` follows the real alignment through places it is known to pass; `schematic` joins known end points through a plausible corridor; `illustrative` has no published route and is never held against a length. A route takes the least accurate value of its legs.",
            _one_of(ROUTE_ACCURACIES),
        ),
        Field("operator", "text", "", "Operator(s) as published; empty when not published.", ""),
        Field("capacity", "text", "", "Capacity as published, verbatim (e.g. `400 Tbps`); empty when not published.", ""),
        Field("capacity_mw", "real", "MW", "Electrical transmission capacity; null when not published or not applicable.", ">= 0 or null"),
        Field("capacity_tbps", "real", "Tbit/s", "Data transmission capacity; null when not published or not applicable.", ">= 0 or null"),
        Field(
            "length_km",
            "real",
            "km",
            "Geodesic length of the drawn line on the WGS84 ellipsoid (pyproj `Geod`, GeographicLib), measured on the full-resolution geometry, rounded to 1 m. The line is a trace through places and waypoints, so it runs shorter than the real alignment.",
            "> 0",
        ),
        Field(
            "country_lengths_km",
            "JSON text",
            "km",
            "Geodesic length of the line within each country (Natural Earth 10m admin-0 boundaries) and at sea (`sea`), keyed by ISO 3166-1 alpha-3 code, rounded to 1 m. Nested object in GeoJSON; JSON text elsewhere, e.g. `{\"AZE\":418.273,\"GEO\":218.556}`.",
            "keys: ISO 3166-1 alpha-3 codes or `sea`; values >= 0",
        ),
        Field("start_place", "text", "", "Id of the place the line starts at (a feature of the `places` layer).", "a place id"),
        Field("end_place", "text", "", "Id of the place the line ends at (a feature of the `places` layer).", "a place id"),
        Field("places", "JSON text", "", "Ids of the places the line passes, in order along the line. Array in GeoJSON; JSON text elsewhere.", "array of place ids"),
        Field(
            "sources",
            "JSON text",
            "",
            "Published sources of the feature's facts: objects with `id`, `publisher`, `title`, `url`, `date` (ISO 8601, possibly partial, or empty). Array in GeoJSON; JSON text elsewhere.",
            "array of objects; `url` is http(s)",
        ),
        Field("notes", "text", "", "Curator's notes: caveats about the geometry or the figures.", ""),
        Field("legs", "JSON text", "", "Ids of the legs that make up the route, in order; each starts where the previous one ends. Array in GeoJSON; JSON text elsewhere.", "array of leg ids"),
        Field("stated_length_km", "real", "km", "The canonical published length of the feature (from the claims register); null when none is published.", "> 0 or null"),
        Field("length_ratio", "real", "1 (ratio)", "Measured over stated length: `length_km / stated_length_km`; null when there is no stated length.", "> 0 or null"),
        Field("stated_source", "text", "", "Id of the source of `stated_length_km` (see `sources` and the claims table); null when there is no stated length.", "a source id or null"),
        Field("check", "text", "", "Verdict of the length check against the canonical stated length (see `report.md`); null when the feature has no canonical length claim.", _one_of(VERDICTS) + " or null"),
        Field(
            "facts",
            "JSON text",
            "",
            "Published figures about the feature that are not lengths (capacity, cost, throughput, dates), shown beside it and never held against the geometry: objects with `claim`, `metric`, `text`, `value`, `unit`, `source`. Array in GeoJSON; JSON text elsewhere.",
            "array of objects",
        ),
        Field("status_as_of", "text", "", "Date of the review that last confirmed `status` against `status_source` (for a route: the oldest of its legs' dates).", "ISO 8601 date (YYYY-MM-DD) or null"),
        Field("status_source", "text", "", "Id of the most recent published source that supports `status` (see `sources` and the events); null for routes.", "a source id or null"),
        Field(
            "events",
            "JSON text",
            "",
            "Dated history of the leg, oldest first: objects with `date` (ISO 8601, possibly partial; a future date for a planned completion), `kind`, `what` and `source` (a source id). Also the GeoPackage table `events`, one row per event. Array in GeoJSON; JSON text elsewhere; empty for routes.",
            "array of objects; `kind` one of " + _one_of(EVENT_KINDS),
        ),
        Field(
            "references",
            "JSON text",
            "",
            "Independent second references of the place's coordinate: objects with `kind`, `id`, `title`, `lat`, `lon` (degrees), `distance_km` (geodesic distance from the place, km), `independent` (false when the reference is the same dataset as the place's source, read from another file) and `why` (required beyond 2 km). Array in GeoJSON; JSON text elsewhere.",
            "array of objects; `kind` one of " + _one_of(REFERENCE_KINDS),
        ),
        Field("kind", "text", "", "What the place is.", _one_of(PLACE_KINDS)),
        Field("country", "text", "", "Country the place lies in.", "ISO 3166-1 alpha-3 code (e.g. `AZE`)"),
        Field("source", "text", "", "Where the place's coordinate comes from, with its confidence.", ""),
        # Format-specific columns.
        Field("description", "text (HTML)", "", "KML only: the Placemark description shown in Google Earth's balloon, an HTML summary of the attributes in which every data value is escaped.", ""),
        Field("OGR_STYLE", "text", "", "KML only: the GDAL feature style string the Placemark's inline KML style was made from (`PEN` colour and width for lines, `SYMBOL` colour and size for places).", "OGR feature style string"),
        Field("WKT", "text", "degrees", "CSV only: the geometry as OGC Well-Known Text, longitude latitude order, EPSG:4326, 6 decimals.", "`POINT (...)` or `LINESTRING (...)`"),
    )
}

#: Fields whose meaning differs in one table, keyed by table then column.
TABLE_FIELDS: dict[str, dict[str, Field]] = {
    "events": {
        f.name: f
        for f in (
            Field("leg", "text", "", "Id of the leg the event belongs to.", "a leg id"),
            Field("date", "text", "", "When it happened (or is planned to); as precise as the source.", "ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD"),
            Field("kind", "text", "", "What happened.", _one_of(EVENT_KINDS)),
            Field("what", "text", "", "The event in one sentence.", ""),
            Field("source", "text", "", "Id of the source that reports it.", "a source id"),
            Field("source_url", "text", "", "URL of that source.", "http(s) URL"),
        )
    },
    "claims": {
        f.name: f
        for f in (
            Field("claim", "text", "", "Id of the claim (one published figure).", "lower-case letters, digits and `_`"),
            Field("subject", "text", "", "What the figure is about: a leg or route id (`btc`), a section between two of its places (`btk_railway:tsalka..akhalkalaki`), a country part (`btc@AZE`), a sum of legs (`leg_a+leg_b`) or a layer id; empty for context figures.", ""),
            Field("subject_kind", "text", "", "Kind of subject.", "`leg`, `route`, `legs`, `layer`, or empty"),
            Field("role", "text", "", "`canonical`: the figure the geometry is held to (one per subject; it decides the exit status of `transcaspian check`); `variant`: another published figure for the same subject; `headline`: a figure as quoted in news or commentary.", "`canonical`, `variant`, `headline`"),
            Field("metric", "text", "", "What is measured; only `length` is held against the geometry, every other metric is a fact.", "`length` or a fact metric (e.g. `capacity`, `cost`, `throughput`)"),
            Field("stated", "text", "", "The figure as a reader would write it, with qualifier and unit (`>340 km`, `380–400 km`).", ""),
            Field("value", "real", "`unit`", "The figure as published, in `unit` (the low end of a range); null when the figure is text (a date or period, see `stated`).", ""),
            Field("value_max", "real", "`unit`", "Upper end of a range; null unless `qualifier` is `range`.", "> `value` or null"),
            Field("unit", "text", "", "Unit of `value`.", "`km`, `m`, `mi`, `nmi` for lengths; free text otherwise"),
            Field("qualifier", "text", "", "How the figure bounds the quantity: `about` the figure itself, `over`/`under` a bound, `range` from `value` to `value_max`.", "`about`, `over`, `under`, `range`"),
            Field("stated_km", "real", "km", "The stated length in km (the low end of a range); null for facts.", "> 0 or null"),
            Field("measured_km", "real", "km", "Geodesic length of the subject as drawn (WGS84), rounded to 1 m; null without geometry.", ">= 0 or null"),
            Field("ends_km", "real", "km", "Geodesic distance between the subject's end points: a stated length below it is `impossible`.", ">= 0 or null"),
            Field("ratio", "real", "1 (ratio)", "`measured_km / stated_km`, 4 decimals.", "> 0 or null"),
            Field("verdict", "text", "", "Result of the length check; empty for facts.", _one_of(VERDICTS) + " or empty"),
            Field("route_accuracy", "text", "", "How the subject was drawn (its least accurate leg); empty without geometry.", _one_of(ROUTE_ACCURACIES) + " or empty"),
            Field("tolerance", "text", "", "The tolerance applied, as `-short%/+long%` of the stated figure.", ""),
            Field("tolerance_short_pct", "real", "%", "How far below the stated figure the measurement may fall and still be `consistent`.", "0–100 or null"),
            Field("tolerance_long_pct", "real", "%", "How far above the stated figure the measurement may rise and still be `consistent`.", ">= 0 or null"),
            Field("tolerance_basis", "text", "", "Why that tolerance applies (the claim's own reason, or the default for the subject's route accuracy).", ""),
            Field("consistent_from_km", "real", "km", "Lower end of the consistent interval.", ">= 0 or null"),
            Field("consistent_to_km", "real", "km", "Upper end of the consistent interval; null when open (`over` claims).", ">= 0 or null"),
            Field("reason", "text", "", "One sentence: why this verdict (or why the figure cannot be checked).", ""),
            Field(
                "flag",
                "text",
                "",
                "Why the figure contradicts itself whatever the geometry: `parts_disagree` (the parts its source gives "
                "do not add up to it) or `misprint` (kept with its correction and the evidence); empty otherwise.",
                "",
            ),
            Field("source", "text", "", "Id of the claim's source.", "a source id"),
            Field("source_publisher", "text", "", "Publisher of the source.", ""),
            Field("source_title", "text", "", "Title of the source.", ""),
            Field("source_url", "text", "", "URL of the source.", "http(s) URL"),
            Field("source_date", "text", "", "Publication date of the source.", "ISO 8601, possibly partial, or empty"),
            Field("says", "text", "", "Short paraphrase of what the source says.", ""),
            Field("attributed_to", "text", "", "The outlet the source itself credits for the figure, if any.", ""),
            Field("notes", "text", "", "Curator's notes on the claim.", ""),
        )
    }
}

#: Family of flat per-country length columns.
COUNTRY_LENGTH_PREFIX = "length_km_"
_COUNTRY_COLUMN = re.compile(r"^length_km_([a-z]{3})$")


def country_column(code: str) -> str:
    """Flat column name of one country's length, e.g. ``AZE`` -> ``length_km_aze``."""
    return COUNTRY_LENGTH_PREFIX + code.lower()


def describe(name: str, table: str | None = None) -> Field | None:
    """The :class:`Field` of a column name, including the ``length_km_<iso3>`` family.

    Parameters
    ----------
    name : str
        Column name.
    table : str, optional
        The layer or table holding it, for names whose meaning differs in one
        table (:data:`TABLE_FIELDS`).
    """
    if table is not None and name in TABLE_FIELDS.get(table, {}):
        return TABLE_FIELDS[table][name]
    if name in FIELDS:
        return FIELDS[name]
    match = _COUNTRY_COLUMN.match(name)
    if match:
        code = match.group(1)
        where = "at sea (outside every country polygon)" if code == "sea" else f"within {code.upper()}"
        return Field(
            name,
            "real",
            "km",
            f"Geodesic length of the line {where}: the `{code.upper() if code != 'sea' else 'sea'}` entry of `country_lengths_km` as a flat column; 0 when the line does not enter it.",
            ">= 0",
        )
    return None


def storage_type(series: pd.Series) -> str:
    """Logical type of a written column from its dtype."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "real"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date-time"
    return "text"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _columns(frame: pd.DataFrame) -> list[str]:
    geometry = frame.geometry.name if hasattr(frame, "geometry") and hasattr(frame.geometry, "name") else None
    return [c for c in frame.columns if c != geometry]


def _field_rows(tables: Mapping[str, pd.DataFrame], groups: Mapping[str, list[str]] | None = None) -> list[str]:
    """One row per field, in first-seen order, saying which tables hold it.

    ``groups`` names sets of tables (``{"all line layers": [...]}``) so that
    a field held by exactly such a set says so briefly; without it there is
    no "in" column.
    """
    # A name that means something else in one table gets a row of its own.
    where: dict[tuple[str, Field | None], list[str]] = {}
    types: dict[tuple[str, Field | None], list[str]] = {}
    for table, frame in tables.items():
        for col in _columns(frame):
            key = (col, describe(col, table))
            where.setdefault(key, []).append(table)
            kind = storage_type(frame[col])
            if kind not in types.setdefault(key, []):
                types[key].append(kind)
    if groups is None:
        lines = ["| field | type | unit | meaning | allowed values |", "|---|---|---|---|---|"]
    else:
        lines = ["| field | type | unit | in | meaning | allowed values |", "|---|---|---|---|---|---|"]
    for (col, field), holders in where.items():
        found = " / ".join(types[(col, field)])
        kind = field.type if field is not None and field.type.startswith(("JSON", "text (")) else found
        unit, meaning, allowed = ("", "(not documented yet)", "") if field is None else (field.unit, field.meaning, field.allowed)
        cells = [f"`{col}`", kind, _cell(unit)]
        if groups is not None:
            named = [label for label, members in groups.items() if members and holders == members]
            cells.append(named[0] if named else ", ".join(f"`{h}`" for h in holders))
        cells += [_cell(meaning), _cell(allowed)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def undocumented(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """``"table.column"`` for every column :data:`FIELDS` does not describe."""
    return [
        f"{name}.{col}"
        for name, frame in tables.items()
        for col in frame.columns
        if col in _columns(frame) and describe(col, name) is None
    ]


def data_dictionary(
    tables: Mapping[str, pd.DataFrame],
    *,
    titles: Mapping[str, str] = {},
    geometry_types: Mapping[str, str] = {},
    format_columns: Mapping[str, tuple[str, pd.DataFrame]] = {},
) -> str:
    """The data dictionary as Markdown.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Each exported layer or table by name, as written (flat columns).
    titles : mapping of str to str, optional
        Human title of each table.
    geometry_types : mapping of str to str, optional
        Geometry type of each spatial layer (absent for non-spatial tables).
    format_columns : mapping of str to (str, DataFrame), optional
        By format heading: a note on how the format holds the fields, and the
        extra columns only that format carries.

    Returns
    -------
    str
        Markdown text ending in a newline.
    """
    out = [
        "# transcaspian data dictionary",
        "",
        "Every field of every layer and table that `transcaspian build` writes. The same ids and",
        "attributes are in every format: `layers/*.geojson` (RFC 7946), `transcaspian.gpkg`",
        "(GeoPackage, with QGIS default styles), `fgb/*.fgb` (FlatGeobuf), `transcaspian.kml`",
        "(one folder per layer) and `csv/*.csv`.",
        "",
        "## Conventions",
        "",
        "- Coordinates: WGS84 longitude/latitude in decimal degrees (EPSG:4326; RFC 7946 order), 6 decimals (about 0.1 m).",
        "- Units are part of the field name: `*_km` kilometres, `*_mw` megawatts, `*_tbps` terabits per second.",
        "- Lengths are geodesic, on the WGS84 ellipsoid, rounded to 3 decimals (1 m); never planar lengths in degrees.",
        "- Country codes are ISO 3166-1 alpha-3 in upper case (`AZE`, `GEO`, `KAZ`, `TUR` ...); in column names they are lower case (`length_km_aze`).",
        "- Missing numbers are null (empty in CSV). Missing text is an empty string.",
        "- Nested values (per-country lengths, lists of places, legs and sources) are nested objects and arrays in GeoJSON.",
        "  The other formats have no nesting: there each is compact JSON text (sorted keys) in a column of the same name,",
        "  and the per-country lengths are also flat numeric columns `length_km_<iso3>` (0 where the line does not enter the",
        "  country; `length_km_sea` for the part at sea). Every line layer carries the same set of `length_km_<iso3>` columns.",
        "- Types: `text` is TEXT in GeoPackage and String in FlatGeobuf/CSV; `real` is REAL/Real (64-bit float); `JSON text` is",
        "  text holding JSON. CSV files come with a `.csvt` (column types, read by QGIS and GDAL) and a `.prj` (CRS).",
        "- CSV and spreadsheets: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a",
        "  leading apostrophe (`'=1+1`), so LibreOffice and Excel show it as text and never run it as a formula (OWASP's",
        "  advice against CSV injection). This applies to `csv/*.csv`, `checks.csv`, `check --format csv` and",
        "  `measure --format csv`; numeric columns are untouched. Strip one leading `'` to get the original text back; the",
        "  GeoJSON, GeoPackage, FlatGeobuf and KML files hold the text unchanged.",
        "",
    ]
    out += [
        "## Layers and tables",
        "",
        "| name | title | geometry | features | fields, in order |",
        "|---|---|---|---|---|",
    ]
    for name, frame in tables.items():
        gtype = geometry_types.get(name) or "none (non-spatial table)"
        fields = ", ".join(f"`{c}`" for c in _columns(frame))
        out.append(f"| `{name}` | {_cell(titles.get(name, ''))} | {gtype} | {len(frame)} | {fields} |")
    lines_only = [n for n in tables if geometry_types.get(n) in ("LineString", "MultiLineString")]
    groups = {"all": list(tables), "all line layers": lines_only}
    out += ["", "## Fields", "", *_field_rows(tables, groups), ""]
    if format_columns:
        out += ["## Columns only some formats carry", ""]
        for fmt, (note, frame) in format_columns.items():
            out += [f"### {fmt}", "", note, "", *_field_rows({fmt: frame}), ""]
    return "\n".join(out).rstrip("\n") + "\n"
