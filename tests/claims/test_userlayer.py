"""Checking a user's claims against a user's layer, unit by unit.

The command (``transcaspian check --layer``) is tested in test_userfiles.py.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from transcaspian.claims.model import Claim, Subject
from transcaspian.claims.userlayer import (
    LayerFeature,
    claimed_ids,
    feature_ids,
    layer_context,
    measure_layer_claims,
    read_features,
)
from transcaspian.errors import DataError
from transcaspian.geo.countries import CountryIndex, country_lengths_km
from transcaspian.network.records import Source
from transcaspian.userdata.opening import open_vector

#: An independent ellipsoid object, so expected values do not share state with the code.
WGS84 = Geod(ellps="WGS84")
#: Baku -> Tbilisi -> Kars (roughly), lon/lat degrees; crosses AZE and GEO.
RAIL = [(49.87, 40.41), (47.0, 41.2), (44.8, 41.7), (43.1, 40.6)]
SRC = Source("src", "Publisher", "Title", "https://example.org/a")


def length_claim(cid: str, subject: Subject, value: float = 100.0, **kw) -> Claim:
    return Claim(id=cid, subject=subject, metric="length", value=value, unit="km", role="canonical", source="src", **kw)


@pytest.fixture()
def layer(tmp_path: Path) -> Path:
    path = tmp_path / "user.geojson"
    geometry = [
        shapely.LineString(RAIL),
        shapely.MultiLineString([RAIL[:2], RAIL[2:]]),
        shapely.Point(49.9, 40.4),
    ]
    gpd.GeoDataFrame({"ref": ["rail", "broken", "baku"], "route_accuracy": ["traced", "schematic", None]}, geometry=geometry, crs=4326).to_file(
        path, driver="GeoJSON"
    )
    return path


def test_feature_ids__in_file_order(layer: Path):
    assert feature_ids(open_vector(layer, id_field="ref")) == ("rail", "broken", "baku")


def test_feature_ids__duplicates_name_both_features(tmp_path: Path):
    path = tmp_path / "twice.geojson"
    gpd.GeoDataFrame({"id": ["x", "y", "x"]}, geometry=[shapely.LineString(RAIL)] * 3, crs=4326).to_file(path, driver="GeoJSON")
    with pytest.raises(DataError, match="id 'x' is used by features #1 and #3"):
        feature_ids(open_vector(path))


def test_layer_context__ids_as_subjects_without_places():
    ctx = layer_context(["a", "b"], {"src": SRC})
    assert dict(ctx.lines) == {"a": (), "b": ()} and not ctx.routes and not ctx.layers
    assert ctx.sources == {"src": SRC}


def test_claimed_ids__only_length_claims():
    claims = [
        length_claim("one", Subject("leg", ("a",))),
        length_claim("sum", Subject("legs", ("b", "c"))),
        Claim(id="cap", subject=Subject("leg", ("d",)), metric="capacity", value=1, unit="GW", role="headline", source="src"),
    ]
    assert claimed_ids(claims) == {"a", "b", "c"}


def test_read_features__keeps_the_wanted_with_their_accuracy(layer: Path):
    features = read_features(open_vector(layer, id_field="ref"), {"rail", "broken", "baku"})
    assert set(features) == {"rail", "broken"}  # a point has no length
    assert features["rail"].length_km == pytest.approx(WGS84.geometry_length(shapely.LineString(RAIL)) / 1000, rel=1e-12)
    assert features["broken"].route_accuracy == "schematic"


def test_measure_layer_claims__whole_sum_and_country_part(layer: Path):
    features = read_features(open_vector(layer, id_field="ref"), {"rail", "broken"})
    countries = CountryIndex.shipped()
    claims = [
        length_claim("whole", Subject("leg", ("rail",))),
        length_claim("both", Subject("legs", ("rail", "broken"))),
        length_claim("geo", Subject("leg", ("rail",), country="GEO")),
        length_claim("broken_geo", Subject("leg", ("broken",), country="GEO")),
    ]
    out = measure_layer_claims(claims, features, countries)
    rail = features["rail"].length_km
    assert out["rail"].length_km == rail and not out["rail"].part
    assert out["rail+broken"].length_km == pytest.approx(rail + features["broken"].length_km)
    assert out["rail+broken"].route_accuracy == "schematic"
    # the country part is cut exactly as the per-country lengths are
    geo = country_lengths_km(np.asarray(RAIL), countries)["GEO"]
    assert out["rail@GEO"].length_km == pytest.approx(geo, rel=1e-12) and out["rail@GEO"].part
    # a multi-part feature is cut path by path: its gap is not measured
    assert 0 < out["broken@GEO"].length_km < geo


def test_measure_layer_claims__country_it_does_not_enter(layer: Path):
    features = {"rail": LayerFeature("rail", shapely.LineString(RAIL), 1.0)}
    claim = length_claim("kaz", Subject("leg", ("rail",), country="KAZ"), file="claims.toml")
    with pytest.raises(DataError, match="claims.toml: claim 'kaz': field 'country': feature 'rail' does not enter KAZ"):
        measure_layer_claims([claim], features, CountryIndex.shipped())
