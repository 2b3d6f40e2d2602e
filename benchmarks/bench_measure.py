"""Benchmark ``transcaspian measure`` against the floor, and its peak memory.

The floor is a bare :meth:`pyproj.Geod.inv` over the same vertex arrays (all
vertices of all features, consecutive pairs), the least work any geodesic
measure of the file must do. ``measure`` is timed from the file name to the
per-feature lengths: open, read in Arrow batches through GDAL, decode WKB,
measure, sum per feature, one row object per feature. Both are timed in the
same run, interleaved, best of ``--repeat``.

Peak memory is the resident set high-water mark (VmHWM, Linux) of a fresh
subprocess while it measures one file, and how far it rose above the resident
set before (after a warm-up on a tiny file); run for two file sizes, it shows
whether memory grows with the file.

The test files are generated into a temporary folder at run time (random
walks over the Caspian region, FlatGeobuf) and deleted afterwards.

Usage::

    python benchmarks/bench_measure.py [--segments 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

VERTICES_PER_FEATURE = 101  # 100 segments each


def make_file(path: Path, n_segments: int, seed: int = 0) -> np.ndarray:
    """Write ``n_segments`` segments as LineStrings to a FlatGeobuf file.

    Returns the (n, 2) vertex array, features one after another.
    """
    rng = np.random.default_rng(seed)
    n_features = n_segments // (VERTICES_PER_FEATURE - 1)
    start = rng.uniform([46.0, 37.0], [54.0, 46.0], size=(n_features, 1, 2))
    steps = rng.normal(0.0, 0.01, size=(n_features, VERTICES_PER_FEATURE - 1, 2))
    coords = np.concatenate([start, start + np.cumsum(steps, axis=1)], axis=1)
    lines = shapely.linestrings(coords)
    frame = gpd.GeoDataFrame({"name": [f"line{i}" for i in range(n_features)]}, geometry=lines, crs=4326)
    frame.to_file(path, driver="FlatGeobuf")
    return coords.reshape(-1, 2)


def floor_seconds(xy: np.ndarray) -> float:
    """One bare Geod.inv over every consecutive pair of the vertex arrays."""
    geod = Geod(ellps="WGS84")
    lon, lat = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    start = time.perf_counter()
    geod.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return time.perf_counter() - start


def measure_seconds(path: Path) -> tuple[float, float]:
    """Time transcaspian's measure of a file; return (seconds, total km)."""
    from transcaspian.userdata.measure_files import measure_rows
    from transcaspian.userdata.measuring import FileSummary
    from transcaspian.userdata.opening import open_vector

    start = time.perf_counter()
    source = open_vector(path)
    summary = FileSummary(source.name, source.layer, "")
    for _ in measure_rows(source, summary):
        pass
    return time.perf_counter() - start, summary.length_km


_MEMORY_PROBE = """
import json, sys
from transcaspian.userdata.measuring import FileSummary
from transcaspian.userdata.measure_files import measure_rows
from transcaspian.userdata.opening import open_vector

def status(key):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(key + ":"))

def run(path):
    source = open_vector(path)
    summary = FileSummary(source.name, source.layer, "")
    for _ in measure_rows(source, summary):
        pass
    return summary.length_km

run(sys.argv[1])  # warm up: libraries loaded, caches filled
if sys.argv[3] == "rss":
    baseline = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")  # reset the high-water mark (VmHWM) to the current RSS
    km = run(sys.argv[2])
    print(json.dumps({"baseline_kib": baseline, "peak_kib": status("VmHWM")}))
else:
    import tracemalloc
    tracemalloc.start()
    run(sys.argv[2])
    print(json.dumps({"traced_peak_kib": tracemalloc.get_traced_memory()[1] / 1024}))
"""


def peak_memory_mib(path: Path, warmup: Path) -> tuple[float, float, float]:
    """Memory of fresh processes measuring ``path``, MiB.

    Returns the peak resident set, how far it rose above the resident set
    before measuring, and the peak of Python and numpy allocations
    (tracemalloc, in a second process since tracing slows the run). Reads
    VmHWM from /proc (Linux): unlike ``ru_maxrss`` it is not inherited from
    the parent across fork and exec, and it can be reset after warm-up.
    """
    def probe(kind: str) -> dict:
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(warmup), str(path), kind], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    rss, traced = probe("rss"), probe("tracemalloc")
    return rss["peak_kib"] / 1024, (rss["peak_kib"] - rss["baseline_kib"]) / 1024, traced["traced_peak_kib"] / 1024


def cli_seconds(path: Path, out: Path) -> tuple[float, float]:
    """Wall time of the whole command in a fresh process, and of its start-up alone."""
    command = [sys.executable, "-m", "transcaspian", "measure"]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import transcaspian.cli, transcaspian.measurefile"], capture_output=True, check=True)
    startup = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([*command, str(path), "--format", "csv", "-o", str(out)], capture_output=True, check=True)
    return time.perf_counter() - start, startup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-ratio", type=float, default=None, help="exit 1 if measure/floor exceeds this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.fgb"
        big = Path(tmp) / "big.fgb"
        bigger = Path(tmp) / "bigger.fgb"
        make_file(small, 1000)
        xy = make_file(big, args.segments)
        floors, measures = [], []
        for _ in range(args.repeat):
            floors.append(floor_seconds(xy))
            seconds, km = measure_seconds(big)
            measures.append(seconds)
        floor, best = min(floors), min(measures)
        n_seg = len(xy) - 1
        print(f"file: {n_seg:,} vertex pairs ({args.segments:,} segments in {args.segments // (VERTICES_PER_FEATURE - 1):,} features), FlatGeobuf")
        print(f"floor  (bare Geod.inv):   {floor:.3f} s  ({floor / n_seg * 1e9:.0f} ns per pair)")
        print(f"measure (file -> rows):   {best:.3f} s  total {km:,.3f} km")
        ratio = best / floor
        print(f"ratio measure / floor:    {ratio:.2f}x  (best of {args.repeat})")
        whole, startup = min(cli_seconds(big, Path(tmp) / "out.csv") for _ in range(3))
        print(f"CLI, file -> CSV file:    {whole:.3f} s wall, of which {startup:.3f} s Python start-up and imports")
        make_file(bigger, 4 * args.segments, seed=1)
        for path, label in ((big, f"{args.segments:,} segments"), (bigger, f"{4 * args.segments:,} segments")):
            size = path.stat().st_size / 2**20
            peak, growth, traced = peak_memory_mib(path, small)
            print(
                f"memory, {label} ({size:.0f} MiB file): peak RSS {peak:.0f} MiB, {growth:.1f} MiB above the warmed-up "
                f"baseline; Python/numpy peak (tracemalloc) {traced:.1f} MiB"
            )
    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f"FAIL: ratio {ratio:.2f} > {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
