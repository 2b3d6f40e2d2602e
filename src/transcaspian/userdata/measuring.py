"""Measure the features of anyone's vector files, in batches, vectorised.

Every line or polygon feature gets its geodesic length on the WGS84 ellipsoid
in kilometres: a (Multi)LineString its length, a (Multi)Polygon its
**perimeter** (every ring, holes included), a GeometryCollection the sum of
its lines and polygon rings. Points have no length: they are counted and
listed as not measured. Heights (z) are ignored.

The work is vectorised per batch of features, not per feature: all vertices of
the batch come out of shapely as one array (:func:`shapely.get_coordinates`
with ``return_index``), are reprojected in one pyproj call, measured in one
:meth:`pyproj.Geod.line_lengths` call (GeographicLib's inverse problem between
consecutive vertices), and the segment lengths summed per feature with
:func:`numpy.bincount`, after zeroing the "segments" that join the last
vertex of one path to the first of the next. Memory is bounded by the batch
size, not the file size.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import shapely

from transcaspian.files import atomic_file
from transcaspian.geo.countries import CountryIndex, country_lengths_km
from transcaspian.geo.geodesy import GEOD, SPLIT_SPACING_KM, densify, line_length_km
from transcaspian.userdata.opening import (
    BATCH_SIZE,
    Batch,
    Skipped,
    VectorSource,
    check_lonlat,
    crs_name,
    no_geometry_error,
)
from transcaspian.values import LENGTH_PRECISION, clip, json_value, round_coords, SpreadsheetCsvWriter, terminal_text

#: Key of the length outside the shipped country boundaries' extent.
OUTSIDE = "outside_region"
FORMATS = ("table", "json", "csv", "geojson")

# shapely type ids
_LINESTRING, _LINEARRING, _POLYGON = 1, 2, 3
_MULTI_OR_COLLECTION = 4  # MultiPoint=4 ... GeometryCollection=7
_TYPE_NAMES = np.array(
    ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"],
    dtype=object,
)


# -- the vectorised core -----------------------------------------------------------


def linear_paths(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines and polygon rings of each geometry, flattened.

    Parameters
    ----------
    geometries : numpy.ndarray of shapely geometries (or None)

    Returns
    -------
    paths : numpy.ndarray of LineString / LinearRing
        Every linear path: lines, and the exterior and interior rings of
        polygons, at any depth of multi-part and collection nesting.
    owner : numpy.ndarray of int
        For each path, the index of its geometry in ``geometries``.
    """
    types = shapely.get_type_id(geometries)
    if np.all(types == _LINESTRING):  # the common case: no splitting needed
        return geometries, np.arange(len(geometries))
    parts, owner = shapely.get_parts(geometries, return_index=True)
    ptypes = shapely.get_type_id(parts)
    while np.any(ptypes >= _MULTI_OR_COLLECTION):  # collections of multi-parts
        nested = ptypes >= _MULTI_OR_COLLECTION
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
        ptypes = shapely.get_type_id(parts)
    lines = (ptypes == _LINESTRING) | (ptypes == _LINEARRING)
    polygons = ptypes == _POLYGON
    rings, ring_owner = shapely.get_rings(parts[polygons], return_index=True)
    paths = np.concatenate([parts[lines], rings])
    return paths, np.concatenate([owner[lines], owner[polygons][ring_owner]])


def path_lengths_m(lon: np.ndarray, lat: np.ndarray, vertex_path: np.ndarray, n_paths: int) -> np.ndarray:
    """Geodesic length of each path, from the vertices of all paths at once.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertex longitudes and latitudes in WGS84 degrees, paths one after
        the other.
    vertex_path : numpy.ndarray of int
        For each vertex, the index of its path (non-decreasing).
    n_paths : int
        Number of paths.

    Returns
    -------
    numpy.ndarray
        Length of each path in metres.
    """
    if lon.size < 2:
        return np.zeros(n_paths)
    # One GeographicLib call for every consecutive pair of vertices ...
    dist = np.asarray(GEOD.line_lengths(lon, lat))
    # ... then drop the pairs that jump from the end of one path to the next.
    dist[vertex_path[1:] != vertex_path[:-1]] = 0.0
    return np.bincount(vertex_path[:-1], weights=dist, minlength=n_paths)


