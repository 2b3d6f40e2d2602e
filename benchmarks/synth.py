"""Synthetic vector files for the benchmarks: random walks, written in chunks.

Each feature is a random walk of ``vertices`` points starting anywhere in a
box (by default the Caspian region, where the shipped boundaries are most
detailed, so the per-country split meets real coasts and borders). Files
are written chunk by chunk (GeoParquet with a row group per chunk, or
FlatGeobuf through GDAL), so generating 10^7 segments does not hold them all
in memory at once. The same seed gives the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

CASPIAN = (46.0, 37.0, 54.0, 46.0)


def walks(n_features: int, vertices: int, *, seed: int = 0, box: tuple[float, float, float, float] = CASPIAN, step_deg: float = 0.01) -> np.ndarray:
    """``n_features`` LineStrings of ``vertices`` points each (lon/lat degrees)."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(box[:2], box[2:], size=(n_features, 1, 2))
    steps = rng.normal(0.0, step_deg, size=(n_features, vertices - 1, 2))
    return shapely.linestrings(np.concatenate([start, start + np.cumsum(steps, axis=1)], axis=1))


def write_walks(path: Path, n_segments: int, *, vertices: int = 101, seed: int = 0, chunk_features: int = 20_000, box: tuple[float, float, float, float] = CASPIAN) -> int:
    """Write random walks with ``n_segments`` segments in all; return the feature count.

    The format follows the suffix: ``.parquet`` (GeoParquet, streamed by row
    group) or anything GDAL writes (``.fgb``, ``.gpkg``, ``.geojson``).
    """
    n_features = max(n_segments // (vertices - 1), 1)
    if path.suffix == ".parquet":
        _write_parquet(path, n_features, vertices, seed, chunk_features, box)
    else:
        lines = np.concatenate([walks(min(chunk_features, n_features - i), vertices, seed=seed + i, box=box) for i in range(0, n_features, chunk_features)])
        frame = gpd.GeoDataFrame({"name": [f"line{i}" for i in range(n_features)]}, geometry=lines, crs=4326)
        frame.to_file(path, engine="pyogrio")
    return n_features


def _write_parquet(path: Path, n_features: int, vertices: int, seed: int, chunk: int, box: tuple[float, float, float, float]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("name", pa.string()), ("geometry", pa.binary())])
    geo = {"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["LineString"]}}}
    schema = schema.with_metadata({b"geo": json.dumps(geo).encode()})
    with pq.ParquetWriter(path, schema) as writer:
        for i in range(0, n_features, chunk):
            n = min(chunk, n_features - i)
            lines = walks(n, vertices, seed=seed + i, box=box)
            table = pa.table({"name": [f"line{i + k}" for k in range(n)], "geometry": shapely.to_wkb(lines)}, schema=schema)
            writer.write_table(table)


def write_partitioned(folder: Path, n_segments: int, parts: int, *, vertices: int = 21, seed: int = 0) -> list[Path]:
    """A GeoParquet dataset: ``parts`` files of random walks in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    per = n_segments // parts
    paths = []
    for k in range(parts):
        path = folder / f"part-{k:04d}.parquet"
        _write_parquet(path, max(per // (vertices - 1), 1), vertices, seed + 1000 * k, 20_000, CASPIAN)
        paths.append(path)
    return paths
