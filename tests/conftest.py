"""Shared fixtures: the curated data measured once, and one full build."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.measured import Measured, measure_geodata
from transcaspian.pipeline import run_build


@pytest.fixture(scope="session")
def measured() -> Measured:
    """The curated geodata, read, built, validated and measured."""
    return measure_geodata()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder written by one full ``run_build`` of the curated data."""
    out = tmp_path_factory.mktemp("outputs")
    run_build(None, out)
    return out


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


MINI_PLACES = '''
[[place]]
id = "ganja"
name = "Ganja"
kind = "city"
country = "AZE"
lon = 46.361
lat = 40.683
source = "test"

[[place]]
id = "tbilisi"
name = "Tbilisi"
kind = "city"
country = "GEO"
lon = 44.81
lat = 41.71
source = "test"

[[place]]
id = "aktau"
name = "Aktau"
kind = "port"
country = "KAZ"
lon = 51.215
lat = 43.6
source = "test"

[[place]]
id = "alat"
name = "Alat"
kind = "port"
country = "AZE"
lon = 49.44
lat = 39.945
source = "test"
'''

MINI_LAYER = '''
title = "Middle Corridor"
description = "test layer"

[[leg]]
id = "ferry"
name = "Aktau-Alat ferry"
mode = "ferry"
status = "operational"
route_accuracy = "schematic"
sources = ["src"]
path = [
  "aktau",
  { name = "central Caspian", lon = 50.6, lat = 41.8, basis = "test" },
  { name = "east of Absheron", lon = 50.65, lat = 40.6, basis = "test" },
  { name = "SE of Shah Dili spit", lon = 50.5, lat = 40.18, basis = "test" },
  { name = "south of Baku bay", lon = 49.8, lat = 40.05, basis = "test" },
  "alat",
]

[[leg]]
id = "rail_alat_ganja"
name = "Alat-Ganja"
mode = "rail"
status = "operational"
route_accuracy = "traced"
path = ["alat", { name = "Kurdamir", lon = 48.161, lat = 40.344, basis = "test" }, "ganja"]

[[leg]]
id = "rail_ganja_tbilisi"
name = "Ganja-Tbilisi"
mode = "rail"
status = "operational"
route_accuracy = "traced"
path = ["ganja", "tbilisi"]
'''

MINI_ROUTES = '''
[[route]]
id = "aktau_tbilisi"
name = "Aktau-Tbilisi"
layer = "middle_corridor"
legs = ["ferry", "rail_alat_ganja", "rail_ganja_tbilisi"]
'''

MINI_SOURCES = '''
[[source]]
id = "src"
publisher = "Test"
title = "A test source"
url = "https://example.org/"
date = "2025-01-01"
'''


@pytest.fixture()
def mini_geodata(tmp_path: Path) -> Path:
    """A small, valid geodata directory that a test may break on purpose."""
    root = tmp_path / "geodata"
    for rel, text in {
        "places/places.toml": MINI_PLACES,
        "layers/middle_corridor.toml": MINI_LAYER,
        "routes.toml": MINI_ROUTES,
        "sources/sources.toml": MINI_SOURCES,
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