@dataclass(frozen=True)
class BatchLengths:
    """Lengths of the features of one batch.

    Attributes
    ----------
    batch : Batch
        The batch measured.
    length_km : numpy.ndarray of float
        Geodesic length (perimeter for polygons) in km; NaN where the feature
        has no length (points) or no geometry.
    geometry_type : numpy.ndarray of str
        Geometry type name of each feature ("" for none).
    has_geometry, measured : numpy.ndarray of bool
        Which features have a geometry, and which of them have length.
    lonlat : numpy.ndarray of shapely geometries or None
        The geometries in WGS84 longitude/latitude, when asked for.
    """

    batch: Batch
    length_km: np.ndarray
    geometry_type: np.ndarray
    has_geometry: np.ndarray
    measured: np.ndarray
    lonlat: np.ndarray | None = None


def measure_batch(batch: Batch, source: VectorSource, *, keep_lonlat: bool = False) -> BatchLengths:
    """Geodesic length of every feature of a batch, vectorised over all vertices.

    Parameters
    ----------
    batch : Batch
        Features in the file's CRS.
    source : VectorSource
        The file (its CRS and name).
    keep_lonlat : bool
        Also return the geometries reprojected to WGS84 longitude/latitude.

    Returns
    -------
    BatchLengths

    Raises
    ------
    DataError
        On NaN or out-of-range coordinates, naming the feature.
    """
    geoms = batch.geometries
    has_geometry = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    type_id = shapely.get_type_id(geoms)
    geometry_type = np.where(type_id >= 0, _TYPE_NAMES[np.clip(type_id, 0, 7)], "")
    paths, path_owner = linear_paths(geoms)
    xy, vertex_path = shapely.get_coordinates(paths, return_index=True)
    lon, lat = xy[:, 0], xy[:, 1]
    transformer = source.transformer
    if transformer is not None:
        lon, lat = (np.asarray(a) for a in transformer.transform(lon, lat, errcheck=False))
        check_lonlat(lon, lat, path_owner[vertex_path], batch, source, raw_x=xy[:, 0], raw_y=xy[:, 1])
    else:
        check_lonlat(lon, lat, path_owner[vertex_path], batch, source)
    # Points inside multi-geometries and collections must be checked too.
    if not np.all(np.isin(type_id[has_geometry], (_LINESTRING, _LINEARRING, _POLYGON, 5, 6))):
        _check_all_vertices(batch, source)
    per_path = path_lengths_m(lon, lat, vertex_path, len(paths))
    per_feature = np.bincount(path_owner, weights=per_path, minlength=len(geoms)) / 1000.0
    has_path = np.bincount(path_owner, minlength=len(geoms)) > 0
    measured = has_geometry & has_path
    lonlat = None
    if keep_lonlat:
        lonlat = geoms
        if transformer is not None:
            lonlat = shapely.transform(geoms, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1], errcheck=False)))
    return BatchLengths(
        batch=batch,
        length_km=np.where(measured, per_feature, np.nan),
        geometry_type=geometry_type,
        has_geometry=has_geometry,
        measured=measured,
        lonlat=lonlat,
    )


def _check_all_vertices(batch: Batch, source: VectorSource) -> None:
    xy, owner = shapely.get_coordinates(batch.geometries, return_index=True)
    transformer = source.transformer
    if transformer is None:
        check_lonlat(xy[:, 0], xy[:, 1], owner, batch, source)
        return
    lon, lat = transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
    check_lonlat(np.asarray(lon), np.asarray(lat), owner, batch, source, raw_x=xy[:, 0], raw_y=xy[:, 1])


# -- per country -------------------------------------------------------------------


