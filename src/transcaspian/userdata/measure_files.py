"""Whole files measured: batches in parallel, rows in file order, written by the writers."""

from __future__ import annotations

import collections
import math
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import IO, Any, TypeVar

import numpy as np

from transcaspian.errors import DataError
from transcaspian.geo.countrygrid import CountryGrid
from transcaspian.userdata.batches import BATCH_SIZE, Batch, UserFileWarning, VectorSource
from transcaspian.userdata.measuring import BatchLengths, lonlat_extent, measure_batch, shipped_countries, split_dict
from transcaspian.userdata.opening import crs_name
from transcaspian.userdata.reading import Skipped, no_geometry_error
from transcaspian.userdata.writers import (
    WRITERS,
    FeatureRow,
    FileSummary,
    Progress,
    RenderedRows,
    Writer,
)

#: What :func:`measured_batches`' ``work`` makes of a batch.
Done = TypeVar("Done")

# -- whole files -------------------------------------------------------------------

def default_jobs() -> int:
    """Threads ``measure`` uses by default: every core this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def measured_batches(
    source: VectorSource,
    work: Callable[[Batch], Done],
    *,
    batch_size: int = BATCH_SIZE,
    attributes: bool = False,
    jobs: int = 1,
) -> Iterator[Done]:
    """Read a file batch by batch and ``work`` on each batch, in file order.

    With ``jobs`` > 1 the batches are measured by a pool of threads while the
    next ones are read: GeographicLib (pyproj), GEOS (shapely) and GDAL all
    release the GIL in their loops, so threads share the cores without
    copying batches between processes. At most ``2 * jobs`` batches are in
    flight, so memory stays bounded by the batch size; results come back in
    file order, so the output is the same byte for byte whatever ``jobs`` is.

    Parameters
    ----------
    source : VectorSource
        The opened file.
    work : callable
        Measures one batch (:func:`measure_batch` with its options), and
        may also make its rows and their text (:func:`write_measurements`),
        so that this too is done in parallel.
    batch_size : int
        Features per batch.
    attributes : bool
        Read every attribute too.
    jobs : int
        Threads measuring batches; 1 measures in the calling thread.
    """
    # The batches' geometries are decoded from WKB by the threads, not by this one, which only reads.
    batches = source.batches(batch_size=batch_size, attributes=attributes, decode=False)

    def decode_and_work(batch: Batch) -> Done:
        return work(source.decode(batch))

    if jobs <= 1:
        for batch in batches:
            yield decode_and_work(batch)
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="transcaspian-measure") as pool:
        pending: collections.deque[Future[Done]] = collections.deque()
        try:
            for batch in batches:
                pending.append(pool.submit(decode_and_work, batch))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def measure_batch_skipping_invalid(batch: Batch, source: VectorSource, **options: Any) -> BatchLengths:
    """:func:`measure_batch`, leaving out the features whose coordinates are bad instead of stopping.

    Only on the error path is a batch measured feature by feature, to find
    which ones fail; they are measured as features without geometry and
    listed in :attr:`BatchLengths.invalid` with the reason.
    """
    try:
        return measure_batch(batch, source, **options)
    except DataError:
        pass
    geoms = batch.geometry_array.copy()
    invalid: dict[int, str] = {}
    for i in range(batch.size):
        one = replace(batch, start=batch.start + i, geometries=geoms[i : i + 1], ids=None if batch.ids is None else batch.ids[i : i + 1], table=None, size=1)
        try:
            measure_batch(one, source)
        except DataError as error:
            geoms[i] = None
            invalid[i] = f"{error.record or batch.label(i)}: {error.message}"
    return replace(measure_batch(replace(batch, geometries=geoms), source, **options), invalid=invalid)


def _warn_invalid(name: str, reasons: list[str], count: int) -> None:
    if not count:
        return
    more = f"; and {count - len(reasons)} more" if count > len(reasons) else ""
    plural = "s" if count != 1 else ""
    warnings.warn(UserFileWarning(f"{name}: skipped {count} invalid feature{plural} ({'; '.join(reasons)}{more})"), stacklevel=3)


def measure_rows(
    source: VectorSource,
    summary: FileSummary,
    *,
    countries: CountryGrid | None = None,
    full: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Any = None,
    jobs: int = 1,
    skip_invalid: bool = False,
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
    countries : CountryGrid, optional
        Split each length by country (:func:`shipped_countries`).
    full : bool
        Also read every attribute and the WGS84 geometry into each row (for
        GeoJSON output).
    batch_size : int
        Features per batch.
    progress : callable, optional
        Called with the number of features done after each batch.
    jobs : int
        Threads measuring batches (see :func:`measured_batches`).
    skip_invalid : bool
        Leave out features with bad coordinates (with one warning listing
        them) instead of stopping at the first.

    Raises
    ------
    DataError
        For bad coordinates (unless ``skip_invalid``), and at the end when
        nothing had a length.
    """
    measure = measure_batch_skipping_invalid if skip_invalid else measure_batch

    def work(batch: Batch) -> BatchLengths:
        return measure(batch, source, keep_lonlat=full, countries=countries)

    results = measured_batches(source, work, batch_size=batch_size, attributes=full, jobs=jobs)
    yield from rows_from_results(source, summary, results, countries=countries, full=full, progress=progress)


