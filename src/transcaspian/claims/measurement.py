"""What a length claim is held against: its subject measured on the network.

A subject (a leg, a route, a section between two of its places, the part of
a line in one country, or a sum of legs) is measured on the WGS84 ellipsoid;
:class:`Measurement` carries the length, the end-to-end distance (the
shortest any line through the same ends could be) and how the line was
drawn, which sets the default tolerance (:mod:`transcaspian.claims.judge`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from transcaspian.claims.model import Claim, Subject
from transcaspian.errors import DataError
from transcaspian.geo.countries import CountryIndex, country_part
from transcaspian.geo.geodesy import line_length_km, section_km
from transcaspian.network.lines import Network
from transcaspian.network.records import worst_accuracy


@dataclass(frozen=True)
class Measurement:
    """What a length claim is held against.

    Attributes
    ----------
    length_km : float
        Geodesic length of the subject on the WGS84 ellipsoid, km.
    ends_km : float
        The shortest length any line could have: the geodesic distance
        between the subject's own end points, km (summed over its pieces
        when it has several, as a country part or a list of legs may).
    route_accuracy : str
        How the subject was drawn (its least accurate leg).
    part : bool
        True for a section or a country part, which widens the default
        tolerance.
    """

    length_km: float
    ends_km: float
    route_accuracy: str = "traced"
    part: bool = False

    @classmethod
    def from_coords(cls, coords: Any, route_accuracy: str = "traced", part: bool = False) -> Measurement:
        """Measure one polyline of (lon, lat) degrees, or a shapely line.

        Examples
        --------
        >>> m = Measurement.from_coords([(0, 0), (1, 0), (1, 1)])
        >>> round(m.length_km, 1), round(m.ends_km, 1)
        (221.9, 156.9)
        """
        return cls(line_length_km(coords), ends_km(line_pieces(coords)), route_accuracy, part)

    @classmethod
    def country_part(cls, lines: Iterable[np.ndarray], country: str, countries: CountryIndex, route_accuracy: str = "traced") -> Measurement:
        """Measure the part of some lines inside one country.

        Cut exactly as :func:`transcaspian.geo.countries.country_lengths_km` cuts
        (see :func:`transcaspian.geo.countries.country_part`), so the length equals
        the country's entry there; a line that does not enter the country
        measures 0 km.

        Parameters
        ----------
        lines : iterable of (n, 2) arrays
            (lon, lat) vertices in degrees: one line, or the paths of a
            multi-part feature.
        country : str
            ISO alpha-3 code.
        countries : CountryIndex
            The country polygons.
        route_accuracy : str
            How the lines were drawn.
        """
        parts = [g for coords in lines for g in country_part(coords, country, countries)]
        pieces = [p for g in parts for p in line_pieces(g)]
        return cls(sum(line_length_km(g) for g in parts), ends_km(pieces), route_accuracy, True)


def line_pieces(geom: Any) -> list[np.ndarray]:
    """The (lon, lat) coordinate arrays of the line parts of a geometry or an array.

    Points (where a line touches a border) have no length and are left out.
    """
    if not isinstance(geom, shapely.Geometry):
        return [np.asarray(geom, dtype="float64").reshape(-1, 2)]
    if geom.is_empty:
        return []
    if isinstance(geom, shapely.LineString):
        return [np.asarray(geom.coords)]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in line_pieces(g)]
    return []


def ends_km(pieces: Sequence[np.ndarray]) -> float:
    """Sum over pieces of the geodesic distance between first and last vertex, km.

    The shortest length any line through the same end points could have.
    """
    return float(sum(line_length_km(np.stack([p[0], p[-1]])) for p in pieces if len(p) >= 2))


def _route_legs_between(network: Network, route_id: str, lo: int, hi: int) -> list[str]:
    """The legs of a route whose vertices overlap the vertex range lo..hi."""
    legs = []
    start = 0
    for lid in network.geodata.routes[route_id].legs:
        end = start + len(network.legs[lid].coords) - 1
        if start < hi and end > lo:
            legs.append(lid)
        start = end  # consecutive legs share their junction vertex
    return legs


def measure_subject(subject: Subject, network: Network, countries: CountryIndex) -> Measurement | None:
    """Measure a claim subject on the built network.

    Parameters
    ----------
    subject : Subject
        A leg, route, section, country part or list of legs.
    network : Network
        The built network.
    countries : CountryIndex
        Country polygons, for country parts.

    Returns
    -------
    Measurement or None
        None for a layer, which is a network and has no single length.

    Notes
    -----
    A section runs from the vertex of one place to the vertex of the other
    (the first time the line passes each); nothing is interpolated, so a
    section is exactly the polyline between the two places. A country part is
    cut exactly as :func:`transcaspian.geo.countries.country_lengths_km` cuts it:
    the line densified along the geodesic every
    :data:`~transcaspian.geo.geodesy.SPLIT_SPACING_KM` km and intersected with
    the country's polygons.
    """
    gd = network.geodata
    if subject.kind == "layer":
        return None
    if subject.kind == "legs":
        lines = [network.legs[lid].coords for lid in subject.ids]
        return Measurement(
            sum(line_length_km(c) for c in lines),
            ends_km(lines),
            worst_accuracy(gd.legs[lid].route_accuracy for lid in subject.ids),
        )
    lid = subject.ids[0]
    is_route = subject.kind == "route"
    line = network.routes[lid] if is_route else network.legs[lid]
    leg_ids = list(gd.routes[lid].legs) if is_route else [lid]
    if subject.start:
        i, j = sorted((line.vertex_of(subject.start), line.vertex_of(subject.end)))
        if is_route:
            leg_ids = _route_legs_between(network, lid, i, j)
        coords = line.coords[i : j + 1]
        return Measurement(section_km(line.coords, i, j), ends_km([coords]), worst_accuracy(gd.legs[x].route_accuracy for x in leg_ids), True)
    accuracy = worst_accuracy(gd.legs[x].route_accuracy for x in leg_ids)
    if subject.country:
        return Measurement.country_part([line.coords], subject.country, countries, accuracy)
    return Measurement(line_length_km(line.coords), ends_km([line.coords]), accuracy)


def measure_claims(claims: Iterable[Claim], network: Network, countries: CountryIndex) -> dict[str, Measurement]:
    """Measure the subject of every length claim, keyed by subject key.

    Raises
    ------
    DataError
        When a claim names a country its subject does not enter (naming the
        claim's file, record and field).
    """
    out: dict[str, Measurement] = {}
    for claim in claims:
        if not claim.is_length or claim.subject is None or claim.subject_key in out:
            continue
        m = measure_subject(claim.subject, network, countries)
        if m is None:
            continue
        if claim.subject.country and m.length_km <= 0:
            raise DataError(
                f"{claim.subject.ids[0]!r} does not enter {claim.subject.country}; name a country it crosses",
                file=claim.file or None,
                record=claim.record,
                field="country",
            )
        out[claim.subject_key] = m
    return out
