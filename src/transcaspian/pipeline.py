"""The whole build, stage after stage: read, build, validate, measure, write.

This is the one place that strings the stages together; ``transcaspian
build`` is a thin wrapper around :func:`run_build`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from transcaspian.background import in_background
from transcaspian.claims.judge import CheckResult
from transcaspian.errors import UsageError
from transcaspian.files import atomic_write
from transcaspian.measured import MapData, Measured, check_measured, measure_geodata
from transcaspian.network.records import PathLike
from transcaspian.outputs.columns import source_date
from transcaspian.outputs.folder import check_target, staged_build
from transcaspian.report.markdown import checks_csv, report_markdown
from transcaspian.report.network import places_markdown, status_markdown


def run_build(
    directory: PathLike | None, out: Path, *, offline: bool = False, lang: str = "en", tiles: str | None = None, force: bool = False
) -> Measured:
    """Build every output under ``out`` and return what was measured.

    ``offline`` makes the maps under ``out/maps`` self-contained: Leaflet
    inlined and a Natural Earth basemap instead of CDN assets and tiles;
    ``lang`` is the maps' language, ``tiles`` the online tile provider
    (an xyzservices name; the web package's default when None).

    The outputs are written into a staging folder beside ``out`` and
    swapped into place whole (:func:`transcaspian.outputs.folder.staged_build`):
    ``out`` is always one whole build or the one before. ``out`` must be new,
    empty, or a folder an earlier build wrote; ``force`` builds into any
    other folder (its own files are kept; files with output names replaced).

    Raises
    ------
    UsageError
        A bad ``SOURCE_DATE_EPOCH``, an empty ``out``, a folder that is not
        ours (without ``force``), or ``out`` that holds or lies in the geodata.
    OutputError
        Another build holds the folder, or a file cannot be written.
    """
    # Check everything first: a bad SOURCE_DATE_EPOCH or output folder must stop the
    # build before any file is written.
    date = source_date()
    if str(out) == "":
        raise UsageError("--out is empty; give the folder to write to, e.g. --out outputs")
    _refuse_input_overlap(directory, Path(out))
    check_target(Path(out), force=force)
    # The maps (folium's import, nine pages, two images) take about as long as
    # every other output: a second process (transcaspian.background), forked now,
    # imports folium and loads the basemap while this one measures, then writes
    # the maps while this one writes the rest.
    with in_background(write_maps, prepare=_prepare_maps) as maps:
        # GDAL (pyogrio) and the writers load after the fork: only this process needs them.
        from transcaspian.outputs.export import write_exports, write_geojson_layers

        measured = check_measured(measure_geodata(directory), directory)
        with staged_build(out, force=force) as staging:
            try:
                maps.start(staging, measured.map_data(), offline=offline, lang=lang, tiles=tiles)
                write_geojson_layers(staging, measured.layer_frames())
                write_exports(staging, measured, date=date)
                write_checks(staging, measured)
                maps.result()
            except BaseException:
                maps.cancel()  # stopped before staged_build removes the folder it writes into
                raise
            # SHA256SUMS and the manifest are written by staged_build over exactly these files.
    return measured


def _refuse_input_overlap(directory: PathLike | None, out: Path) -> None:
    """The output folder must not be, hold, or lie inside the geodata folder it reads."""
    if directory is None or not isinstance(directory, (str, Path)):
        return
    src, dst = Path(os.path.realpath(directory)), Path(os.path.realpath(out))
    if src == dst or src in dst.parents or dst in src.parents:
        raise UsageError(f"--out {out}: overlaps the geodata folder {directory}; write the outputs somewhere else")


def _prepare_maps() -> None:
    """What :func:`write_maps` needs, loaded before its data exists: folium, the basemap, the fonts."""
    import transcaspian.web.render  # noqa: F401 - the import (folium) is the work
    from transcaspian.web import staticmap

    staticmap.prepare()


def write_maps(
    out: Path,
    measured: Measured | MapData,
    *,
    offline: bool = False,
    lang: str = "en",
    tiles: str | None = None,
) -> list[Path]:
    """Write ``out/maps/``: index.html, one page per layer, embed.html, and the
    combined map as a social card (index.png, 1200×630) and for print (index.svg)."""
    # folium is slow to import and only the maps need it (not `check`, not `export`).
    from transcaspian.web.render import DEFAULT_TILES, network_maps
    from transcaspian.web.staticmap import network_images

    memo: dict[tuple[str, ...], Any] = {}  # each feature's geometry and popup, made once for the pages and the images
    pages = network_maps(measured, offline=offline, lang=lang, tiles=tiles or DEFAULT_TILES, memo=memo)
    drawn = network_images(measured, lang=lang, memo=memo)
    files: dict[str, str | bytes] = {**pages, **drawn}
    return [atomic_write(Path(out) / "maps" / name, data) for name, data in files.items()]


def run_check(directory: PathLike | None = None, claims_file: PathLike | None = None) -> CheckResult:
    """``transcaspian check``: measure a geodata set and judge its claims.

    Parameters
    ----------
    directory : str, Path or Traversable, optional
        The geodata directory; the curated copy when omitted.
    claims_file : str or Path, optional
        A claims file to check instead of the directory's ``claims.toml``.

    Raises
    ------
    DataError
        On bad geodata or a bad claims file.
    """
    checks = check_measured(measure_geodata(directory), directory, claims_file).checks
    assert checks is not None  # check_measured always sets it
    return checks


def write_checks(out: Path, measured: Measured) -> list[Path]:
    """Write ``out/checks.csv`` and ``out/report.md`` from ``measured.checks``."""
    if measured.checks is None:
        return []
    return [
        atomic_write(Path(out) / "checks.csv", checks_csv(measured.checks)),
        atomic_write(
            Path(out) / "report.md",
            report_markdown(measured.checks) + "\n" + places_markdown(measured.geodata) + "\n" + status_markdown(measured.geodata),
        ),
    ]
