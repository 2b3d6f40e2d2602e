"""Reading the geodata: the curated copy loads, bad files give clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.errors import DataError
from transcaspian.network.loading import load_geodata, load_sources
from transcaspian.network.records import LAYERS, Waypoint, worst_accuracy

STABLE_LEGS = (
    "btc",
    "fiber_aktau_sumgayit",
    "bsec_subsea",
    "caspian_power_cable",
    "caspian_ferry_aktau_alat",
    "caspian_ferry_kuryk_alat",
)


def test_load_geodata__curated_copy_has_every_layer_and_stable_id():
    gd = load_geodata()
    assert tuple(gd.layers) == LAYERS
    assert set(STABLE_LEGS) <= set(gd.legs)
    assert "btk_railway" in gd.routes
    assert len(gd.digest) == 64


def test_load_geodata__curated_waypoints_record_their_basis():
    gd = load_geodata()
    for leg in gd.legs.values():
        for item in leg.path:
            if isinstance(item, Waypoint):
                assert item.basis.strip(), (leg.id, item.name)


def test_load_geodata__curated_places_have_iso_countries_and_sources():
    gd = load_geodata()
    for place in gd.places.values():
        assert len(place.country) == 3 and place.country.isupper()
        assert place.source.strip()


def test_load_geodata__mini(mini_geodata: Path):
    gd = load_geodata(mini_geodata)
    assert list(gd.legs) == ["ferry", "rail_alat_ganja", "rail_ganja_tbilisi"]
    assert gd.legs["ferry"].layer == "middle_corridor"
    assert gd.sources["src"].url == "https://example.org/"


def test_load_geodata__digest_changes_with_content(mini_geodata: Path):
    before = load_geodata(mini_geodata).digest
    path = mini_geodata / "places" / "places.toml"
    path.write_text(path.read_text().replace("lon = 46.361", "lon = 46.362"))
    assert load_geodata(mini_geodata).digest != before


def _break(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "rel, old, new, expected",
    [
        ("places/places.toml", 'id = "ganja"', 'id = "ganja"\nid2 = [', "places/places.toml: is not valid TOML"),
        ("places/places.toml", 'country = "AZE"', 'country = "Azerbaijan"', "place 'ganja': field 'country'"),
        ("places/places.toml", "lon = 46.361", "lon = 246.361", "place 'ganja': field 'lon': 246.361 is out of range"),
        ("places/places.toml", 'kind = "city"', 'kind = "town"', "field 'kind': is 'town'; use one of"),
        ("places/places.toml", 'name = "Ganja"\n', "", "place 'ganja': field 'name': is missing"),
        ("places/places.toml", 'id = "tbilisi"', 'id = "ganja"', "field 'id': duplicate id"),
        ("layers/middle_corridor.toml", '"ganja", "tbilisi"]', '"ganja", "tiflis"]', "leg 'rail_ganja_tbilisi': field 'path': point 2 names unknown place 'tiflis'"),
        ("layers/middle_corridor.toml", 'mode = "rail"', 'mode = "train"', "leg 'rail_alat_ganja': field 'mode'"),
        ("layers/middle_corridor.toml", 'sources = ["src"]', 'sources = ["nope"]', "leg 'ferry': field 'sources': unknown source 'nope'"),
        ("layers/middle_corridor.toml", 'lat = 41.8, basis = "test"', 'lat = 41.8, basis = ""', "path point 2 (central Caspian): record the basis"),
        ("layers/middle_corridor.toml", '"aktau",\n', '{ name = "x", lon = 51.2, lat = 43.6, basis = "b" },\n', "the first point must be a place id"),
        ("routes.toml", '"rail_ganja_tbilisi"]', '"rail_ganja_tbilisi", "ghost"]', "route 'aktau_tbilisi': field 'legs': unknown leg 'ghost'"),
        ("sources/sources.toml", 'url = "https://example.org/"', 'url = "javascript:alert(1)"', "source 'src': field 'url'"),
    ],
)
def test_load_geodata__bad_record_names_file_record_and_field(mini_geodata: Path, rel, old, new, expected):
    _break(mini_geodata, rel, old, new)
    with pytest.raises(DataError) as info:
        load_geodata(mini_geodata)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_load_geodata__missing_directory_is_a_data_error(tmp_path: Path):
    with pytest.raises(DataError, match="is not a geodata directory"):
        load_geodata(tmp_path / "nowhere")


def test_load_geodata__unknown_layer_file(mini_geodata: Path):
    (mini_geodata / "layers" / "middle_corridor.toml").rename(mini_geodata / "layers" / "roads.toml")
    with pytest.raises(DataError, match="unknown layer 'roads'"):
        load_geodata(mini_geodata)


def test_data_error__is_a_value_error():
    assert issubclass(DataError, ValueError)


def test_worst_accuracy__a_chain_is_as_accurate_as_its_worst_leg():
    assert worst_accuracy(["traced", "traced"]) == "traced"
    assert worst_accuracy(["traced", "illustrative", "schematic"]) == "illustrative"
    with pytest.raises(ValueError):
        worst_accuracy(["traced", "guessed"])


def test_load_sources__reads_only_the_sources(mini_geodata: Path):
    (mini_geodata / "routes.toml").unlink()  # the rest of the directory is not read
    assert list(load_sources(mini_geodata)) == ["src"]
    assert load_sources(mini_geodata)["src"].url == "https://example.org/"


def test_load_sources__duplicate_id_names_the_record(mini_geodata: Path):
    extra = mini_geodata / "sources" / "zz_more.toml"  # read after sources.toml
    extra.write_text((mini_geodata / "sources" / "sources.toml").read_text())
    with pytest.raises(DataError, match=r"sources/zz_more.toml: source 'src': field 'id': duplicate id"):
        load_sources(mini_geodata)
