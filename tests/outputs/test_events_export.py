"""The legs' dated histories and the places' references in the written files, read back with GDAL."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio

from transcaspian.measured import Measured
from transcaspian.outputs.export import EVENTS_TABLE, GPKG_NAME, events_frame, flat_frames
from transcaspian.outputs.fields import undocumented


def test_events_table__one_row_per_event_in_the_geopackage(built: Path, measured: Measured) -> None:
    path = built / GPKG_NAME
    info = pyogrio.read_info(path, layer=EVENTS_TABLE)
    expected = sum(len(leg.events) for leg in measured.geodata.legs.values())
    assert info["features"] == expected > 50
    table = pyogrio.read_dataframe(path, layer=EVENTS_TABLE, read_geometry=False)
    assert list(table.columns) == ["leg", "date", "kind", "what", "source", "source_url"]
    assert set(table["leg"]) <= set(measured.geodata.legs)
    poti = table[table["leg"] == "blacksea_ferry_poti_constanta"]
    assert ("2023-06-27", "opened") in set(zip(poti["date"], poti["kind"]))
    assert table["source_url"].str.startswith(("http://", "https://")).all()
    assert undocumented({EVENTS_TABLE: table}) == []


def test_events_and_status_in_the_layers(built: Path, measured: Measured) -> None:
    doc = json.loads((built / "layers" / "middle_corridor.geojson").read_text(encoding="utf-8"))
    props = {f["id"]: f["properties"] for f in doc["features"]}
    ferry = props["blacksea_ferry_poti_constanta"]
    assert ferry["status"] == "operational" and ferry["status_as_of"] == "2026-12-01"
    assert ferry["events"][0] == {
        "date": "2023-06-27", "kind": "opened", "source": "vestikavkaza_2023_ferry",
        "what": "E60 Shipping Line's ferry 'Aia' starts a regular Poti–Constanța service",
    }  # fmt: skip
    # flat formats carry the history as JSON text
    gpkg = pyogrio.read_dataframe(built / GPKG_NAME, layer="middle_corridor", read_geometry=False)
    row = gpkg[gpkg["id"] == "kz_dostyk_moyynty"].iloc[0]
    assert any(e["date"] == "2025-09-30" for e in json.loads(row["events"]))
    assert undocumented(flat_frames(measured.layer_frames())) == []


def test_place_references_in_the_places_layer(built: Path) -> None:
    doc = json.loads((built / "layers" / "places.geojson").read_text(encoding="utf-8"))
    kuryk = next(f for f in doc["features"] if f["id"] == "kuryk_port")
    assert kuryk["geometry"]["coordinates"] == [51.4416, 43.1648]
    assert kuryk["properties"]["references"][0]["id"] == "7066119030"
    assert all(f["properties"]["references"] for f in doc["features"])


def test_events_frame__empty_without_events(measured: Measured) -> None:
    import dataclasses

    legs = {lid: dataclasses.replace(leg, events=()) for lid, leg in measured.geodata.legs.items()}
    bare = dataclasses.replace(measured, geodata=dataclasses.replace(measured.geodata, legs=legs))
    frame = events_frame(bare)
    assert len(frame) == 0 and list(frame.columns)[0] == "leg"
