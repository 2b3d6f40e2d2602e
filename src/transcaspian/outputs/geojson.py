"""GeoJSON layers (RFC 7946): lon/lat, 6 decimals, stable ids, sorted keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from transcaspian.files import atomic_write
from transcaspian.values import COORD_PRECISION, LENGTH_PRECISION, json_value, round_coords


def round_lengths(props: dict[str, Any]) -> dict[str, Any]:
    """Round every ``*_km`` value (and nested km maps) to metres."""
    out = {}
    for key, value in props.items():
        if key.endswith("_km") and isinstance(value, float):
            value = round(value, LENGTH_PRECISION)
        elif key.endswith("_km") and isinstance(value, dict):
            value = {k: round(v, LENGTH_PRECISION) for k, v in value.items()}
        out[key] = value
    return out


def feature_collection(frame: gpd.GeoDataFrame, *, precision: int = COORD_PRECISION, name: str | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection from a GeoDataFrame in EPSG:4326.

    Each feature's ``id`` is the row's ``id`` column; properties keep every
    other column (nested values stay nested); coordinates are rounded to
    ``precision`` decimals; there is no ``crs`` member.
    """
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    features = []
    geometry_name = frame.geometry.name  # looked up once: geopandas rebuilds the column on each access
    for _, row in frame.iterrows():
        props = {k: json_value(v) for k, v in row.items() if k != geometry_name}
        geom = json.loads(shapely.to_geojson(row[geometry_name]))
        geom["coordinates"] = round_coords(geom["coordinates"], precision)
        features.append({"type": "Feature", "id": props["id"], "properties": round_lengths(props), "geometry": geom})
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        collection["name"] = name
    collection["features"] = features
    return collection


def dumps_geojson(collection: Mapping[str, Any]) -> str:
    """Serialise GeoJSON deterministically: sorted keys, UTF-8, one line per feature."""
    head = {k: v for k, v in collection.items() if k != "features"}
    lines = [json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    body = ",\n".join(lines)
    head_text = json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{head_text},"features":[\n{body}\n]}}\n'


def write_geojson_layers(out: Path, frames: Mapping[str, gpd.GeoDataFrame]) -> list[Path]:
    """Write ``<out>/layers/<name>.geojson`` for each frame, atomically."""
    written = []
    for name, frame in frames.items():
        text = dumps_geojson(feature_collection(frame, name=name))
        written.append(atomic_write(Path(out) / "layers" / f"{name}.geojson", text))
    return written
