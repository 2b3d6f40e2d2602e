"""Derive rail waypoints from a fetched OpenStreetMap railway export.

Reads the overpass-turbo export of Georgia's railways that the public
``georgian_railway_2025`` project ships as
``static/js/components/railway-network/railway-network-data.js`` (a GeoJSON
FeatureCollection of ``railway=rail`` ways behind a JavaScript ``export``),
builds a graph of the whole export on shared vertices, and traces each leg of
:data:`LEGS` as the shortest track path between its anchors (places of
``geodata/places`` or fixed track points). The path is thinned with
Douglas-Peucker to stay within ``--tolerance-m`` of the track (Lambert
conformal conic, standard parallels 37 and 41.5 N, as for every other traced
leg) and printed, or written into the leg's ``path`` with ``--write``.

The fetched file itself is not committed (give its path as the argument):
only the derived waypoints are, each naming its OSM way, under the ODbL
(© OpenStreetMap contributors).

Usage::

    git -C <mirror> show 4d2e52c:static/js/components/railway-network/railway-network-data.js > /tmp/ge.js
    python scripts/trace_osm_rail.py /tmp/ge.js --report
    python scripts/trace_osm_rail.py /tmp/ge.js --write

Why a hand-written Dijkstra: the graph has ~60,000 vertices and one query per
anchor pair; networkx is not a dependency of the project and heapq does it in
a few lines.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import re
import sys
import tomllib
from pathlib import Path

from pyproj import Geod, Transformer
from shapely.geometry import LineString

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parent.parent
LAYER = ROOT / "geodata" / "layers" / "middle_corridor.toml"
#: Export, commit and date of the data, quoted in every basis.
SOURCE = "georgian_railway_2025 overpass export of 2026-01-27 (commit 4d2e52c)"
LICENCE = "© OpenStreetMap contributors, ODbL 1.0"
#: Way ends closer than this to another way's vertex are joined: the export
#: holds ways that touch without sharing a node (bridges, yard throats).
JOIN_KM = 0.03
#: Gaps bridged on purpose, each with the reason (see geodata/README.md):
#: ``(lat, lon), (lat, lon), why``.
BRIDGES = [
    ((41.65543, 41.67408), (41.64761, 41.65869),
     "1.55 km between the end of the mapped main line at Batumi and the port tracks: no way in the export"),
]
#: A fixed track point: the OSM track's crossing of the Azerbaijan-Georgia border
#: (end node of the Gardabani-border way; data_audit.md 1.2).
BORDER_AZ_GE = (41.3902, 45.1803)

#: leg id -> anchors in order: place ids, or ("name", lat, lon) track points.
LEGS: dict[str, list[object]] = {
    "ge_boyuk_kesik_tbilisi": ["boyuk_kesik_border", "tbilisi"],
    "ge_tbilisi_marabda": ["tbilisi", "marabda"],
    "ge_marabda_akhalkalaki": ["marabda", "tetritskaro", "tsalka", "akhalkalaki"],
    "ge_tbilisi_samtredia": ["tbilisi", "khashuri", "samtredia"],
    "ge_samtredia_poti": ["samtredia", "poti_port"],
    "ge_samtredia_batumi": ["samtredia", "batumi_port"],
    "ge_tr_akhalkalaki_kars": ["akhalkalaki", "kartsakhi_station"],
}
#: legs whose path is only replaced up to this place (the rest is not in the export)
KEEP_AFTER = {"ge_tr_akhalkalaki_kars": "kartsakhi_station"}


def read_export(path: Path) -> list[dict]:
    """The GeoJSON features of the export (text after the first ``{``)."""
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text[text.index("{"):].rstrip().rstrip(";"))
    return [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in km between two (lat, lon) points."""
    return GEOD.inv(a[1], a[0], b[1], b[0])[2] / 1000.0


class Track:
    """The export as a graph: vertices keyed by (lat, lon) rounded to 1e-7 degrees."""

    def __init__(self, features: list[dict]) -> None:
        self.adj: dict[tuple[float, float], list[tuple[tuple[float, float], float, str]]] = {}
        self.ends: list[tuple[tuple[float, float], str]] = []
        for f in features:
            way = f["properties"]["@id"].split("/")[-1]
            pts = [(round(lat, 7), round(lon, 7)) for lon, lat in f["geometry"]["coordinates"]]
            for a, b in zip(pts, pts[1:]):
                self._edge(a, b, km(a, b), way)
            self.ends += [(pts[0], way), (pts[-1], way)]
        self._join_ends()
        for a, b, why in BRIDGES:
            self._edge(self.nearest(a), self.nearest(b), km(self.nearest(a), self.nearest(b)), f"bridge: {why}")

    def _edge(self, a, b, length, way) -> None:
        self.adj.setdefault(a, []).append((b, length, way))
        self.adj.setdefault(b, []).append((a, length, way))

    def _join_ends(self) -> None:
        # a coarse grid keeps the search local
        grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for v in self.adj:
            grid.setdefault((int(v[0] * 100), int(v[1] * 100)), []).append(v)
        for end, way in self.ends:
            gy, gx = int(end[0] * 100), int(end[1] * 100)
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for v in grid.get((gy + dy, gx + dx), []):
                        if v != end and v not in {n for n, _, _ in self.adj[end]}:
                            d = km(end, v)
                            if d <= JOIN_KM:
                                self._edge(end, v, d, f"join:{way}")

    def nearest(self, p: tuple[float, float]) -> tuple[float, float]:
        """The graph vertex nearest to ``p``."""
        return min(self.adj, key=lambda v: (v[0] - p[0]) ** 2 + ((v[1] - p[1]) * math.cos(math.radians(p[0]))) ** 2)

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[tuple[float, float], str]]:
        """Shortest track path from vertex a to vertex b: [(vertex, way of the edge into it)]."""
        dist = {a: 0.0}
        prev: dict[tuple[float, float], tuple[tuple[float, float], str]] = {}
        heap = [(0.0, a)]
        while heap:
            d, v = heapq.heappop(heap)
            if v == b:
                break
            if d > dist[v]:
                continue
            for n, length, way in self.adj[v]:
                nd = d + length
                if nd < dist.get(n, math.inf):
                    dist[n] = nd
                    prev[n] = (v, way)
                    heapq.heappush(heap, (nd, n))
        if b not in dist:
            raise SystemExit(f"no track path between {a} and {b}")
        out = [(b, prev[b][1] if b in prev else "")]
        while out[-1][0] != a:
            v = prev[out[-1][0]][0]
            out.append((v, prev[v][1] if v in prev else ""))
        return out[::-1]


