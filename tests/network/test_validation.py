"""Geometry checks: sea legs at sea, land legs on land."""

from __future__ import annotations

from pathlib import Path

from transcaspian.geo.countries import CountryIndex, load_countries
from transcaspian.network.lines import build_network
from transcaspian.network.loading import load_geodata
from transcaspian.network.validation import validate_network

COUNTRIES = CountryIndex.from_geojson(load_countries())


def test_validate_network__curated_data_passes(measured):
    assert validate_network(measured.network, measured.countries) == []


def test_validate_network__mini_passes(mini_geodata: Path):
    assert validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES) == []


def test_check_surface__ferry_over_absheron_is_caught(mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    # straight through the Absheron peninsula instead of around it
    layer.write_text(layer.read_text().replace("lon = 50.65, lat = 40.6", "lon = 49.9, lat = 40.45"))
    problems = validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES)
    assert [p.leg for p in problems] == ["ferry"]
    assert "runs over land" in str(problems[0])
    assert str(problems[0]).startswith("leg 'ferry': point (")


def test_check_surface__rail_across_the_caspian_is_caught(mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    layer.write_text(layer.read_text().replace('path = ["ganja", "tbilisi"]', 'path = ["ganja", "aktau", "tbilisi"]'))
    problems = validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES)
    assert [p.leg for p in problems] == ["rail_ganja_tbilisi"]
    assert "over water" in problems[0].message


def test_check_surface__landfall_allowance(mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    # the ferry starts 12 km inland: allowed only with a 20 km landfall allowance
    text = layer.read_text()
    places = mini_geodata / "places" / "places.toml"
    places.write_text(places.read_text().replace("lon = 51.215\nlat = 43.6", "lon = 51.36\nlat = 43.62"))
    assert validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES)
    layer.write_text(text.replace('route_accuracy = "schematic"', 'route_accuracy = "schematic"\nlandfall_allowance_km = 20', 1))
    assert validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES) == []


def test_check_surface__landfall_allowance_zero_is_kept(mini_geodata: Path):
    # 0 means "no allowance", not "use the default 5 km": an end on the coast's land side is then caught.
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    places = mini_geodata / "places" / "places.toml"
    places.write_text(places.read_text().replace("lon = 51.215\nlat = 43.6", "lon = 51.25\nlat = 43.61"))
    assert validate_network(build_network(load_geodata(mini_geodata)), COUNTRIES) == []  # within the default 5 km
    text = layer.read_text()
    layer.write_text(text.replace('route_accuracy = "schematic"', 'route_accuracy = "schematic"\nlandfall_allowance_km = 0', 1))
    geodata = load_geodata(mini_geodata)
    assert [leg.landfall_allowance_km for leg in geodata.legs.values() if leg.mode == "ferry"] == [0.0]
    problems = validate_network(build_network(geodata), COUNTRIES)
    assert [p.leg for p in problems] == ["ferry"]
