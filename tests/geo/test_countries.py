"""Country boundaries: the land test answered from the index, as the union answers it."""

from __future__ import annotations

import numpy as np
import shapely

from transcaspian.geo.countries import CountryIndex


def test_on_land__agrees_with_the_union_of_the_countries():
    index = CountryIndex.shipped()
    rng = np.random.default_rng(7)
    x, y = rng.uniform(10, 100, 20_000), rng.uniform(25, 60, 20_000)
    # Add vertices of the Azerbaijan-Georgia border, which both polygons share.
    aze = shapely.get_coordinates(index.polygons[index.codes.index("AZE")])
    geo = shapely.get_coordinates(index.polygons[index.codes.index("GEO")])
    shared = np.array(sorted(set(map(tuple, aze)) & set(map(tuple, geo))))
    assert len(shared) > 10
    x, y = np.concatenate([x, shared[:, 0]]), np.concatenate([y, shared[:, 1]])
    land = shapely.union_all(index.polygons)
    expected = shapely.contains_xy(land, x, y)
    assert np.array_equal(index.on_land(x, y), expected)
    assert expected.sum() > 10_000 and (~expected).sum() > 1_000