def country_split_km(geometry: shapely.Geometry, countries: CountryIndex, region: shapely.Geometry) -> dict[str, float]:
    """Split one feature's length (perimeter) by country.

    Parameters
    ----------
    geometry : shapely geometry
        In WGS84 longitude/latitude degrees.
    countries : CountryIndex
        Country polygons (the shipped Natural Earth data covers the region
        around the Caspian only).
    region : shapely Polygon
        The extent those polygons cover; length outside it is reported as
        ``"outside_region"`` rather than as sea.

    Returns
    -------
    dict
        ISO alpha-3 code, ``"sea"`` or ``"outside_region"`` to km, sorted by key.
    """
    parts: dict[str, float] = {}
    paths, _ = linear_paths(np.array([geometry], dtype=object))
    for path in paths:
        coords = shapely.get_coordinates(path)
        for key, km in country_lengths_km(coords, countries).items():
            parts[key] = parts.get(key, 0.0) + km
        if not region.contains(path):
            outside = line_length_km(shapely.difference(shapely.LineString(densify(coords, SPLIT_SPACING_KM)), region))
            if outside > 0:
                parts[OUTSIDE] = parts.get(OUTSIDE, 0.0) + outside
                parts["sea"] = parts.get("sea", 0.0) - outside
    if parts.get("sea", 1.0) <= 1e-6:  # all of the "sea" was outside the region
        parts.pop("sea", None)
    return dict(sorted(parts.items()))


def shipped_countries() -> tuple[CountryIndex, shapely.Geometry]:
    """The shipped Natural Earth countries and the extent they cover."""
    index = CountryIndex.shipped()
    # The shipped boundaries cover the whole world (scripts/make_boundaries.py): what lies in
    # no country is sea everywhere, so the region is the globe.
    region = shapely.box(-180.0, -90.0, 180.0, 90.0)
    shapely.prepare(region)
    return index, region


# -- whole files -------------------------------------------------------------------


@dataclass
class FileSummary:
    """Counts and totals for one measured file."""

    name: str
    layer: str
    crs: str
    features: int = 0
    measured: int = 0
    not_measured: int = 0
    skipped: int = 0
    length_km: float = 0.0
    country_lengths_km: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, lengths rounded to metres."""
        out = {
            "crs": self.crs,
            "features": self.features,
            "file": self.name,
            "layer": self.layer,
            "length_km": round(self.length_km, LENGTH_PRECISION),
            "measured": self.measured,
            "not_measured": self.not_measured,
            "skipped_without_geometry": self.skipped,
        }
        if self.country_lengths_km:
            out["country_lengths_km"] = _round_map(self.country_lengths_km)
        return out


@dataclass(frozen=True)
class FeatureRow:
    """One feature's measurement, as the outputs show it."""

    file: str
    feature: str
    geometry_type: str
    length_km: float | None
    country_lengths_km: dict[str, float] | None = None
    properties: dict[str, Any] | None = None
    geometry: shapely.Geometry | None = None


def measure_rows(
    source: VectorSource,
    summary: FileSummary,
    *,
    countries: tuple[CountryIndex, shapely.Geometry] | None = None,
    full: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Any = None,
) -> Iterator[FeatureRow]:
    """Measure a file batch by batch and yield one row per feature with geometry.

    Features without geometry are skipped (and counted in ``summary``, with a
    warning at the end); features without length (points) are yielded with
    ``length_km`` None.

    Parameters
    ----------
    source : VectorSource
        The opened file.
    summary : FileSummary
        Updated in place as the rows are yielded (counts, totals).
    countries : (CountryIndex, region), optional
        Split each length by country (see :func:`country_split_km`).
    full : bool
        Also read every attribute and the WGS84 geometry into each row (for
        GeoJSON output).
    batch_size : int
        Features per batch.
    progress : callable, optional
        Called with the number of features done after each batch.

    Raises
    ------
    DataError
        For bad coordinates, and at the end when nothing had a length.
    """
    skipped = Skipped()
    for batch in source.batches(batch_size=batch_size, attributes=full):
        result = measure_batch(batch, source, keep_lonlat=full or countries is not None)
        skipped.add(batch, ~result.has_geometry)
        n = len(batch.geometries)
        summary.features += n
        summary.skipped += int((~result.has_geometry).sum())
        summary.measured += int(result.measured.sum())
        summary.not_measured += int((result.has_geometry & ~result.measured).sum())
        summary.length_km += float(np.nansum(result.length_km))
        records = batch.table.to_pylist() if full and batch.table is not None else None
        labels = _labels(batch)
        for i in np.flatnonzero(result.has_geometry):
            split = None
            if countries is not None and result.measured[i]:
                split = country_split_km(result.lonlat[i], *countries)
                for key, km in split.items():
                    summary.country_lengths_km[key] = summary.country_lengths_km.get(key, 0.0) + km
            length = float(result.length_km[i])
            yield FeatureRow(
                file=source.name,
                feature=labels[i],
                geometry_type=str(result.geometry_type[i]),
                length_km=None if math.isnan(length) else length,
                country_lengths_km=split,
                properties=records[i] if records is not None else None,
                geometry=result.lonlat[i] if full else None,
            )
        if progress is not None:
            progress(n)
    if summary.measured == 0:
        # One error says it all; no warning about skipped features before it.
        found = []
        if summary.not_measured == 1:
            found.append("1 is a point, which has no length")
        elif summary.not_measured:
            found.append(f"{summary.not_measured} are points, which have no length")
        if summary.skipped and summary.features > summary.skipped:
            found.append(f"{summary.skipped} {'has' if summary.skipped == 1 else 'have'} no geometry")
        raise no_geometry_error(source, summary.features, "lines or polygons to measure", "; ".join(found))
    skipped.warn(source.name)
    summary.country_lengths_km = dict(sorted(summary.country_lengths_km.items()))