def places() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for f in sorted((ROOT / "geodata" / "places").glob("*.toml")):
        for p in tomllib.loads(f.read_text(encoding="utf-8"))["place"]:
            found[p["id"]] = p
    return found


def thin(points: list[tuple[float, float]], tolerance_m: float) -> list[int]:
    """Indices kept by Douglas-Peucker in a Lambert conformal conic projection."""
    lcc = Transformer.from_crs("EPSG:4326", "+proj=lcc +lat_1=37 +lat_2=41.5 +lat_0=39 +lon_0=45 +ellps=WGS84", always_xy=True)
    xy = [lcc.transform(lon, lat) for lat, lon in points]
    kept = LineString(xy).simplify(tolerance_m, preserve_topology=False).coords
    keep = {tuple(map(float, c)) for c in kept}
    return [i for i, c in enumerate(xy) if (float(c[0]), float(c[1])) in keep]


def trace(track: Track, leg: str, known: dict[str, dict], tolerance_m: float) -> tuple[list[object], dict]:
    """The leg's new path (place ids and waypoint dicts) and its measures."""
    anchors = LEGS[leg]
    out: list[object] = []
    stats = {"km": 0.0, "links_km": []}
    for i, (a, b) in enumerate(zip(anchors, anchors[1:])):
        pa, pb = (known[x] for x in (a, b))
        va, vb = track.nearest((pa["lat"], pa["lon"])), track.nearest((pb["lat"], pb["lon"]))
        stats["links_km"].append((a, round(km((pa["lat"], pa["lon"]), va), 3)))
        steps = track.path(va, vb)
        pts = [v for v, _ in steps]
        chain = [0.0]
        for p, q in zip(pts, pts[1:]):
            chain.append(chain[-1] + km(p, q))
        keep = thin(pts, tolerance_m)
        if i == 0:
            out.append(a)
        for j in keep:
            v, way = steps[j]
            if j == 0 and km(v, (pa["lat"], pa["lon"])) < 0.005:
                continue
            if j == len(steps) - 1 and km(v, (pb["lat"], pb["lon"])) < 0.005:
                continue
            way = way or steps[min(j + 1, len(steps) - 1)][1]
            wid = way if re.fullmatch(r"\d+", way) else way.split(":")[-1]
            what = f"OSM way {wid}" if not way.startswith("bridge") else f"straight link ({way[8:]})"
            out.append({
                "name": f"{pa['name'].split(' (')[0]} → {pb['name'].split(' (')[0]}, track km {chain[j]:.1f}",
                "lon": round(v[1], 5), "lat": round(v[0], 5),
                "basis": f"vertex of {what} ({'railway=rail' if 'bridge' not in way else 'no way mapped'}) in the {SOURCE}, {LICENCE}; km {chain[j]:.1f} from {pa['name'].split(' (')[0]} along the track; thinned within {tolerance_m:g} m (confidence: high)",
            })
        out.append(b)
        stats["km"] += chain[-1]
        stats[f"{a}..{b}"] = round(chain[-1], 2)
    stats["links_km"].append((anchors[-1], round(km((known[anchors[-1]]["lat"], known[anchors[-1]]["lon"]), track.nearest((known[anchors[-1]]["lat"], known[anchors[-1]]["lon"]))), 3)))
    stats["km"] = round(stats["km"], 2)
    return out, stats


