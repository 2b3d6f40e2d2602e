"""Provenance: layer titles, the claims and events tables, the data dictionary, metadata.json, SHA256SUMS."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from transcaspian.claims.judge import RECORD_FIELDS, CheckResult
from transcaspian.files import atomic_write
from transcaspian.geo.geodesy import SPLIT_SPACING_KM
from transcaspian.measured import Measured
from transcaspian.outputs.columns import DICTIONARY_NAME, EXTRA_TITLES, GPKG_NAME, KML_NAME, SUMS_NAME, geometry_type
from transcaspian.outputs.fields import data_dictionary
from transcaspian.outputs.folder import sha256sums_text, written_files
from transcaspian.outputs.gpkg import layer_title
from transcaspian.values import COORD_PRECISION, LENGTH_PRECISION
from transcaspian.version import __version__


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
    return geometry_type(frame) if isinstance(frame, gpd.GeoDataFrame) else None


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
        titles={name: layer_title(name, titles)[0] for name in every},
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
        title, description = layer_title(name, titles)
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
