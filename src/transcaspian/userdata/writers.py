"""Write measured rows: a table for people, JSON, CSV or GeoJSON, streamed.

Rows come from :func:`transcaspian.userdata.measure_files.measure_rows`; each
writer streams them one at a time, so memory does not grow with the file,
and :func:`atomic_open` makes the output appear whole or not at all.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import shapely

from transcaspian.files import atomic_file
from transcaspian.values import LENGTH_PRECISION, SpreadsheetCsvWriter, clip, json_value, round_coords, terminal_text

# -- rows and summaries -------------------------------------------------------------


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
    #: Features left out for bad coordinates (``--skip-invalid``).
    invalid: int = 0
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
        if self.invalid:
            out["skipped_invalid"] = self.invalid
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


@dataclass(frozen=True)
class RenderedRows:
    """Rows turned into output text by :meth:`Writer.render`, not yet written.

    Attributes
    ----------
    text : str
        The rows' text (JSON formats: the rows joined by ``",\\n"``, without
        the separator that goes before the first one).
    rows : int
        Number of rows.
    clipped : int
        Feature ids the table clipped.
    """

    text: str
    rows: int
    clipped: int = 0


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

    Call :meth:`row` for each row (or :meth:`write_rendered` with what
    :meth:`render` made of a batch of rows) and :meth:`close` with the
    summaries once; nothing is held per row, so memory does not grow with
    the file.

    :meth:`render` reads only the writer's settings, never its stream or
    state, so threads may render batches of rows at once while one thread
    writes them in order (``measure --jobs``); a row is written the same
    whether it came through :meth:`row` or a batch.
    """

    def __init__(self, stream: IO[str], *, by_country: bool = False, file_width: int = 8) -> None:
        self.stream = stream
        self.by_country = by_country
        self.file_width = file_width

    def render(self, rows: Sequence[FeatureRow]) -> RenderedRows:
        """The text of some rows, in order; safe to call from any thread."""
        raise NotImplementedError

    def write_rendered(self, rendered: RenderedRows) -> None:
        """Write rows :meth:`render` made, after those written before."""
        self.stream.write(rendered.text)

    def row(self, row: FeatureRow) -> None:
        """Write one feature's row."""
        self.write_rendered(self.render([row]))

    def close(self, summaries: list[FileSummary]) -> None:
        """Write the totals and end the document."""
        raise NotImplementedError


class TableWriter(Writer):
    """A fixed-width table for people, with a total line.

    Rows are streamed, so the feature column cannot grow to its longest
    value: longer names are clipped to :attr:`_FEATURE` characters, and a
    note under the total says so and where the whole ids are (the JSON, CSV
    and GeoJSON outputs keep them whole).
    """

    _FEATURE = 24
    _TYPE = 18
    _KM = 14

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.file_width = max(self.file_width, len("file"))
        self.clipped = 0
        head = f"{'file':<{self.file_width}}  {'feature':<{self._FEATURE}}  {'geometry':<{self._TYPE}}  {'length_km':>{self._KM}}"
        self.stream.write(head + ("  countries_km" if self.by_country else "") + "\n")

    def render(self, rows: Sequence[FeatureRow]) -> RenderedRows:
        lines, clipped = [], 0
        for row in rows:
            km = f"{row.length_km:,.3f}" if row.length_km is not None else "not measured"
            feature = clip(row.feature, self._FEATURE)
            clipped += feature.endswith("…") and len(" ".join(row.feature.split())) > self._FEATURE
            line = f"{terminal_text(row.file):<{self.file_width}}  {feature:<{self._FEATURE}}  {row.geometry_type:<{self._TYPE}}  {km:>{self._KM}}"
            if self.by_country and row.country_lengths_km:
                line += "  " + ", ".join(f"{k} {v:,.3f}" for k, v in row.country_lengths_km.items())
            lines.append(line.rstrip() + "\n")
        return RenderedRows("".join(lines), len(rows), clipped)

    def write_rendered(self, rendered: RenderedRows) -> None:
        self.stream.write(rendered.text)
        self.clipped += rendered.clipped

    def close(self, summaries: list[FileSummary]) -> None:
        measured = sum(s.measured for s in summaries)
        points = sum(s.not_measured for s in summaries)
        total = sum(s.length_km for s in summaries)
        # Counts and km as the summary on stderr writes them (thousands separators, 3 decimals).
        label = f"total: {measured:,} feature{'s' if measured != 1 else ''} measured"
        if points:
            label += f", {points:,} not measured (no length)"
        width = self.file_width + self._FEATURE + self._TYPE + 6
        self.stream.write(f"{label:<{width}}  {f'{total:,.3f}':>{self._KM}}\n")
        if self.by_country:
            totals = _sum_maps(s.country_lengths_km for s in summaries)
            for key, km in totals.items():
                self.stream.write(f"{'  ' + key:<{width}}  {f'{km:,.3f}':>{self._KM}}\n")
        if self.clipped:
            self.stream.write(
                f"({self.clipped:,} feature id{'s' if self.clipped != 1 else ''} longer than {self._FEATURE} characters clipped with '…'; "
                "--format csv or json print them whole)\n"
            )


class CsvWriter(Writer):
    """One CSV row per feature; the total goes to the summary on stderr."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.csv = SpreadsheetCsvWriter(stream)
        header = ["file", "feature", "geometry_type", "length_km"]
        self.csv.writerow(header + (["country_lengths_km"] if self.by_country else []))

    def render(self, rows: Sequence[FeatureRow]) -> RenderedRows:
        text = io.StringIO()
        out = SpreadsheetCsvWriter(text)  # one per call: csv writers hold their stream
        for row in rows:
            # Decimal: written as the number it is (never quoted); text cells are neutralised
            # against spreadsheet formulas by SpreadsheetCsvWriter.
            km = None if row.length_km is None else Decimal(f"{row.length_km:.{LENGTH_PRECISION}f}")
            values = [str(row.file), str(row.feature), row.geometry_type, km]
            out.writerow(values + ([_countries_text(row.country_lengths_km)] if self.by_country else []))
        return RenderedRows(text.getvalue(), len(rows))

    def close(self, summaries: list[FileSummary]) -> None:
        pass


class _ArrayWriter(Writer):
    """A JSON document whose rows are the items of an array, one per line."""

    first = True

    def write_rendered(self, rendered: RenderedRows) -> None:
        if rendered.rows:
            self.stream.write(("\n" if self.first else ",\n") + rendered.text)
            self.first = False


class JsonWriter(_ArrayWriter):
    """One JSON document: ``features`` (a row each), ``files``, ``totals``.

    Keys are sorted, and that order ("features" < "files" < "totals") is also
    the order they are streamed in.
    """

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        super().__init__(stream, **kwargs)
        self.stream.write('{"features":[')

    def render(self, rows: Sequence[FeatureRow]) -> RenderedRows:
        items = []
        for row in rows:
            item: dict[str, Any] = {
                "feature": row.feature,
                "file": row.file,
                "geometry_type": row.geometry_type,
                "length_km": _km(row.length_km),
            }
            if self.by_country:
                item["country_lengths_km"] = _round_map(row.country_lengths_km) if row.country_lengths_km else None
            items.append(json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        return RenderedRows(",\n".join(items), len(rows))

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


class GeoJsonWriter(_ArrayWriter):
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

    def render(self, rows: Sequence[FeatureRow]) -> RenderedRows:
        return RenderedRows(",\n".join(self._feature(row) for row in rows), len(rows))

    def _feature(self, row: FeatureRow) -> str:
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
        return json.dumps(feature, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

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
    with atomic_file(os.fspath(path), text=True) as handle:
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
