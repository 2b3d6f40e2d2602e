"""The gazetteer: how texts name the lines, places, countries and parts of the curated data.

Built from ``data/gazetteer.toml`` (names and spellings in five languages,
extendable by curators) and the curated geodata itself: every leg and route
is a system that can be tied to, named by its own name too, and every place
id named in the file must exist in the data. :meth:`Gazetteer.mentions` finds
every name in a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from transcaspian import tomltext
from transcaspian.errors import DataError

_DASHES = r"[\s\-–—‐‑]+"
_FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class System:
    """Something a length can be about: a leg, a route, a layer, or a sum of legs.

    Attributes
    ----------
    id : str
        Its gazetteer id.
    subject : tuple of str
        The leg, route or layer id (one), or the leg ids summed (several).
    kinds, regions : tuple of str
        Category and region ids it belongs to.
    parts : mapping
        Part id (``subsea``, ``land``) to the leg ids that part is.
    lines : frozenset of str
        Every leg and route id it covers (for place pairs).
    places : tuple of str
        Place ids along it, in order (empty for a layer or a sum of legs).
    name : str
        Its name in the curated data, for people.
    """

    id: str
    subject: tuple[str, ...]
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lines: frozenset[str] = frozenset()
    places: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Mention:
    """A name found in the text: ``kind`` is system, category, region, place, country or part."""

    kind: str
    key: str
    start: int
    end: int


@dataclass(frozen=True)
class Gazetteer:
    """Names of systems, categories, regions, places, countries and parts, compiled."""

    systems: Mapping[str, System]
    category_default: Mapping[str, str]
    place_groups: Mapping[str, tuple[str, ...]]
    place_countries: Mapping[str, str]
    layers: frozenset[str]
    matchers: tuple[tuple[str, str, re.Pattern[str]], ...]

    def mentions(self, text: str) -> list[Mention]:
        """Every name in ``text``, in order; names inside a longer one are dropped.

        "Baku" inside "Baku–Tbilisi–Ceyhan" names the pipeline, not the city;
        "cable" inside "Black Sea cable" is part of the system's name.
        """
        found = [Mention(kind, key, m.start(), m.end()) for kind, key, pattern in self.matchers for m in pattern.finditer(text)]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for m in sorted(found, key=lambda m: -(m.end - m.start)):
            # a part word ("submarine" in "Black Sea submarine cable") says which part, whatever contains it
            if m.kind == "part" or not any(k.start <= m.start and m.end <= k.end and (k.end - k.start) > (m.end - m.start) for k in kept):
                kept.append(m)
        return sorted(set(kept), key=lambda m: (m.start, m.end, m.kind, m.key))

    def systems_of_kind(self, kind: str) -> list[str]:
        """Ids of the systems in a category."""
        return [s.id for s in self.systems.values() if kind in s.kinds]

    def systems_in_region(self, region: str) -> list[str]:
        """Ids of the systems in a region."""
        return [s.id for s in self.systems.values() if region in s.regions]


def name_pattern(name: str) -> str:
    """A regex matching a literal name at a word start, any dash for any dash, with an ending.

    Examples
    --------
    >>> bool(re.search(name_pattern("Baku–Tbilisi–Ceyhan"), "the Baku-Tbilisi-Ceyhan line", re.I))
    True
    """
    parts = [re.escape(p) for p in re.split(_DASHES, name.strip()) if p]
    body = _DASHES.join(parts)
    tail = r"[\w’']*" if len(name) >= 4 else ""
    return rf"(?<![\w]){body}{tail}(?!\w)"


def _read(extra: str | Path | None) -> list[dict[str, Any]]:
    docs = [tomltext.loads_shipped(resources.files("transcaspian.textcheck").joinpath("data").joinpath("gazetteer.toml").read_text(encoding="utf-8"))]
    if extra is not None:
        try:
            docs.append(tomltext.loads(Path(extra).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            raise DataError(f"cannot be read ({error.__class__.__name__}); check the path", file=str(extra)) from None
        except tomltext.TOMLDecodeError as error:
            raise DataError(f"is not valid TOML: {error}", file=str(extra)) from None
    return docs


def build_gazetteer(
    lines: Mapping[str, tuple[str, ...]],
    routes: Mapping[str, tuple[str, ...]],
    layers: Iterable[str],
    names: Mapping[str, str],
    place_countries: Mapping[str, str],
    extra: str | Path | None = None,
) -> Gazetteer:
    """Compile the gazetteer for a set of curated lines.

    Parameters
    ----------
    lines : mapping
        Leg and route ids to the place ids along them, in order.
    routes : mapping
        Route ids to their leg ids.
    layers : iterable of str
        Layer ids (subjects of network-wide figures).
    names : mapping
        Leg, route and layer ids to their names.
    place_countries : mapping
        Place id to ISO alpha-3 code.
    extra : path, optional
        A curator's gazetteer file, added to the shipped one.

    Raises
    ------
    DataError
        When an entry names a line or place the data does not have, or a pattern is bad.
    """
    docs = _read(extra)
    label = str(extra) if extra is not None else "gazetteer.toml"
    layers = frozenset(layers)
    systems: dict[str, System] = {}
    matchers: list[tuple[str, str, re.Pattern[str]]] = []
    defaults: dict[str, str] = {}
    groups: dict[str, tuple[str, ...]] = {}

    def covered(subject: tuple[str, ...]) -> frozenset[str]:
        out = set(subject)
        for sid in subject:
            out.update(routes.get(sid, ()))
        return frozenset(out - layers)

    def add(kind: str, key: str, regexes: Iterable[str]) -> None:
        for rx in regexes:
            try:
                matchers.append((kind, key, re.compile(rx, _FLAGS)))
            except re.error as error:
                raise DataError(f"{kind} '{key}': bad pattern {rx!r} ({error})", file=label) from None

    # every curated leg and route is a system; those no curated system covers are also named by
    # their own name ("Baku–Alat railway"), unless it is a compound title ("Middle Corridor: ...")
    curated = {i for doc in docs for t in doc.get("system", []) for i in ([t["subject"]] if isinstance(t["subject"], str) else t["subject"])}
    curated |= {i for doc in docs for t in doc.get("system", []) for v in t.get("parts", {}).values() for i in ([v] if isinstance(v, str) else v)}
    for lid, places in lines.items():
        systems[lid] = System(lid, (lid,), lines=covered((lid,)), places=tuple(places), name=names.get(lid, lid))
        short = re.split(r"\s+\(", names.get(lid, ""))[0].strip()
        if lid not in curated and ":" not in short and len(short) >= 8:
            add("system", lid, [name_pattern(short)])
    for doc in docs:
        for table in doc.get("system", []):
            sid = table["id"]
            raw = table["subject"]
            subject = (raw,) if isinstance(raw, str) else tuple(raw)
            unknown = [s for s in subject if s not in lines and s not in layers]
            if unknown:
                raise DataError(f"system '{sid}': subject {unknown[0]!r} is not a leg, route or layer of the data", file=label)
            parts = {k: ((v,) if isinstance(v, str) else tuple(v)) for k, v in table.get("parts", {}).items()}
            one = subject[0] if len(subject) == 1 else ""
            systems[sid] = System(
                sid, subject, tuple(table.get("kinds", ())), tuple(table.get("regions", ())), parts, covered(subject),
                tuple(lines.get(one, ())), names.get(one, "") or " + ".join(names.get(s, s) for s in subject),
            )
            add("system", sid, [name_pattern(n) for n in table.get("names", [])])
        for table in doc.get("category", []):
            add("category", table["id"], [name_pattern(w) for w in table.get("words", [])])
            if table.get("default"):
                defaults[table["id"]] = table["default"]
        for table in doc.get("region", []):
            add("region", table["id"], [rf"(?<!\w){w}" for w in table.get("words", [])])
        for table in doc.get("place", []):
            key = table["names"][0]
            missing = [p for p in table["places"] if p not in place_countries]
            if missing:
                raise DataError(f"place '{key}': {missing[0]!r} is not a place id of the data", file=label)
            groups[key] = tuple(dict.fromkeys(groups.get(key, ()) + tuple(table["places"])))
            add("place", key, [name_pattern(n) for n in table["names"]])
        for table in doc.get("country", []):
            add("country", table["code"], [rf"(?<!\w){p}(?!\w)" for p in table.get("phrases", [])])
            add("country_name", table["code"], [name_pattern(n) for n in table.get("names", [])])
        for table in doc.get("part", []):
            add("part", table["id"], [rf"(?<!\w){w}(?!\w)" for w in table.get("words", [])])
    for cat, sid in defaults.items():
        if sid not in systems:
            raise DataError(f"category '{cat}': default {sid!r} is not a system", file=label)
    return Gazetteer(systems, defaults, groups, dict(place_countries), layers, tuple(matchers))
