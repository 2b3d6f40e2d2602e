"""Read and validate the curated geodata: places, legs, routes and sources.

The curated data ships inside the package (``transcaspian.geodata``, the
repository's top-level ``geodata/`` folder) and is read with
:mod:`importlib.resources`; any other copy can be given as a directory. Every
error names the file, the record and the field to fix.

Layout of a geodata directory::

    places/*.toml        [[place]]  id, name, kind, country, lon, lat, source
    layers/<layer>.toml  title, description, [[leg]] ...
    routes.toml          [[route]]  id, name, layer, legs, sources
    sources/*.toml       [[source]] id, publisher, title, url, date
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Union

from transcaspian.network.provenance import (  # noqa: F401  (re-exported: the record types live together)
    EVENT_KINDS,
    REFERENCE_KINDS,
    Event,
    Reference,
    parse_events,
    parse_references,
    parse_status_as_of,
)

PathLike = Union[str, Path, Traversable]

PLACE_KINDS = (
    "port",
    "terminal",
    "pump_station",
    "landing_point",
    "border_crossing",
    "junction",
    "substation",
    "city",
)
MODES = ("rail", "ferry", "subsea_cable", "land_cable", "pipeline")
STATUSES = ("operational", "under_construction", "planned", "proposed")
#: How a line was drawn, from most to least accurate.
ROUTE_ACCURACIES = ("traced", "schematic", "illustrative")
#: Layers in their fixed display order.
LAYERS = ("middle_corridor", "fiber", "power_cables", "btc_pipeline")
SEA_MODES = ("ferry", "subsea_cable")
ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: An ISO 3166 alpha-3 country code.
ISO3 = re.compile(r"^[A-Z]{3}$")


def worst_accuracy(accuracies: Iterable[str]) -> str:
    """The least accurate of some ``route_accuracy`` values.

    A chain of legs (a route, a section, a sum of legs) is only as accurate
    as its least accurate leg.

    Examples
    --------
    >>> worst_accuracy(["traced", "schematic", "traced"])
    'schematic'
    """
    return max(accuracies, key=ROUTE_ACCURACIES.index)


@dataclass(frozen=True)
class Source:
    """A published source: operator page, news report, reference work."""

    id: str
    publisher: str
    title: str
    url: str
    date: str = ""


@dataclass(frozen=True)
class Place:
    """A named point: port, terminal, pump station, landing point, junction...

    ``lon`` and ``lat`` are WGS84 decimal degrees; ``country`` is ISO 3166
    alpha-3; ``source`` says where the coordinate comes from.
    """

    id: str
    name: str
    kind: str
    country: str
    lon: float
    lat: float
    source: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Waypoint:
    """An intermediate point a leg passes (lon/lat in degrees) and its basis."""

    name: str
    lon: float
    lat: float
    basis: str


@dataclass(frozen=True)
class Leg:
    """One line of one mode, drawn through an ordered path.

    ``path`` holds place ids (str) and :class:`Waypoint` objects; it starts
    and ends with a place id so that legs chain exactly.
    """

    id: str
    name: str
    layer: str
    mode: str
    status: str
    route_accuracy: str
    path: tuple[str | Waypoint, ...]
    operator: str = ""
    capacity: str = ""
    capacity_mw: float | None = None
    capacity_tbps: float | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    landfall_allowance_km: float = 5.0
    status_as_of: str = ""
    status_source: str = ""
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Route:
    """An ordered chain of legs, measured as a whole and between its places."""

    id: str
    name: str
    layer: str
    legs: tuple[str, ...]
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Layer:
    """A network layer: its id, title and description."""

    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Geodata:
    """Everything read from one geodata directory, validated for references."""

    places: dict[str, Place]
    legs: dict[str, Leg]
    routes: dict[str, Route]
    sources: dict[str, Source]
    layers: dict[str, Layer]
    digest: str = ""
