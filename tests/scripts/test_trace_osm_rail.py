"""scripts/trace_osm_rail.py: a track graph from an OSM export, shortest paths, thinning, TOML paths."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "trace_osm_rail.py"


@pytest.fixture(scope="module")
def tr():
    spec = importlib.util.spec_from_file_location("trace_osm_rail", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _export(tmp_path: Path, ways: dict[str, list[tuple[float, float]]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"@id": f"way/{wid}", "railway": "rail"},
             "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in pts]}}
            for wid, pts in ways.items()
        ],
    }  # fmt: skip
    path = tmp_path / "railway-network-data.js"
    path.write_text("export const railwayNetworkData = " + json.dumps(doc) + ";\n", encoding="utf-8")
    return path


def test_shortest_track_path_follows_the_ways_and_names_them(tr, tmp_path: Path):
    # a main line in two ways sharing a node, and a longer loop between the same ends
    ways = {
        "1": [(41.0, 44.0), (41.0, 44.1)],
        "2": [(41.0, 44.1), (41.0, 44.2)],
        "3": [(41.0, 44.0), (41.1, 44.1), (41.0, 44.2)],
    }
    track = tr.Track(tr.read_export(_export(tmp_path, ways)))
    steps = track.path(track.nearest((41.0, 44.0)), track.nearest((41.0, 44.2)))
    assert [v for v, _ in steps] == [(41.0, 44.0), (41.0, 44.1), (41.0, 44.2)]
    assert [w for _, w in steps][1:] == ["1", "2"]
    length = sum(tr.km(a, b) for (a, _), (b, _) in zip(steps, steps[1:]))
    assert length == pytest.approx(16.8, abs=0.1)  # 0.2 degrees of longitude at 41 N


def test_way_ends_within_30_m_are_joined_and_a_real_gap_stops(tr, tmp_path: Path):
    ways = {"1": [(41.0, 44.0), (41.0, 44.1)], "2": [(41.0, 44.1002), (41.0, 44.2)], "3": [(41.0, 44.3), (41.0, 44.4)]}
    track = tr.Track(tr.read_export(_export(tmp_path, ways)))
    assert track.path(track.nearest((41.0, 44.0)), track.nearest((41.0, 44.2)))[-1][0] == (41.0, 44.2)
    with pytest.raises(SystemExit):
        track.path(track.nearest((41.0, 44.0)), track.nearest((41.0, 44.4)))


def test_thinning_keeps_the_bends_and_drops_collinear_vertices(tr):
    straight = [(41.0, 44.0 + i / 100) for i in range(11)]
    assert tr.thin(straight, 25.0) == [0, 10]
    bent = [*straight, (41.1, 44.1)]
    assert tr.thin(bent, 25.0) == [0, 10, 11]


def test_toml_path_round_trips_and_escapes(tr):
    hostile = 'a "quote" ]]> {{ x }} \\ back'
    text = tr.toml_path(["start", {"name": hostile, "lon": 44.1, "lat": 41.0, "basis": hostile}, "end"])
    doc = tomllib.loads(text)
    assert doc["path"][0] == "start" and doc["path"][1]["name"] == hostile and doc["path"][2] == "end"


def test_write_leg_replaces_only_that_leg(tr, tmp_path: Path):
    layer = tmp_path / "layer.toml"
    layer.write_text(
        '[[leg]]\nid = "a"\npath = [\n  "p",\n  "q",\n]\n\n[[leg]]\nid = "b"\npath = [\n  "q",\n  "r",\n]\n',
        encoding="utf-8",
    )
    tr.write_leg(layer, "a", 'path = [\n  "p",\n  { name = "w", lon = 1.0, lat = 2.0, basis = "x" },\n  "q",\n]')
    doc = tomllib.loads(layer.read_text(encoding="utf-8"))
    assert [len(leg["path"]) for leg in doc["leg"]] == [3, 2]
