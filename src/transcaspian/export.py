"""Write the measured layers to files.

Every writer goes through :func:`atomic_write`: the bytes go to a temporary
file beside the target, which is then renamed over it, so an interrupted run
never leaves a truncated file. Outputs are deterministic: the same input gives
byte-identical files.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .errors import OutputError

#: Decimal places of GeoJSON coordinates (1e-6 degree is about 0.1 m).
COORD_PRECISION = 6
#: Decimal places of lengths in km (1e-3 km = 1 m).
LENGTH_PRECISION = 3


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if needed.
    data : bytes or str
        Content; str is encoded as UTF-8.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc}); check the folder and its permissions") from None
    return path


def _round_coords(value: Any, ndigits: int) -> Any:
    if isinstance(value, (list, tuple)):
        return [_round_coords(v, ndigits) for v in value]
    return round(float(value), ndigits)


def _clean(value: Any) -> Any:
    """Make a property value JSON-ready: numpy scalars, NaN to null, lengths."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if value is getattr(np, "nan", None):
        return None
    return str(value)


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
    for _, row in frame.iterrows():
        props = {k: _clean(v) for k, v in row.items() if k != frame.geometry.name}
        geom = json.loads(shapely.to_geojson(row[frame.geometry.name]))
        geom["coordinates"] = _round_coords(geom["coordinates"], precision)
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


def split_by_layer(legs: gpd.GeoDataFrame, layer_ids: Iterable[str]) -> dict[str, gpd.GeoDataFrame]:
    """Legs grouped by layer, in the given layer order."""
    return {layer: legs[legs["layer"] == layer] for layer in layer_ids}
