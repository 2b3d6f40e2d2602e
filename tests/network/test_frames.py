"""The measured layers: routes' per-country lengths from their legs."""

from __future__ import annotations

import pytest

from transcaspian.geo.countries import SEA, chained_country_lengths_km
from transcaspian.measured import measure_geodata
from transcaspian.network.frames import routes_frame


@pytest.mark.parametrize("which", ["curated", "mini"])
def test_routes__legs_added_up_equal_the_route_cut_again(which, measured, mini_geodata):
    """A route is its legs end to end: adding up the legs' per-country lengths
    gives what cutting the whole route by the borders gives (to 1e-9 km), with the same countries."""
    m = measured if which == "curated" else measure_geodata(mini_geodata)
    cut_again = routes_frame(m.network, m.countries)
    assert list(cut_again.index) == list(m.routes.index) and len(cut_again)
    for rid in cut_again.index:
        direct, chained = cut_again.at[rid, "country_lengths_km"], m.routes.at[rid, "country_lengths_km"]
        assert list(chained) == list(direct), rid
        assert all(chained[k] == pytest.approx(direct[k], abs=1e-9) for k in direct), rid
        assert sum(chained.values()) == pytest.approx(m.routes.at[rid, "length_km"], abs=1e-6)


def test_chained_country_lengths__sea_is_what_the_countries_leave_of_the_whole():
    legs = [{"AZE": 10.0, SEA: 5.0}, {"AZE": 2.5, "KAZ": 7.0}, {}]
    assert chained_country_lengths_km(legs, 25.0000000001) == {"AZE": 12.5, "KAZ": 7.0, SEA: pytest.approx(5.5000000001)}
    assert chained_country_lengths_km([{"GEO": 3.0}], 3.0000000001) == {"GEO": 3.0}  # below a millimetre: no sea
    assert chained_country_lengths_km([], 0.0) == {}