def _labels(batch: Batch) -> list[str]:
    """Row names: the id-field value, else ``#n`` (1-based position)."""
    if batch.ids is not None:
        return [v if v not in (None, "") else f"#{batch.start + i + 1}" for i, v in enumerate(batch.ids)]
    return [f"#{batch.start + i + 1}" for i in range(len(batch.geometries))]


# -- outputs -----------------------------------------------------------------------


def _round_map(values: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, LENGTH_PRECISION) for k, v in values.items()}


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, LENGTH_PRECISION)


def _countries_text(split: Mapping[str, float] | None) -> str:
    if not split:
        return ""
    return ";".join(f"{k}={v:.{LENGTH_PRECISION}f}" for k, v in split.items())


class Writer:
    """Streams measured rows in one output format onto a text stream.

    Call :meth:`row` for each row and :meth:`close` with the summaries once;
    nothing is held per row, so memory does not grow with the file.
    """

    def __init__(self, stream: IO[str], *, by_country: bool = False, file_width: int = 8) -> None:
        self.stream = stream
        self.by_country = by_country
        self.file_width = file_width

    def row(self, row: FeatureRow) -> None:
        """Write one feature's row."""
        raise NotImplementedError

    def close(self, summaries: list[FileSummary]) -> None:
        """Write the totals and end the document."""
        raise NotImplementedError


class TableWriter(Writer):
    """A fixed-width table for people, with a total line.

    Rows are streamed, so the feature column cannot grow to its longest
    value: longer names are clipped to :attr:`_FEATURE` characters (the JSON,
    CSV and GeoJSON outputs keep them whole).
    """

    _FEATURE = 24
    _TYPE = 18
    _KM = 14

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.file_width = max(self.file_width, len("file"))
        head = f"{'file':<{self.file_width}}  {'feature':<{self._FEATURE}}  {'geometry':<{self._TYPE}}  {'length_km':>{self._KM}}"
        self.stream.write(head + ("  countries_km" if self.by_country else "") + "\n")

    def row(self, row: FeatureRow) -> None:
        km = f"{row.length_km:,.3f}" if row.length_km is not None else "not measured"
        feature = clip(row.feature, self._FEATURE)
        line = f"{terminal_text(row.file):<{self.file_width}}  {feature:<{self._FEATURE}}  {row.geometry_type:<{self._TYPE}}  {km:>{self._KM}}"
        if self.by_country and row.country_lengths_km:
            line += "  " + ", ".join(f"{k} {v:,.3f}" for k, v in row.country_lengths_km.items())
        self.stream.write(line.rstrip() + "\n")

    def close(self, summaries: list[FileSummary]) -> None:
        measured = sum(s.measured for s in summaries)
        points = sum(s.not_measured for s in summaries)
        total = sum(s.length_km for s in summaries)
        label = f"total: {measured} feature{'s' if measured != 1 else ''} measured"
        if points:
            label += f", {points} not measured (no length)"
        width = self.file_width + self._FEATURE + self._TYPE + 6
        self.stream.write(f"{label:<{width}}  {f'{total:,.3f}':>{self._KM}}\n")
        if self.by_country:
            totals = _sum_maps(s.country_lengths_km for s in summaries)
            for key, km in totals.items():
                self.stream.write(f"{'  ' + key:<{width}}  {f'{km:,.3f}':>{self._KM}}\n")