def rows_from_results(
    source: VectorSource,
    summary: FileSummary,
    results: Iterable[BatchLengths],
    *,
    countries: CountryGrid | None = None,
    full: bool = False,
    progress: Any = None,
) -> Iterator[FeatureRow]:
    """The rows of measured batches, in order, with ``summary`` kept up to date.

    Shared by :func:`measure_rows` and the dask engine
    (:mod:`transcaspian.userdata.distributed`), so both count, name and
    total features the same way.
    """
    tally = Tally(source, summary)
    for result in results:
        rows = batch_rows(source, result, countries=countries, full=full)
        tally.add(result, rows)
        yield from rows
        if progress is not None:
            progress(len(result.length_km))
    tally.finish()


def batch_rows(source: VectorSource, result: BatchLengths, *, countries: CountryGrid | None = None, full: bool = False) -> list[FeatureRow]:
    """The rows of one measured batch: one per feature with geometry, in order.

    Reads only its arguments, so threads may make the rows of several
    batches at once (:func:`write_measurements`).
    """
    batch = result.batch
    records = batch.table.to_pylist() if full and batch.table is not None else None
    labels = _labels(batch)
    # Python floats, strs and bools up front: indexing numpy arrays one
    # element at a time is slow, and holds the lock the other threads need.
    lengths = result.length_km.tolist()
    types = result.geometry_type.tolist()
    measured = result.measured.tolist()
    country_km = result.country_km if countries is not None else None
    keys = countries.keys if countries is not None else []
    rows = []
    for i in np.flatnonzero(result.has_geometry).tolist():
        split = None
        if country_km is not None and measured[i]:
            split = split_dict(country_km[i], keys)
        length = lengths[i]
        rows.append(
            FeatureRow(
                file=source.name,
                feature=labels[i],
                geometry_type=str(types[i]),
                length_km=None if math.isnan(length) else length,
                country_lengths_km=split,
                properties=records[i] if records is not None else None,
                geometry=result.lonlat[i] if full and result.lonlat is not None else None,
            )
        )
    return rows


