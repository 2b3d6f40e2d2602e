"""Building lines from paths and chaining legs into routes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from transcaspian.errors import DataError
from transcaspian.geo.geodesy import line_length_km, section_km
from transcaspian.network.lines import build_network, latlon, places_frame
from transcaspian.network.loading import load_geodata


def test_build_network__legs_start_and_end_at_their_places(mini_geodata: Path):
    gd = load_geodata(mini_geodata)
    net = build_network(gd)
    for lid, leg in gd.legs.items():
        line = net.legs[lid]
        first, last = gd.places[leg.path[0]], gd.places[leg.path[-1]]
        assert tuple(line.coords[0]) == (first.lon, first.lat)
        assert tuple(line.coords[-1]) == (last.lon, last.lat)
        assert line.place_vertices[0] == (leg.path[0], 0)
        assert line.place_vertices[-1] == (leg.path[-1], len(line.coords) - 1)


def test_build_route__junctions_kept_once_and_length_is_the_sum(mini_geodata: Path):
    net = build_network(load_geodata(mini_geodata))
    route = net.routes["aktau_tbilisi"]
    legs = [net.legs[i] for i in ("ferry", "rail_alat_ganja", "rail_ganja_tbilisi")]
    assert len(route.coords) == sum(len(leg.coords) for leg in legs) - 2
    assert line_length_km(route.coords) == pytest.approx(sum(line_length_km(leg.coords) for leg in legs), rel=1e-12)
    assert [p for p, _ in route.place_vertices] == ["aktau", "alat", "ganja", "tbilisi"]


def test_build_route__section_between_places_equals_the_leg(mini_geodata: Path):
    net = build_network(load_geodata(mini_geodata))
    route = net.routes["aktau_tbilisi"]
    ferry = section_km(route.coords, route.vertex_of("aktau"), route.vertex_of("alat"))
    assert ferry == pytest.approx(line_length_km(net.legs["ferry"].coords), rel=1e-12)


def test_build_route__legs_that_do_not_meet_are_an_error(mini_geodata: Path):
    routes = mini_geodata / "routes.toml"
    routes.write_text(routes.read_text().replace('["ferry", "rail_alat_ganja", "rail_ganja_tbilisi"]', '["ferry", "rail_ganja_tbilisi"]'))
    with pytest.raises(DataError, match="route 'aktau_tbilisi': field 'legs': leg 'rail_ganja_tbilisi' starts at 'ganja' but 'ferry' ends at 'alat'"):
        build_network(load_geodata(mini_geodata))


def test_line_vertex_of__unknown_place(mini_geodata: Path):
    net = build_network(load_geodata(mini_geodata))
    with pytest.raises(DataError, match="is not on 'ferry'"):
        net.legs["ferry"].vertex_of("tbilisi")


def test_latlon__swaps_to_folium_order():
    assert latlon(np.array([[49.8, 40.4], [44.8, 41.7]])) == [[40.4, 49.8], [41.7, 44.8]]


def test_places_frame__points_in_lon_lat(mini_geodata: Path):
    frame = places_frame(load_geodata(mini_geodata))
    assert frame.crs.to_epsg() == 4326
    point = frame.loc["aktau", "geometry"]
    assert (point.x, point.y) == (51.215, 43.6)


def test_build_network__curated_routes_chain(measured):
    for rid, route in measured.geodata.routes.items():
        line = measured.network.routes[rid]
        total = sum(line_length_km(measured.network.legs[lid].coords) for lid in route.legs)
        assert line_length_km(line.coords) == pytest.approx(total, rel=1e-9)