class CsvWriter(Writer):
    """One CSV row per feature; the total goes to the summary on stderr."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.csv = SpreadsheetCsvWriter(stream)
        header = ["file", "feature", "geometry_type", "length_km"]
        self.csv.writerow(header + (["country_lengths_km"] if self.by_country else []))

    def row(self, row: FeatureRow) -> None:
        # Decimal: written as the number it is (never quoted); text cells are neutralised
        # against spreadsheet formulas by SpreadsheetCsvWriter.
        km = None if row.length_km is None else Decimal(f"{row.length_km:.{LENGTH_PRECISION}f}")
        values = [str(row.file), str(row.feature), row.geometry_type, km]
        self.csv.writerow(values + ([_countries_text(row.country_lengths_km)] if self.by_country else []))

    def close(self, summaries: list[FileSummary]) -> None:
        pass


class JsonWriter(Writer):
    """One JSON document: ``features`` (a row each), ``files``, ``totals``.

    Keys are sorted, and that order ("features" < "files" < "totals") is also
    the order they are streamed in.
    """

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.stream.write('{"features":[')
        self.first = True

    def row(self, row: FeatureRow) -> None:
        item: dict[str, Any] = {
            "feature": row.feature,
            "file": row.file,
            "geometry_type": row.geometry_type,
            "length_km": _km(row.length_km),
        }
        if self.by_country:
            item["country_lengths_km"] = _round_map(row.country_lengths_km) if row.country_lengths_km else None
        self.stream.write(("\n" if self.first else ",\n") + json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        self.first = False

    def close(self, summaries: list[FileSummary]) -> None:
        totals: dict[str, Any] = {
            "features": sum(s.features for s in summaries),
            "length_km": round(sum(s.length_km for s in summaries), LENGTH_PRECISION),
            "measured": sum(s.measured for s in summaries),
            "not_measured": sum(s.not_measured for s in summaries),
            "skipped_without_geometry": sum(s.skipped for s in summaries),
        }
        if self.by_country:
            totals["country_lengths_km"] = _round_map(_sum_maps(s.country_lengths_km for s in summaries))
        files = json.dumps([s.as_dict() for s in summaries], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        total_text = json.dumps(totals, sort_keys=True, separators=(",", ":"))
        self.stream.write(f'{"" if self.first else chr(10)}],"files":{files},"totals":{total_text}}}\n')


class GeoJsonWriter(Writer):
    """The features written back as RFC 7946 GeoJSON with ``length_km`` added.

    Coordinates in WGS84 longitude/latitude rounded to 6 decimals, no ``crs``
    member, sorted keys, one feature per line (as :mod:`transcaspian.export`).
    A ``length_km`` already in the properties is replaced; points get null;
    features without geometry are left out (with the reader's warning).
    With several input files each feature also gets ``source_file``.
    """

    def __init__(self, stream: IO[str], *, several_files: bool = False, **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.several_files = several_files
        self.stream.write('{"type":"FeatureCollection","features":[')
        self.first = True

    def row(self, row: FeatureRow) -> None:
        props = {str(k): json_value(v) for k, v in (row.properties or {}).items()}
        props["length_km"] = _km(row.length_km)
        if self.by_country:
            props["country_lengths_km"] = _round_map(row.country_lengths_km) if row.country_lengths_km else None
        if self.several_files:
            props["source_file"] = row.file
        geometry = _round_geometry(json.loads(shapely.to_geojson(row.geometry)))
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        if not row.feature.startswith("#"):
            feature["id"] = row.feature
        text = json.dumps(feature, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        self.stream.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def close(self, summaries: list[FileSummary]) -> None:
        self.stream.write(("" if self.first else "\n") + "]}\n")


def _round_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_round_geometry(g) for g in geometry["geometries"]]}
    return {"type": geometry["type"], "coordinates": round_coords(geometry["coordinates"])}


def _sum_maps(maps: Any) -> dict[str, float]:
    total: dict[str, float] = {}
    for mapping in maps:
        for key, value in mapping.items():
            total[key] = total.get(key, 0.0) + value
    return dict(sorted(total.items()))


WRITERS: dict[str, type[Writer]] = {"table": TableWriter, "csv": CsvWriter, "json": JsonWriter, "geojson": GeoJsonWriter}


def write_measurements(
    sources: Sequence[VectorSource],
    stream: IO[str],
    fmt: str,
    *,
    by_country: bool = False,
    progress_stream: IO[str] | None = None,
) -> list[FileSummary]:
    """Measure opened files one after the other and stream the rows in one format.

    This is ``transcaspian measure``: one writer for all files, a progress
    bar per file (see :class:`Progress`), and the totals at the end.

    Parameters
    ----------
    sources : sequence of VectorSource
        The opened files (:func:`transcaspian.userdata.opening.open_vector`), at
        least one.
    stream : text stream
        Where the output goes (see :func:`atomic_open`).
    fmt : str
        One of :data:`FORMATS`.
    by_country : bool
        Split each length by country (the shipped boundaries).
    progress_stream : text stream, optional
        Where a progress bar may be drawn (stderr); only a terminal gets one.

    Returns
    -------
    list of FileSummary
        Counts and total lengths (km) per file, in order.

    Raises
    ------
    DataError
        For bad coordinates, or a file with nothing to measure.
    """
    countries = shipped_countries() if by_country else None
    extra = {"several_files": len(sources) > 1} if fmt == "geojson" else {}
    writer = WRITERS[fmt](stream, by_country=by_country, file_width=max(len(s.name) for s in sources), **extra)
    summaries: list[FileSummary] = []
    for source in sources:
        summary = FileSummary(source.name, source.layer, crs_name(source.crs))
        summaries.append(summary)
        progress = Progress(source.n_features, source.name, progress_stream) if progress_stream is not None else None
        try:
            for row in measure_rows(source, summary, countries=countries, full=fmt == "geojson", progress=progress):
                writer.row(row)
        finally:
            if progress is not None:
                progress.close()
    writer.close(summaries)
    return summaries


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str] | None) -> Iterator[IO[str]]:
    """A text stream to write an output through; the output appears only on success.

    With a ``path``, the text goes to a temporary file beside it, renamed
    over it when the block ends without error (:func:`transcaspian.files.atomic_file`):
    an interrupted or failed run never leaves a truncated file, and memory
    does not grow with the output. With ``path`` None the text is spooled (in memory
    up to 8 MiB, then in a temporary file) and copied to stdout on success,
    so a run that fails half-way prints nothing on stdout either.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    if path is None:
        with tempfile.SpooledTemporaryFile(max_size=8 * 2**20, mode="w+", encoding="utf-8", newline="") as spool:
            yield spool
            spool.seek(0)
            shutil.copyfileobj(spool, sys.stdout)
            sys.stdout.flush()
        return
    with atomic_file(path, text=True) as handle:
        yield handle


class Progress:
    """A one-line progress bar on a terminal, shown only when the work is long.

    Nothing is drawn in the first ``delay`` seconds, so short runs stay quiet;
    nothing at all when ``stream`` is not a terminal (logs, pipes, tests).

    Parameters
    ----------
    total : int or None
        Features to do, if known.
    label : str
        What is being done, e.g. the file name.
    stream : text stream
        Where to draw (stderr).
    delay : float
        Seconds before the bar first appears.
    """

    def __init__(self, total: int | None, label: str, stream: IO[str], *, delay: float = 1.0) -> None:
        self.total = total
        self.label = label
        self.stream = stream
        self.delay = delay
        self.done = 0
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if not self.enabled or now - self.start < self.delay or now - self.last < 0.1:
            return
        self.last = now
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            text = f"\rmeasuring {self.label} [{bar:<30}] {frac:4.0%} {self.done:,}/{self.total:,} features"
        else:
            text = f"\rmeasuring {self.label}: {self.done:,} features"
        self.stream.write(text)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the bar's line, if one was drawn."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
