"""Benchmark `check-text` against its floor: `check`, which measures and judges the same network.

check-text must read, build, measure and judge the curated network as `check`
does; what it adds is reading the article, finding and tying its figures and
rendering the report. Both run as fresh processes, alternately, in the same
run, so machine load affects both alike; the figure that matters is the ratio
of the medians. A second measure, in-process and warm (network measured once),
gives the text work alone per article and per 1,000 words. Usage::

    python benchmarks/bench_check_text.py [--repeat 5] [--article FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ARTICLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "caspian_links.md"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--article", type=Path, default=ARTICLE)
    args = parser.parse_args()
    floor_cmd = [sys.executable, "-m", "transcaspian", "check"]
    text_cmd = [sys.executable, "-m", "transcaspian", "check-text", str(args.article), "--format", "html"]
    timed(text_cmd)  # warm the file cache and byte-code once
    floor, text = [], []
    for _ in range(args.repeat):
        floor.append(timed(floor_cmd))
        text.append(timed(text_cmd))
    f, t = statistics.median(floor), statistics.median(text)
    print(f"check (floor)       median {f:6.2f} s over {args.repeat} runs")
    print(f"check-text --html   median {t:6.2f} s  ratio {t / f:.2f}")

    from transcaspian.textcheck.article import check_text
    from transcaspian.textcheck.page import text_html

    body = args.article.read_text(encoding="utf-8")
    words = len(body.split())
    check_text(body, name=str(args.article))  # measure the network once
    runs = []
    for _ in range(args.repeat * 4):
        start = time.perf_counter()
        text_html(check_text(body, name=str(args.article)))
        runs.append(time.perf_counter() - start)
    warm = statistics.median(runs)
    print(f"text work alone     median {warm * 1000:6.1f} ms per article of {words} words ({warm * 1000 / words * 1000:.0f} ms per 1,000 words)")


if __name__ == "__main__":
    main()
