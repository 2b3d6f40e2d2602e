"""The border grid: which segments may cross a border, and how far a geodesic bulges."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from transcaspian.geo.countrygrid import MAX_SAFE_DLON, POLAR_LAT, CountryGrid, geodesic_lat_margin_deg, split_paths_km

WGS84 = Geod(ellps="WGS84")


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(-170, 150),
    lat0=st.floats(-POLAR_LAT, POLAR_LAT),
    lat1=st.floats(-POLAR_LAT, POLAR_LAT),
    dlon=st.floats(0.0, MAX_SAFE_DLON),
)
def test_geodesic_lat_margin_deg__bounds_the_densified_geodesic(lon, lat0, lat1, dlon):
    # Every point the exact method would cut stays within the widened box.
    points = np.array(WGS84.npts(lon, lat0, lon + dlon, lat1, 200)).reshape(-1, 2)
    margin = geodesic_lat_margin_deg(np.array([dlon]))[0]
    assert points[:, 0].min() >= lon - 1e-9 and points[:, 0].max() <= lon + dlon + 1e-9
    assert points[:, 1].max() <= max(lat0, lat1) + margin
    assert points[:, 1].min() >= min(lat0, lat1) - margin


def _square_grid() -> CountryGrid:
    # Two countries side by side on land at 0..2 E, 0..1 N; the region 0..3 E, 0..2 N.
    west = shapely.box(0.0, 0.0, 1.0, 1.0)
    east = shapely.box(1.0, 0.0, 2.0, 1.0)
    return CountryGrid(["AAA", "BBB"], [west, east], (0.0, 0.0, 3.0, 2.0), sea="sea", outside="outside")


def _split(grid: CountryGrid, coords: list[tuple[float, float]]) -> dict[str, float]:
    xy = np.asarray(coords, dtype=float)
    dist = np.append(WGS84.line_lengths(xy[:, 0], xy[:, 1]), 0.0)
    row = split_paths_km(grid, xy[:, 0], xy[:, 1], np.zeros(len(xy), dtype=int), np.zeros(1, dtype=int), dist, 1)[0]
    return {k: v for k, v in zip(grid.keys, row) if v > 1e-9}


def test_classify__segments_far_from_borders_are_not_cut():
    grid = _square_grid()
    x0, y0, x1, y1 = (np.array(v) for v in ([0.2, 1.2, 2.5, 0.5, 5.0], [0.5, 0.5, 1.5, 0.5, 5.0], [0.3, 1.3, 2.6, 1.5, 6.0], [0.5, 0.5, 1.5, 0.5, 6.0]))
    keys = grid.classify(x0, y0, x1, y1)
    assert [grid.keys[k] if k >= 0 else None for k in keys] == ["AAA", "BBB", "sea", None, "outside"]


def test_split_paths_km__crossing_line_adds_up_by_side():
    grid = _square_grid()
    split = _split(grid, [(0.5, 0.5), (1.5, 0.5), (2.5, 0.5), (3.5, 0.5)])
    whole = WGS84.line_length([0.5, 1.5, 2.5, 3.5], [0.5] * 4) / 1000
    assert set(split) == {"AAA", "BBB", "sea", "outside"}
    assert abs(sum(split.values()) - whole) < 1e-6
    # The border at 1 E halves the first segment, the coast at 2 E the second.
    assert abs(split["AAA"] - WGS84.line_length([0.5, 1.0], [0.5, 0.5]) / 1000) < 0.01
    assert abs(split["outside"] - WGS84.line_length([3.0, 3.5], [0.5, 0.5]) / 1000) < 0.01


def test_split_paths_km__line_along_a_meridian_is_counted_once():
    # Straight north-south lines are common in real data; tile edges must not double them.
    grid = _square_grid()
    for lon in (0.5, 1.0 + 1e-9, 1.5, 0.25):
        split = _split(grid, [(lon, 0.1), (lon, 0.9)])
        assert abs(sum(split.values()) - WGS84.line_length([lon, lon], [0.1, 0.9]) / 1000) < 1e-6


# -- threads ------------------------------------------------------------------------

_STRESS = """
import sys, threading
import numpy as np, shapely
from pyproj import Geod
from transcaspian.geo.countries import SEA
from transcaspian.geo.countrygrid import CountryGrid, split_paths_km
from transcaspian.userdata.measuring import _shipped_index

index, region = _shipped_index()
rng = np.random.default_rng(3)
start = rng.uniform([46.0, 37.0], [54.0, 46.0], size=(200, 1, 2))
lines = shapely.linestrings(np.concatenate([start, start + np.cumsum(rng.normal(0.0, 0.05, (200, 59, 2)), axis=1)], axis=1))
xy, path = shapely.get_coordinates(lines, return_index=True)
dist = np.append(Geod(ellps="WGS84").line_lengths(xy[:, 0], xy[:, 1]), 0.0)

def split(grid):
    return split_paths_km(grid, xy[:, 0], xy[:, 1], path, np.arange(len(lines)), dist, len(lines))

alone = split(CountryGrid(index.codes, index.polygons, region, sea=SEA, outside="outside_region"))
for _ in range(3):
    # A fresh grid each round: nothing prepared or tiled yet, every thread meets the same borders at once.
    grid = CountryGrid(index.codes, index.polygons, region, sea=SEA, outside="outside_region")
    results = [None] * THREADS
    barrier = threading.Barrier(THREADS)
    def run(k):
        barrier.wait()
        results[k] = split(grid)
    threads = [threading.Thread(target=run, args=(k,)) for k in range(THREADS)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert all(np.array_equal(r, alone) for r in results), "a thread's split differs from the split made alone"
print("ok", int(((alone > 0).sum(axis=1) >= 2).sum()))  # features cut at a border or coast
"""


def test_split_paths_km__many_threads_on_one_grid_neither_crash_nor_differ():
    # Threads sharing lazily built GEOS prepared geometries crashed the process (measure
    # --jobs 2 --by-country); run in a child process, so a crash fails this test, not the run.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _STRESS.replace("THREADS", "8")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    crossings = int(done.stdout.split()[1])
    assert crossings > 50  # many walks cross a border or coast: the test exercises the cut


def test_country_grid__each_thread_queries_its_own_prepared_copies():
    import threading

    grid = _square_grid()
    here = _split(grid, [(0.5, 0.5), (1.5, 0.5), (2.5, 0.5)])
    mine = grid.prepared()
    other: list = []
    thread = threading.Thread(target=lambda: other.append((grid.prepared(), grid.prepared().parts, _split(grid, [(0.5, 0.5), (1.5, 0.5), (2.5, 0.5)]))))
    thread.start()
    thread.join()
    _, their_parts, there = other[0]
    assert their_parts is not mine.parts and not any(a is b for a, b in zip(their_parts, mine.parts))
    assert all(shapely.is_prepared(their_parts)) and not any(shapely.is_prepared(grid.parts))  # the shared ones stay unprepared
    assert list(shapely.to_wkb(their_parts)) == list(shapely.to_wkb(grid.parts))  # copies bit for bit
    assert there == here
