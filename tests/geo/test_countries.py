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


def test_shipped_boundaries__a_flatgeobuf_gdal_opens_with_its_source_and_licence():
    """The file QGIS and GDAL open as it is: WGS84, one feature per ISO code, the source in its description."""
    from importlib.resources import as_file, files

    import pyogrio

    from transcaspian.geo.countries import load_countries

    with as_file(files("transcaspian.data") / "countries.fgb") as path:
        info = pyogrio.read_info(str(path))
        frame = pyogrio.read_dataframe(str(path))
    assert info["driver"] == "FlatGeobuf" and info["crs"] == "EPSG:4326" and info["features"] == 250
    assert "Natural Earth" in info["layer_metadata"]["DESCRIPTION"] and "public domain" in info["layer_metadata"]["DESCRIPTION"]
    assert frame["iso_a3"].is_unique and set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    index = CountryIndex.shipped()
    assert index.codes == list(frame["iso_a3"])
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(index.polygons, frame.geometry))
    collection = load_countries()
    assert [f["properties"]["iso_a3"] for f in collection["features"]] == index.codes
    assert collection["features"][index.codes.index("AZE")]["properties"]["name"] == "Azerbaijan"
    # UTF-8 read as UTF-8: the shapefile lacks its .cpg, and Latin-1 made these "CÃ´te d'Ivoire".
    names = dict(zip(frame["iso_a3"], frame["name"]))
    assert names["CIV"] == "Côte d'Ivoire" and names["CUW"] == "Curaçao" and names["ALA"] == "Åland"
    assert not any("Ã" in name for name in names.values())
    assert shapely.equals_exact(shapely.geometry.shape(collection["features"][0]["geometry"]), index.polygons[0], 0)


def test_country_index__pickles_the_shipped_one_by_name_and_others_whole():
    """A build's second process gets the shipped index by name (it reads the same file), not as 4 MB of polygons."""
    import pickle

    import shapely

    shipped = CountryIndex.shipped()
    data = pickle.dumps(shipped)
    assert len(data) < 200 and pickle.loads(data) is shipped
    own = CountryIndex(["AAA", "BBB"], [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    copy = pickle.loads(pickle.dumps(own))
    assert copy is not own and copy.codes == own.codes
    assert all(a.equals_exact(b, 0) for a, b in zip(copy.polygons, own.polygons))
    assert copy.country_at(1.5, 0.5) == "BBB" and copy.country_at(5, 5) == "sea"
