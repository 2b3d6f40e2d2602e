"""The whole build, stage after stage: read, build, validate, measure, write.

This is the one place that strings the stages together; ``transcaspian
build`` is a thin wrapper around :func:`run_build`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd

from .build import Network, build_network, places_frame
from .check import CheckResult, annotate, run_checks
from .claims import ClaimContext, Register, load_curated_claims, read_claims
from .errors import DataError
from .export import atomic_write, source_date, split_by_layer, write_exports, write_geojson_layers, write_sha256sums
from .layers import legs_frame, routes_frame
from .measure import CountryIndex
from .report import checks_csv, report_markdown
from .sources import Geodata, PathLike, load_geodata
from .validate import validate_network


@dataclass(frozen=True)
class Measured:
    """Everything measured from one geodata set, ready to be written."""

    geodata: Geodata
    network: Network
    legs: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    countries: CountryIndex
    #: The claims checked against this geometry (set by :func:`check_measured`).
    checks: CheckResult | None = None

    def layer_frames(self) -> dict[str, gpd.GeoDataFrame]:
        """Network layers in display order, then places and routes."""
        frames = split_by_layer(self.legs, self.geodata.layers)
        frames["places"] = self.places
        frames["routes"] = self.routes
        return frames


def measure_geodata(directory: PathLike | None = None) -> Measured:
    """Read, build, validate and measure a geodata set.

    Raises
    ------
    DataError
        On bad records or geometry that fails validation (the message lists
        each problem on its own line).
    """
    geodata = load_geodata(directory)
    network = build_network(geodata)
    countries = CountryIndex.shipped()
    problems = validate_network(network, countries)
    if problems:
        # One line per problem, each naming the file of its own leg.
        raise DataError("\n".join(f"layers/{geodata.legs[p.leg].layer}.toml: {p}" for p in problems))
    return Measured(
        geodata=geodata,
        network=network,
        legs=legs_frame(network, countries),
        routes=routes_frame(network, countries),
        places=places_frame(geodata),
        countries=countries,
    )


def run_build(directory: PathLike | None, out: Path, *, offline: bool = False) -> Measured:
    """Build every output under ``out`` and return what was measured.

    ``offline`` makes the maps under ``out/maps`` self-contained: Leaflet
    inlined and a Natural Earth basemap instead of CDN assets and tiles.
    """
    # Read first: a bad SOURCE_DATE_EPOCH must stop the build before any file is written.
    date = source_date()
    measured = check_measured(measure_geodata(directory), directory)
    write_geojson_layers(out, measured.layer_frames())
    write_exports(out, measured, date=date)
    write_maps(out, measured, offline=offline)
    write_checks(out, measured)
    # Keep last: the checksums cover every file the steps above wrote.
    write_sha256sums(out)
    return measured


def write_maps(out: Path, measured: Measured, *, offline: bool = False) -> list[Path]:
    """Write ``out/maps/``: index.html, one page per layer, embed.html."""
    # folium is slow to import and only the maps need it (not `check`, not `export`).
    from .render import network_maps

    return [atomic_write(Path(out) / "maps" / name, html) for name, html in network_maps(measured, offline=offline).items()]


def check_measured(measured: Measured, directory: PathLike | None = None, claims_file: PathLike | None = None) -> Measured:
    """Check the claims against the measured geometry.

    Reads ``claims_file``, or the ``claims.toml`` of the geodata directory
    when it is omitted (no claims if there is none), judges every length
    claim and returns a copy of ``measured`` with ``checks`` set and the
    legs and routes frames carrying ``stated_length_km``, ``stated_source``,
    ``length_ratio``, ``check`` and ``facts``.

    Raises
    ------
    DataError
        On a bad claims file, naming the file, the claim and the field.
    """
    ctx = ClaimContext.from_network(measured.network)
    register: Register = read_claims(claims_file, ctx) if claims_file is not None else load_curated_claims(directory, ctx)
    result = run_checks(register, measured.network, measured.countries)
    return replace(measured, legs=annotate(measured.legs, result), routes=annotate(measured.routes, result), checks=result)


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
        atomic_write(Path(out) / "report.md", report_markdown(measured.checks)),
    ]
