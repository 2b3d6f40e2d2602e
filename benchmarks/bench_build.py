"""Benchmark `transcaspian build` against the floor: importing its libraries.

Both are run as fresh processes, alternately, several times, in the same run,
so machine load affects both alike; the figure that matters is the ratio of
the medians. Usage::

    python benchmarks/bench_build.py [--repeat 5] [--offline]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = "import click, folium, geopandas, numpy, pyogrio, pyproj, shapely"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--offline", action="store_true", help="also inline assets (build --offline)")
    args = parser.parse_args()
    floor, build = [], []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "transcaspian", "build", "--out", str(Path(tmp) / "out")]
        if args.offline:
            cmd.append("--offline")
        timed(cmd)  # warm the file cache and byte-code once
        for _ in range(args.repeat):
            floor.append(timed([sys.executable, "-c", FLOOR]))
            build.append(timed(cmd))
    f, b = statistics.median(floor), statistics.median(build)
    print(f"floor (import libraries): median {f:.3f} s over {len(floor)} runs")
    print(f"transcaspian build:       median {b:.3f} s over {len(build)} runs")
    print(f"ratio build / floor:      {b / f:.2f}")


if __name__ == "__main__":
    main()
