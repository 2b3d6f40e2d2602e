"""The API end to end, as a notebook uses it: a UTM GeoDataFrame, then the curated data.

Each step uses only ``import transcaspian`` and what it returns, in the order
an analyst would type it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import transcaspian as tc

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32639", always_xy=True)


def utm_line(*lonlat: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString(list(zip(*TO_UTM.transform(*zip(*lonlat)))))


@pytest.fixture(scope="module")
def survey() -> gpd.GeoDataFrame:
    """An analyst's own layer, in UTM zone 39N metres, ids as the index (as a GeoPackage fid reads)."""
    frame = gpd.GeoDataFrame(
        {"name": ["test line", "Baku–Aktau cable", "Ganja–Yevlakh rail"], "route_accuracy": ["traced", "schematic", "traced"]},
        geometry=[
            utm_line((49.0, 40.0), (50.0, 41.0)),
            utm_line((49.87, 40.37), (50.6, 41.9), (51.15, 43.65)),
            utm_line((46.36, 40.68), (47.15, 40.62)),
        ],
        crs=32639,
        index=pd.Index([1, 2, 3], name="fid"),
    )
    frame.attrs["name"] = "survey"
    return frame


def test_notebook__a_utm_geodataframe(survey: gpd.GeoDataFrame, tmp_path: Path):
    km = tc.geodesic_length(survey)
    assert km.loc[1] == pytest.approx(139.7, abs=0.05)  # the known answer
    assert not km.isna().any()

    parts = tc.country_lengths(survey)
    assert list(parts.index) == [1, 2, 3]
    pd.testing.assert_series_equal(parts.sum(axis=1), km, check_names=False, atol=0.01)
    assert parts.loc[3, "AZE"] == pytest.approx(km.loc[3], abs=1e-6)  # inland Azerbaijan: no sea
    assert parts.loc[2, "sea"] > 300

    claims = tmp_path / "claims.toml"
    claims.write_text(
        '[[source]]\nid = "s"\npublisher = "P"\ntitle = "T"\nurl = "https://example.org"\ndate = "2024"\n\n'
        f'[[claim]]\nid = "cable"\nsubject = "2"\nmetric = "length"\nvalue = {round(km.loc[2])}\nunit = "km"\nrole = "canonical"\nsource = "s"\n\n'
        '[[claim]]\nid = "rail"\nsubject = "3"\nmetric = "length"\nvalue = 500\nunit = "km"\nrole = "variant"\nsource = "s"\n'
    )
    verdicts = tc.check(claims, survey, id_field="fid")
    assert verdicts.loc["cable", "verdict"] == "consistent"
    assert verdicts.loc["cable", "route_accuracy"] == "schematic"
    assert verdicts.loc["rail", "verdict"] in ("trace_short", "impossible")

    page = tmp_path / "survey.html"
    tc.make_map(survey, title="Survey").save(str(page))
    html = page.read_text(encoding="utf-8")
    assert "Survey" in html and "Baku–Aktau cable" in html


def test_notebook__the_curated_data(tmp_path: Path):
    frames = tc.layers()
    assert {"places", "routes"} <= set(frames)
    for name, frame in frames.items():
        assert frame.crs.to_epsg() == 4326, name
        if name == "places":
            continue
        # The library's own measure of a layer is the length it ships with.
        pd.testing.assert_series_equal(tc.geodesic_length(frame), frame["length_km"], check_names=False, rtol=1e-9)
        parts = tc.country_lengths(frame)
        for fid, shipped in frame["country_lengths_km"].items():
            got = {k: v for k, v in parts.loc[fid].items() if v > 0}
            assert got.keys() == shipped.keys(), fid
            assert got == pytest.approx(shipped, abs=0.01), fid

    assert tc.routes().index.equals(frames["routes"].index)
    assert tc.places().index.equals(frames["places"].index)
    frames["routes"]["length_km"] = 0.0  # a caller's edits do not leak into the next call
    assert (tc.routes()["length_km"] > 0).all()

    verdicts = tc.check()
    canonical = verdicts[verdicts["role"] == "canonical"]
    assert len(canonical) and (canonical["verdict"] == "consistent").all()

    assert "Middle Corridor" in tc.make_map().get_root().render()

    built = tc.build(tmp_path / "out", offline=True)
    out = tmp_path / "out"
    assert sorted(built.legs.index) == sorted(i for name, f in frames.items() if name not in ("places", "routes") for i in f.index)
    for line in (out / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
