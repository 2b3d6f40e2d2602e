"""The whole build, stage after stage: read, build, validate, measure, write.

This is the one place that strings the stages together; ``transcaspian
build`` is a thin wrapper around :func:`run_build`.
"""

from __future__ import annotations

from pathlib import Path

from transcaspian.claims.judge import CheckResult
from transcaspian.files import atomic_write
from transcaspian.measured import Measured, check_measured, measure_geodata
from transcaspian.network.records import PathLike
from transcaspian.outputs.export import source_date, write_exports, write_geojson_layers, write_sha256sums
from transcaspian.report.markdown import checks_csv, report_markdown
from transcaspian.report.network import places_markdown, status_markdown


def run_build(directory: PathLike | None, out: Path, *, offline: bool = False, lang: str = "en", tiles: str | None = None) -> Measured:
    """Build every output under ``out`` and return what was measured.

    ``offline`` makes the maps under ``out/maps`` self-contained: Leaflet
    inlined and a Natural Earth basemap instead of CDN assets and tiles;
    ``lang`` is the maps' language, ``tiles`` the online tile provider
    (an xyzservices name; the web package's default when None).
    """
    # Read first: a bad SOURCE_DATE_EPOCH must stop the build before any file is written.
    date = source_date()
    measured = check_measured(measure_geodata(directory), directory)
    write_geojson_layers(out, measured.layer_frames())
    write_exports(out, measured, date=date)
    write_maps(out, measured, offline=offline, lang=lang, tiles=tiles)
    write_checks(out, measured)
    # Keep last: the checksums cover every file the steps above wrote.
    write_sha256sums(out)
    return measured


def write_maps(out: Path, measured: Measured, *, offline: bool = False, lang: str = "en", tiles: str | None = None) -> list[Path]:
    """Write ``out/maps/``: index.html, one page per layer, embed.html, and the
    combined map as a social card (index.png, 1200×630) and for print (index.svg)."""
    # folium and matplotlib are slow to import and only the maps need them (not `check`, not `export`).
    from transcaspian.web.render import DEFAULT_TILES, network_maps
    from transcaspian.web.staticmap import network_images

    pages = network_maps(measured, offline=offline, lang=lang, tiles=tiles or DEFAULT_TILES)
    files = {**pages, **network_images(measured, lang=lang)}
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
