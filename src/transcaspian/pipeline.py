"""The whole build, stage after stage: read, build, validate, measure, write.

This is the one place that strings the stages together; ``transcaspian
build`` is a thin wrapper around :func:`run_build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from .build import Network, build_network, places_frame
from .errors import DataError
from .export import split_by_layer, write_geojson_layers
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


def run_build(directory: PathLike | None, out: Path) -> Measured:
    """Build every output under ``out`` and return what was measured."""
    measured = measure_geodata(directory)
    write_geojson_layers(out, measured.layer_frames())
    return measured
