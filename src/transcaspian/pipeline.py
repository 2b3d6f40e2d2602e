"""The whole build, stage after stage: read, build, validate, measure, write.

This is the one place that strings the stages together; ``transcaspian
build`` is a thin wrapper around :func:`run_build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from .build import Network, build_network, places_frame
from .check import CheckResult, annotate, run_checks
from .claims import ClaimContext, Register, load_curated_claims, read_claims
from .errors import DataError
from .export import split_by_layer, write_exports, write_geojson_layers, write_sha256sums
from .layers import legs_frame, routes_frame
from .measure import CountryIndex
from .sources import Geodata, PathLike, load_countries, load_geodata
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
    countries = CountryIndex.from_geojson(load_countries())
    problems = validate_network(network, countries)
    if problems:
        where = next(f"layers/{geodata.legs[p.leg].layer}.toml" for p in problems)
        raise DataError("\n".join(str(p) for p in problems), file=where)
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
    measured = measure_geodata(directory)
    measured = check_measured(measured, directory)
    write_geojson_layers(out, measured.layer_frames())
    write_exports(out, measured)
    write_maps(out, measured, offline=offline)
    write_checks(out, measured)
    # Keep last: the checksums cover every file the steps above wrote.
    write_sha256sums(out)
    return measured


def write_maps(out: Path, measured: Measured, *, offline: bool = False) -> list[Path]:
    """Write ``out/maps/``: index.html, one page per layer, embed.html."""
    from .export import atomic_write
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
    from dataclasses import replace

    ctx = ClaimContext.from_network(measured.network)
    register: Register = read_claims(claims_file, ctx) if claims_file is not None else load_curated_claims(directory, ctx)
    result = run_checks(register, measured.network, measured.countries)
    return replace(measured, legs=annotate(measured.legs, result), routes=annotate(measured.routes, result), checks=result)


def write_checks(out: Path, measured: Measured) -> list[Path]:
    """Write ``out/checks.csv`` and ``out/report.md`` from ``measured.checks``."""
    from .export import atomic_write
    from .report import checks_csv, report_markdown

    if measured.checks is None:
        return []
    return [
        atomic_write(Path(out) / "checks.csv", checks_csv(measured.checks)),
        atomic_write(Path(out) / "report.md", report_markdown(measured.checks)),
    ]
