"""One geodata set read, built, validated and measured, with its claims judged.

:class:`Measured` is what every writer (outputs, maps, report) takes; making
it touches no file but the geodata it reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import geopandas as gpd

from transcaspian.claims.judge import CheckResult, annotate, run_checks
from transcaspian.claims.model import ClaimContext, Register
from transcaspian.claims.parsing import load_curated_claims, read_claims
from transcaspian.errors import DataError
from transcaspian.geo.countries import CountryIndex
from transcaspian.network.frames import legs_frame, routes_frame
from transcaspian.network.lines import Network, build_network, places_frame
from transcaspian.network.loading import load_geodata
from transcaspian.network.records import Geodata, PathLike
from transcaspian.network.validation import validate_network


def split_by_layer(legs: gpd.GeoDataFrame, layer_ids: Iterable[str]) -> dict[str, gpd.GeoDataFrame]:
    """Legs grouped by layer, in the given layer order."""
    return {layer: legs[legs["layer"] == layer] for layer in layer_ids}


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

    def map_data(self) -> MapData:
        """What the maps draw: everything but the network graph and the country index."""
        return MapData(self.geodata, self.legs, self.routes, self.places, self.checks)


@dataclass(frozen=True)
class MapData:
    """The part of a :class:`Measured` that the maps read (:mod:`transcaspian.web`).

    A build gives this, not the whole, to the process that writes its maps:
    the country index alone took that process 36 ms to load again, for nothing.
    """

    geodata: Geodata
    legs: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    checks: CheckResult | None = None


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
    legs = legs_frame(network, countries)
    return Measured(
        geodata=geodata,
        network=network,
        legs=legs,
        routes=routes_frame(network, countries, legs),
        places=places_frame(geodata),
        countries=countries,
    )


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