class Tally:
    """A file's counts and totals, batch after batch, in file order.

    Parameters
    ----------
    source : VectorSource
        The file being measured.
    summary : FileSummary
        Updated in place by :meth:`add`.
    """

    def __init__(self, source: VectorSource, summary: FileSummary) -> None:
        self.source = source
        self.summary = summary
        self.skipped = Skipped()
        self.invalid_reasons: list[str] = []

    def add(self, result: BatchLengths, rows: Sequence[FeatureRow]) -> None:
        """Count one batch and the rows made of it (:func:`batch_rows`)."""
        summary = self.summary
        bad = np.zeros(len(result.length_km), dtype=bool)
        bad[list(result.invalid)] = True
        summary.invalid += len(result.invalid)
        self.invalid_reasons += list(result.invalid.values())[: max(0, 5 - len(self.invalid_reasons))]
        self.skipped.add(result.batch, ~result.has_geometry & ~bad)
        summary.features += len(result.length_km)
        summary.skipped += int((~result.has_geometry & ~bad).sum())
        summary.measured += int(result.measured.sum())
        summary.not_measured += int((result.has_geometry & ~result.measured).sum())
        summary.length_km += float(np.nansum(result.length_km))
        # Row by row in file order, so the float sums are the same whatever --jobs is.
        totals = summary.country_lengths_km
        for row in rows:
            for key, km in (row.country_lengths_km or {}).items():
                totals[key] = totals.get(key, 0.0) + km

    def finish(self) -> None:
        """After the last batch: the error when nothing had a length, else the warnings.

        Raises
        ------
        DataError
            When no feature of the file had a length.
        """
        summary, source = self.summary, self.source
        if summary.measured == 0:
            # One error says it all; no warning about skipped features before it.
            found = []
            if summary.not_measured == 1:
                found.append("1 is a point, which has no length")
            elif summary.not_measured:
                found.append(f"{summary.not_measured} are points, which have no length")
            if summary.skipped and summary.features > summary.skipped:
                found.append(f"{summary.skipped} {'has' if summary.skipped == 1 else 'have'} no geometry")
            if summary.invalid:
                found.append(f"{summary.invalid} {'has' if summary.invalid == 1 else 'have'} bad coordinates ({'; '.join(self.invalid_reasons)})")
            raise no_geometry_error(source, summary.features, "lines or polygons to measure", "; ".join(found))
        self.skipped.warn(source.name)
        _warn_invalid(source.name, self.invalid_reasons, summary.invalid)
        summary.country_lengths_km = dict(sorted(summary.country_lengths_km.items()))


def _labels(batch: Batch) -> list[str]:
    """Row names: the id-field value, else ``#n`` (1-based position)."""
    if batch.ids is not None:
        return [v if v not in (None, "") else f"#{batch.start + i + 1}" for i, v in enumerate(batch.ids)]
    n = batch.size or (0 if batch.geometries is None else len(batch.geometries))
    return [f"#{batch.start + i + 1}" for i in range(n)]


def write_measurements(
    sources: Sequence[VectorSource],
    stream: IO[str],
    fmt: str,
    *,
    by_country: bool = False,
    progress_stream: IO[str] | None = None,
    jobs: int = 1,
    skip_invalid: bool = False,
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
    jobs : int
        Threads measuring batches (:func:`measured_batches`); the output is
        the same whatever the number.
    skip_invalid : bool
        Measure the valid features of a file with some bad coordinates and
        warn once per file listing the ones left out.

    Returns
    -------
    list of FileSummary
        Counts and total lengths (km) per file, in order.

    Raises
    ------
    DataError
        For bad coordinates, or a file with nothing to measure.
    """
    countries = shipped_countries(lonlat_extent(sources)) if by_country else None
    extra = {"several_files": len(sources) > 1} if fmt == "geojson" else {}
    writer = WRITERS[fmt](stream, by_country=by_country, file_width=max(len(s.name) for s in sources), **extra)
    summaries: list[FileSummary] = []
    for source in sources:
        summary = FileSummary(source.name, source.layer, crs_name(source.crs))
        summaries.append(summary)
        progress = Progress(source.n_features, source.name, progress_stream) if progress_stream is not None else None
        try:
            _write_file(source, summary, writer, countries=countries, full=fmt == "geojson", progress=progress, jobs=jobs, skip_invalid=skip_invalid)
        finally:
            if progress is not None:
                progress.close()
    writer.close(summaries)
    return summaries


def _write_file(
    source: VectorSource,
    summary: FileSummary,
    writer: Writer,
    *,
    countries: CountryGrid | None,
    full: bool,
    progress: Progress | None,
    jobs: int,
    skip_invalid: bool,
) -> None:
    """One file's rows through ``writer``, in file order (see :func:`write_measurements`)."""
    measure = measure_batch_skipping_invalid if skip_invalid else measure_batch

    def work(batch: Batch) -> tuple[BatchLengths, list[FeatureRow], RenderedRows]:
        # The rows and their text are made here, in the worker threads, in
        # parallel; the calling thread only counts and writes, in file order.
        result = measure(batch, source, keep_lonlat=full, countries=countries)
        rows = batch_rows(source, result, countries=countries, full=full)
        return result, rows, writer.render(rows)

    tally = Tally(source, summary)
    for result, rows, rendered in measured_batches(source, work, attributes=full, jobs=jobs):
        tally.add(result, rows)
        writer.write_rendered(rendered)
        if progress is not None:
            progress(len(result.length_km))
    tally.finish()
