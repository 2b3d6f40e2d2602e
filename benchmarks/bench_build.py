"""Benchmark `transcaspian build` against the floor: importing its libraries.

Both are run as fresh processes, alternately, several times, in the same run,
so machine load affects both alike; the figure that matters is the ratio of
the medians. Also printed: the median of each pair's own ratio (a floor run
and the build run right after it see the same load, where the load from a
shared machine's neighbours drifts), the ratio of the fastest runs, and the
CPU time (user + system, the build's second process included). The build
writes its maps in a second process (transcaspian.background), so on two
idle cores its wall time is less than its CPU time, and on a busy machine
the ratio grows.

The program freezes its objects before it exits (``transcaspian.cli.run``), so
the interpreter's last garbage collection does not scan what is about to be
freed; the floor's own exit still pays for that scan. So that the saving is
seen, not hidden in the ratio, the build is also timed through the click
command itself (``main``, as a test or a notebook runs it), which leaves the
collector alone: the ratio "without the exit freeze". Usage::

    python benchmarks/bench_build.py [--repeat 5] [--offline]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Exactly the libraries issue 13 names (click, numpy and pyogrio, which the build also
# imports, would raise the floor by about 8% and flatter the ratio).
FLOOR = "import geopandas, folium, pyproj, shapely"

CPU: list[float] = []


def timed(cmd: list[str]) -> float:
    """Wall time of one run; its CPU time (children included) goes to ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--offline", action="store_true", help="also inline assets (build --offline)")
    args = parser.parse_args()
    floor, build, unfrozen = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        options = ["build", "--out", str(Path(tmp) / "out")] + (["--offline"] if args.offline else [])
        cmd = [sys.executable, "-m", "transcaspian", *options]
        plain = [sys.executable, "-c", f"from transcaspian.cli import main; main({options!r}, prog_name='transcaspian')"]
        timed(cmd)  # warm the file cache and byte-code once
        floor_cpu, build_cpu = [], []
        for _ in range(args.repeat):
            floor.append(timed([sys.executable, "-c", FLOOR]))
            floor_cpu.append(CPU[-1])
            build.append(timed(cmd))
            build_cpu.append(CPU[-1])
            unfrozen.append(timed(plain))
    f, b = statistics.median(floor), statistics.median(build)
    fc, bc = statistics.median(floor_cpu), statistics.median(build_cpu)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"floor (import libraries): median {f:.3f} s over {len(floor)} runs (CPU {fc:.3f} s)")
    print(f"transcaspian build:       median {b:.3f} s over {len(build)} runs (CPU {bc:.3f} s)")
    paired = statistics.median(y / x for x, y in zip(floor, build))
    print(f"ratio build / floor:      {b / f:.2f} (median of each run's own ratio: {paired:.2f}; fastest runs: {min(build) / min(floor):.2f}; CPU time: {bc / fc:.2f})")
    u = statistics.median(unfrozen)
    paired_u = statistics.median(y / x for x, y in zip(floor, unfrozen))
    print(f"without the exit freeze:  median {u:.3f} s, ratio {u / f:.2f} (median of each run's own ratio: {paired_u:.2f})")
    print("runs (floor, build, without the exit freeze), s: " + ", ".join(f"({x:.2f}, {y:.2f}, {z:.2f})" for x, y, z in zip(floor, build, unfrozen)))


if __name__ == "__main__":
    main()
