"""``measure`` at scale: --by-country against plain, --jobs N against --jobs 1, memory at 10^6 and 10^7.

Every comparison runs both commands as fresh processes, interleaved, in the
same run, so the load of a shared machine falls on both alike; the figures
that matter are the ratios of the medians:

- ``measure --by-country`` / ``measure`` on the same file (goal <= 3);
- ``measure --jobs N`` / ``measure --jobs 1`` on a 4M-segment file (goal
  <= 0.65 with 2 cores), and whether their outputs are byte-identical;
- peak resident memory (ru_maxrss of the command's process) at 10^6 and 10^7
  segments, and the throughput at 10^7 per core (segments per second with
  ``--jobs 1``).

Files are random walks over the Caspian region (benchmarks/synth.py), written
to a temporary folder and deleted afterwards. Usage::

    python benchmarks/bench_measure_scale.py [--segments 1000000] [--jobs-segments 4000000]
        [--memory 1000000,10000000] [--repeat 3] [--skip by-country,jobs,memory]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_walks  # noqa: E402

_RUN = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}))
"""


def run(args: list[str]) -> dict:
    """Wall time and peak RSS of one fresh ``transcaspian`` process."""
    out = subprocess.run([sys.executable, "-c", _RUN, sys.executable, "-m", "transcaspian", *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def compare(label_a: str, args_a: list[str], label_b: str, args_b: list[str], repeat: int) -> tuple[float, float]:
    """Medians of wall time; also prints the cores each kept busy (CPU time / wall time)."""
    a, b = [], []
    run(args_a)  # warm the file cache and byte code
    for _ in range(repeat):
        a.append(run(args_a))
        b.append(run(args_b))
    for label, runs in ((label_a, a), (label_b, b)):
        median = statistics.median(r["seconds"] for r in runs)
        cores = statistics.median(r["cpu"] / r["seconds"] for r in runs)
        listed = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"  {label:<34} median {median:7.3f} s, {cores:.2f} cores busy  (runs: {listed})")
    return statistics.median(r["seconds"] for r in a), statistics.median(r["seconds"] for r in b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--jobs-segments", type=int, default=4_000_000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--memory", default="1000000,10000000", help="segment counts to quote peak memory at")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: by-country, jobs, memory")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start (other work on the machine slows both sides of each ratio)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files: dict[int, Path] = {}

        def walks_file(n: int) -> Path:
            if n not in files:
                files[n] = folder / f"walks-{n}.fgb"
                start = time.perf_counter()
                write_walks(files[n], n, seed=n % 997)
                print(f"  (wrote {n:,} segments, {files[n].stat().st_size / 2**20:.0f} MiB FlatGeobuf, in {time.perf_counter() - start:.1f} s)")
            return files[n]

        if "by-country" not in skip:
            path = walks_file(args.segments)
            print(f"\n--by-country against plain measure, {args.segments:,} segments, --jobs 1:")
            base = ["measure", str(path), "--format", "csv", "--jobs", "1", "-o", str(folder / "plain.csv")]
            plain, split = compare("measure", base, "measure --by-country", [*base[:-1], str(folder / "split.csv"), "--by-country"], args.repeat)
            print(f"  ratio by-country / plain: {split / plain:.2f}  (goal <= 3)")

        if "jobs" not in skip:
            path = walks_file(args.jobs_segments)
            print(f"\n--jobs {args.jobs} against --jobs 1, {args.jobs_segments:,} segments:")
            one = ["measure", str(path), "--format", "csv", "--jobs", "1", "-o", str(folder / "one.csv")]
            many = ["measure", str(path), "--format", "csv", "--jobs", str(args.jobs), "-o", str(folder / "many.csv")]
            t1, tn = compare("measure --jobs 1", one, f"measure --jobs {args.jobs}", many, args.repeat)
            same = filecmp.cmp(folder / "one.csv", folder / "many.csv", shallow=False)
            print(f"  ratio jobs {args.jobs} / jobs 1: {tn / t1:.2f}  (goal <= 0.65); outputs byte-identical: {same}")
            if not same:
                return 1

        if "memory" not in skip:
            print("\npeak memory (RSS of the measure process) and throughput:")
            for n in (int(v) for v in args.memory.split(",")):
                path = walks_file(n)
                for jobs in (1, args.jobs):
                    result = run(["measure", str(path), "--format", "csv", "--jobs", str(jobs), "-o", str(folder / "mem.csv")])
                    rate = n / result["seconds"] / jobs
                    print(
                        f"  {n:>12,} segments ({path.stat().st_size / 2**20:5.0f} MiB file), --jobs {jobs}: peak RSS {result['peak_mib']:6.0f} MiB, "
                        f"{result['seconds']:6.2f} s, {rate / 1e6:.2f} M segments/s per core"
                    )
                    if jobs == args.jobs:
                        break
    return 0


if __name__ == "__main__":
    sys.exit(main())
