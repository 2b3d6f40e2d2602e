"""Sanity checks of the built geometry.

Each check returns :class:`Problem` records (data, not exceptions); the
caller decides whether to stop. A problem names the leg and the offending
point, so it fits on one line.

- coordinates in range (done when the records are read);
- routes whose legs meet end to end (done when routes are built);
- ferry and subsea legs at sea, except within ``landfall_allowance_km`` of
  each end (about 5 km; up to 20 km in the shallow north Caspian, whose
  coast Natural Earth draws only roughly);
- rail, pipeline and land-cable legs on land, except where the line crosses
  narrow water (a strait, a river mouth) for at most
  :data:`MAX_WATER_RUN_KM`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from transcaspian.geo.countries import CountryIndex
from transcaspian.geo.geodesy import cumulative_km, densify
from transcaspian.network.lines import Network
from transcaspian.network.records import SEA_MODES

#: Spacing (km) of the points sampled along each leg.
SAMPLE_KM = 2.0
#: Longest stretch (km) a land leg may run over water: Natural Earth's 10m
#: coast is generalised to about a kilometre, and the Marmaray tunnel's
#: Üsküdar–Sirkeci crossing of the Bosphorus samples as 3.4 km of water.
MAX_WATER_RUN_KM = 4.0


@dataclass(frozen=True)
class Problem:
    """One failed check: which leg, which point, what is wrong."""

    leg: str
    lon: float
    lat: float
    message: str

    def __str__(self) -> str:
        return f"leg '{self.leg}': point ({self.lon:.4f}, {self.lat:.4f}): {self.message}"


def _samples(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dense = densify(coords, SAMPLE_KM)
    along = cumulative_km(dense)
    return dense[:, 0], dense[:, 1], along


def _longest_water_run(water: np.ndarray, along: np.ndarray) -> tuple[int, float] | None:
    """First run of water samples longer than MAX_WATER_RUN_KM: (index, km)."""
    start = None
    for i, wet in enumerate(np.append(water, False)):
        if wet and start is None:
            start = i
        elif not wet and start is not None:
            # the run spans from the last dry sample before it to the first after it
            lo = along[max(start - 1, 0)]
            hi = along[min(i, len(along) - 1)]
            if hi - lo > MAX_WATER_RUN_KM:
                return start, float(hi - lo)
            start = None
    return None


def check_surface(network: Network, countries: CountryIndex) -> list[Problem]:
    """Sea legs must be at sea and land legs on land.

    Returns
    -------
    list of Problem
        At most one problem per leg: its first offending point.
    """
    problems: list[Problem] = []
    for lid, leg in network.geodata.legs.items():
        lons, lats, along = _samples(network.legs[lid].coords)
        land = countries.on_land(lons, lats)
        total = along[-1]
        if leg.mode in SEA_MODES:
            allowance = leg.landfall_allowance_km
            inner = (along > allowance) & (along < total - allowance)
            bad = np.flatnonzero(land & inner)
            if bad.size:
                i = int(bad[0])
                problems.append(
                    Problem(
                        lid,
                        float(lons[i]),
                        float(lats[i]),
                        f"a {leg.mode} leg runs over land {along[i]:.1f} km from its start; "
                        "move the waypoints offshore (landfalls may be within "
                        f"{allowance:g} km of each end)",
                    )
                )
        else:
            run = _longest_water_run(~land, along)
            if run is not None:
                i, length = run
                problems.append(
                    Problem(
                        lid,
                        float(lons[i]),
                        float(lats[i]),
                        f"a {leg.mode} leg runs {length:.1f} km over water from {along[i]:.1f} km after its start; "
                        "add waypoints that follow the shore",
                    )
                )
    return problems


def validate_network(network: Network, countries: CountryIndex) -> list[Problem]:
    """Run every geometry check on a built network."""
    return check_surface(network, countries)
