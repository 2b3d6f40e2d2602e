"""The offline world basemap: encoding, clipping per page, names, budgets."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian.web import basemap
from transcaspian.web.i18n import LANGUAGES

REGION = [[36.5, 26.0], [48.0, 82.5]]  # the curated data


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-18000, 18000), st.integers(-8500, 8500)), min_size=3, max_size=40, unique=True))
def test_encode_ring__decodes_to_the_same_grid_points(points):
    q = 0.01
    xy = np.asarray(points, dtype=float) * q
    encoded = basemap.encode_ring(xy, q)
    if encoded is None:
        return
    decoded = basemap.decode_ring(encoded, q)
    assert np.allclose(decoded[:-1], xy[: len(decoded) - 1]) or len(decoded) - 1 <= len(xy)
    assert np.allclose(decoded[0], decoded[-1])  # closed
    assert all(isinstance(v, int) for v in encoded)


def test_shipped__three_levels_world_names_in_every_language():
    doc = basemap.shipped()
    assert [level["name"] for level in doc["levels"]] == ["110m", "50m", "10m"]
    by_iso = {c["iso"]: c for c in doc["countries"]}
    assert len(by_iso) > 200
    for iso in ("AZE", "KAZ", "GEO", "TUR", "RUS", "TKM", "IRN", "ESP", "USA"):
        assert set(by_iso[iso]["names"]) == set(LANGUAGES), iso
    assert by_iso["AZE"]["names"]["az"] == "Azərbaycan" and by_iso["KAZ"]["names"]["kk"] == "Қазақстан"
    assert by_iso["TUR"]["names"]["ru"] == "Турция"
    names = [n for c in doc["countries"] for n in c["names"].values()]
    assert not any(0x80 <= ord(ch) <= 0x9F or ch == "\ufffd" for n in names for ch in n)  # no mojibake
    cities = {c["id"]: c for c in doc["cities"]}
    assert cities["Asia/Baku"]["names"]["ru"] == "Баку" and cities["Asia/Baku"]["names"]["az"] == "Bakı"
    assert {s["names"]["en"] for s in doc["seas"]} >= {"Caspian Sea", "Black Sea"}


def test_shipped_world__is_the_whole_document_with_its_coarsest_level_only():
    world, whole = basemap.shipped_world(), basemap.shipped()
    assert [level["name"] for level in world["levels"]] == ["110m"]
    assert {**whole, "levels": whole["levels"][:1]} == world
    # An online page (no detail) carries what an offline one carries at the world level.
    online, offline = basemap.page_basemap(REGION, "kk", detail=False), basemap.page_basemap(REGION, "kk")
    assert online == {**offline, "levels": [level for level in offline["levels"] if level["box"] is None]}


def test_page_basemap__world_coarse_detail_only_near_the_data():
    page = basemap.page_basemap(REGION, "ru")
    levels = page["levels"]
    assert [level["z"] for level in levels] == [0, 4, 6]
    assert levels[0]["box"] is None
    for level in levels[1:]:
        w, s, e, n = (v * level["q"] for v in level["box"])
        assert w < 54.25 < e and s < 42.25 < n  # around the data's centre
        assert e - w <= basemap.MAX_SPAN_DEG["50m"] + 1e-6
        for poly in level["p"]:
            xy = basemap.decode_ring(poly[0], level["q"])
            assert xy[:, 0].min() >= w - 1e-6 and xy[:, 0].max() <= e + 1e-6
    labels = {label[5] for label in page["labels"]}
    assert "Каспийское море" in labels and "Азербайджан" in labels


def test_page_basemap__sizes_within_budgets():
    # index.html --offline <= 1 MB holds Leaflet (~150 KB), map.js and the data (~150 KB) too
    assert basemap.page_basemap_json_size(REGION) <= 450_000
    assert [level["z"] for level in basemap.page_basemap(REGION)["levels"]] == [0, 4, 6]  # all its detail fits
    for bounds in ([[40.0, -9.0], [43.0, 3.0]], [[25.0, -125.0], [49.0, -67.0]], [[35.0, 0.0], [70.0, 40.0]], [[-60.0, -180.0], [80.0, 180.0]], None):
        assert basemap.page_basemap_json_size(bounds) <= 600_000, bounds


def test_page_basemap__deterministic():
    a = json.dumps(basemap.page_basemap(REGION, "en"), sort_keys=True)
    assert a == json.dumps(basemap.page_basemap(REGION, "en"), sort_keys=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=30).map(lambda v: v + v[:1] if len(v) % 2 else v), max_size=20))
def test_shell_bounds__every_rings_bounds_in_one_pass_equal_decoding_each(rings):
    low, high = basemap._shell_bounds(rings)
    assert low.shape == high.shape == (len(rings), 2)
    for ring, lo, hi in zip(rings, low, high):
        xy = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
        assert lo.tolist() == xy.min(axis=0).tolist() and hi.tolist() == xy.max(axis=0).tolist()


def test_shell_bounds__a_ring_of_broken_pairs_is_an_error_not_a_shifted_answer():
    import pytest

    for rings in ([[1, 2], []], [[1, 2, 3], [4, 5]]):
        with pytest.raises(ValueError, match="whole pairs"):
            basemap._shell_bounds(rings)
