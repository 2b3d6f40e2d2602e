"""Place references, leg status dates and event histories: read, validated, carried into the layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.errors import DataError
from transcaspian.network.loading import load_geodata
from transcaspian.network.provenance import EVENT_KINDS, Event

EVENTS = '''status_as_of = "2026-12-01"
status_source = "src"
events = [
  { date = "2018-05-14", kind = "opened", what = "Alat port opened", source = "src" },
  { date = "2017", kind = "proposed", what = "planned", source = "src" },
]
'''
REFERENCE = (
    'references = [ { kind = "geonames", id = "587084", title = "GeoNames Baku", lat = 40.37767, lon = 49.89201, '
    "distance_km = 3.74, independent = true, why = \"city centre, not the station\" } ]\n"
)


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_events_and_status_are_read_in_date_order(mini_geodata: Path):
    _edit(mini_geodata, "layers/middle_corridor.toml", 'status = "operational"\n', 'status = "operational"\n' + EVENTS)
    leg = load_geodata(mini_geodata).legs["ferry"]
    assert leg.status_as_of == "2026-12-01" and leg.status_source == "src"
    assert leg.events == (Event("2017", "proposed", "planned", "src"), Event("2018-05-14", "opened", "Alat port opened", "src"))


def test_place_references_are_read(mini_geodata: Path):
    _edit(mini_geodata, "places/places.toml", 'source = "test"\n', 'source = "test"\n' + REFERENCE)
    place = next(iter(load_geodata(mini_geodata).places.values()))
    (ref,) = place.references
    assert (ref.kind, ref.id, ref.distance_km, ref.independent) == ("geonames", "587084", 3.74, True)
    assert ref.as_record()["why"] == "city centre, not the station"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('"2026-12-01"', '"December 2026"', "status_as_of"),
        ('"2026-12-01"', '"2026-13-01"', "status_as_of"),
        ('date = "2017"', 'date = "2017-02-30x"', "is not ISO 8601"),
        ('kind = "proposed"', 'kind = "rumoured"', "use one of " + ", ".join(EVENT_KINDS)),
        ('what = "planned"', 'what = ""', "what must be non-empty"),
        ('source = "src" },\n]', 'source = "nowhere" },\n]', "unknown source 'nowhere'"),
        ('status_source = "src"', 'status_source = "nowhere"', "unknown source 'nowhere'"),
    ],
)
def test_bad_status_or_event_names_record_and_fix(mini_geodata: Path, old: str, new: str, message: str):
    _edit(mini_geodata, "layers/middle_corridor.toml", 'status = "operational"\n', 'status = "operational"\n' + EVENTS.replace(old, new))
    with pytest.raises(DataError) as info:
        load_geodata(mini_geodata)
    text = str(info.value)
    assert "middle_corridor.toml" in text and "ferry" in text and message in text


@pytest.mark.parametrize(
    "old, new, message",
    [
        (', why = "city centre, not the station"', "", "3.74 km from it; say why"),
        ('kind = "geonames"', 'kind = "hearsay"', "use one of"),
        ("independent = true", 'independent = "yes"', "independent must be true or false"),
        ("lat = 40.37767", "lat = 140.0", "lat must be a number"),
    ],
)
def test_bad_reference_names_record_and_fix(mini_geodata: Path, old: str, new: str, message: str):
    _edit(mini_geodata, "places/places.toml", 'source = "test"\n', 'source = "test"\n' + REFERENCE.replace(old, new))
    with pytest.raises(DataError) as info:
        load_geodata(mini_geodata)
    assert message in str(info.value) and "places/places.toml" in str(info.value)


def test_curated_legs_all_have_a_dated_status_and_a_history():
    gd = load_geodata()
    for leg in gd.legs.values():
        assert leg.status_as_of == "2026-12-01", leg.id
        assert leg.status_source in gd.sources, leg.id
    no_history = sorted(lid for lid, leg in gd.legs.items() if not leg.events)
    # the Marmaray/Ankara line is the one leg no read source dates: said so in geodata/README.md
    assert no_history == ["tr_ankara_istanbul"]
    assert gd.legs["blacksea_ferry_poti_constanta"].status == "operational"
    assert any(e.date == "2023-06-27" and e.kind == "opened" for e in gd.legs["blacksea_ferry_poti_constanta"].events)
    assert any(e.date == "2025-09-30" for e in gd.legs["kz_dostyk_moyynty"].events)
    assert any(e.date == "2026-03-04" and e.kind == "feasibility_study" for e in gd.legs["caspian_power_cable"].events)