def toml_path(path: list[object]) -> str:
    lines = ["path = ["]
    for item in path:
        if isinstance(item, str):
            lines.append(f'  "{item}",')
        else:
            lines.append('  {{ name = {}, lon = {}, lat = {}, basis = {} }},'.format(
                json.dumps(item["name"], ensure_ascii=False), item["lon"], item["lat"], json.dumps(item["basis"], ensure_ascii=False)))
    lines.append("]")
    return "\n".join(lines)


def write_leg(layer: Path, leg: str, block: str) -> None:
    text = layer.read_text(encoding="utf-8")
    start = text.index(f'id = "{leg}"\n')
    p0 = text.index("\npath = [\n", start) + 1
    if leg in KEEP_AFTER:
        # replace up to and including the anchor; keep the rest of the path
        p1 = text.index(f'\n  "{KEEP_AFTER[leg]}",\n', p0) + len(f'\n  "{KEEP_AFTER[leg]}",\n')
        layer.write_text(text[:p0] + block.rsplit("\n]", 1)[0] + "\n" + text[p1:], encoding="utf-8")
        return
    p1 = text.index("\n]\n", p0) + 2
    layer.write_text(text[:p0] + block + text[p1:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", type=Path, help="railway-network-data.js of georgian_railway_2025")
    ap.add_argument("--leg", action="append", choices=sorted(LEGS), help="only these legs")
    ap.add_argument("--tolerance-m", type=float, default=25.0)
    ap.add_argument("--write", action="store_true", help=f"write the paths into {LAYER.relative_to(ROOT)}")
    ap.add_argument("--report", action="store_true", help="print lengths only")
    ap.add_argument("--point", nargs=2, type=float, action="append", metavar=("LAT", "LON"), help="print the nearest track vertex")
    args = ap.parse_args(argv)
    track = Track(read_export(args.export))
    for lat, lon in args.point or []:
        v = track.nearest((lat, lon))
        print(f"nearest track vertex to {lat},{lon}: {v} at {km(v, (lat, lon)):.3f} km; ways {sorted({w for _, _, w in track.adj[v]})}")
    known = places()
    for leg in args.leg or list(LEGS):
        path, stats = trace(track, leg, known, args.tolerance_m)
        print(f"{leg}: {stats['km']} km along the track, {sum(1 for p in path if not isinstance(p, str))} waypoints; {stats}", file=sys.stderr)
        if args.write:
            write_leg(LAYER, leg, toml_path(path))
        elif not args.report:
            print(toml_path(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
