"""Every curated place carries an independent reference, at a stated distance.

The distance is recomputed on the WGS84 ellipsoid: a place more than 2 km
from its first reference must say why, and a recorded distance that no
longer matches the coordinates (a place moved without updating its check)
fails.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pyproj import Geod

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
GEOD = Geod(ellps="WGS84")
#: A place may lie this far from its reference without a stated reason.
LIMIT_KM = 2.0
KINDS = {"osm_node", "geonames", "wpi", "operator_page", "published_coordinate", "wikipedia", "consistency"}


def _places() -> list[dict]:
    out = []
    for f in sorted((GEODATA / "places").glob("*.toml")):
        out += tomllib.loads(f.read_text(encoding="utf-8"))["place"]
    return out


PLACES = _places()


def _km(place: dict, ref: dict) -> float:
    return GEOD.inv(place["lon"], place["lat"], ref["lon"], ref["lat"])[2] / 1000.0


@pytest.mark.parametrize("place", PLACES, ids=[p["id"] for p in PLACES])
def test_place_has_a_reference_at_its_stated_distance(place: dict) -> None:
    refs = place.get("references")
    assert refs, f"{place['id']}: add a second reference (OSM node, GeoNames, WPI, operator page)"
    for ref in refs:
        assert ref["kind"] in KINDS
        assert ref["title"].strip()
        assert isinstance(ref["independent"], bool)
        assert abs(_km(place, ref) - ref["distance_km"]) < 0.011, (
            f"{place['id']}: distance_km {ref['distance_km']} but the coordinates are {_km(place, ref):.2f} km apart"
        )
        if ref["distance_km"] > LIMIT_KM:
            assert ref.get("why", "").strip(), f"{place['id']}: {ref['distance_km']} km from {ref['title']}: state why"


def test_the_audit_fixes_hold() -> None:
    """The places the December 2026 audit found wrong are where their references put them."""
    by_id = {p["id"]: p for p in PLACES}
    kuryk = {"lat": 43.1648, "lon": 51.4416}  # OSM node 11910129790 "Курык-Порт"
    assert _km(by_id["kuryk_port"], kuryk) < 0.1
    assert _km(by_id["port_of_kuryk_area_landing"], kuryk) < 0.1
    assert _km(by_id["alat_port"], {"lat": 39.97735, "lon": 49.44483}) < 0.1  # GeoNames 12196095
    assert "Vostochny)" not in by_id["aktogay"]["name"]
    assert "Tripomatic" in by_id["psg2_tsalka"]["source"] and "not a pump station" in by_id["psg2_tsalka"]["source"]


def test_a_place_moved_without_its_reference_fails() -> None:
    """The check can fail: a copy of Kuryk at its old, wrong point."""
    place = dict(next(p for p in PLACES if p["id"] == "kuryk_port"), lat=43.07, lon=51.76)
    ref = place["references"][0]
    assert abs(_km(place, ref) - ref["distance_km"]) > 1.0
