"""Reading a geodata folder: TOML files parsed into records, checked, and assembled into Geodata."""

from __future__ import annotations

import builtins
import hashlib
import math
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, overload

from transcaspian import tomltext
from transcaspian.errors import DataError
from transcaspian.network.provenance import (
    parse_events,
    parse_references,
    parse_status_as_of,
)
from transcaspian.network.records import (
    ID,
    ISO3,
    LAYERS,
    MODES,
    PLACE_KINDS,
    ROUTE_ACCURACIES,
    STATUSES,
    Geodata,
    Layer,
    Leg,
    PathLike,
    Place,
    Route,
    Source,
    Waypoint,
)


def default_geodata() -> Traversable:
    """Return the curated geodata shipped inside the package."""
    return files("transcaspian.geodata")


def _as_traversable(directory: PathLike | None) -> Traversable:
    if directory is None:
        return default_geodata()
    if isinstance(directory, str):
        directory = Path(directory)
    if isinstance(directory, Path) and not directory.is_dir():
        raise DataError(
            "is not a geodata directory; give a folder holding places/, layers/, routes.toml",
            file=str(directory),
        )
    return directory


def read_toml(node: Traversable, label: str, *, shipped: bool = False) -> dict[str, Any]:
    """Parse a TOML file; a DataError naming ``label`` if it cannot be read or parsed.

    ``shipped``: the file is the package's own (the curated geodata), which
    :func:`transcaspian.tomltext.loads_shipped` parses faster; never for a
    file a user gives.
    """
    try:
        text = node.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot be read ({exc.__class__.__name__}); check the file", file=label) from exc
    try:
        return tomltext.loads_shipped(text) if shipped else tomltext.loads(text)
    except tomltext.TOMLDecodeError as exc:
        raise DataError(f"is not valid TOML ({exc}); fix the syntax", file=label) from exc
    except RecursionError:
        raise DataError("nests arrays or tables thousands of levels deep, which no geodata or claims file does; fix the file", file=label) from None


class Record:
    """Typed access to one TOML table, with errors that name file and record.

    Used for every record of the geodata and of claims files
    (:mod:`transcaspian.claims`), so they all report errors alike:
    ``file: kind 'id': field 'name': what to fix``.

    Parameters
    ----------
    table : Any
        The parsed TOML table (anything else is an error).
    file : str
        The file it was read from, for messages.
    kind : str
        What the record is (``place``, ``leg``, ``claim`` ...).
    index : int
        Its 0-based position in the file, naming it when it has no id.
    """

    def __init__(self, table: Any, file: str, kind: str, index: int) -> None:
        if not isinstance(table, dict):
            raise DataError("is not a table; write it as [[...]]", file=file, record=f"{kind} #{index + 1}")
        self.table = table
        self.file = file
        rid = table.get("id")
        self.record = f"{kind} '{rid}'" if isinstance(rid, str) else f"{kind} #{index + 1}"

    def error(self, message: str, field_name: str | None = None) -> DataError:
        """A DataError naming this record's file, the record and ``field_name``."""
        return DataError(message, file=self.file, record=self.record, field=field_name)

    def str(self, name: str, *, required: bool = True, choices: tuple[str, ...] | None = None) -> str:
        """A text field: non-empty when required, one of ``choices`` when given; ``""`` when absent."""
        value = self.table.get(name)
        if value is None:
            if required:
                raise self.error("is missing; add it", name)
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(f"must be a non-empty string, got {value!r}", name)
        if choices is not None and value not in choices:
            raise self.error(f"is {value!r}; use one of {', '.join(choices)}", name)
        return value

    # Below `def str`, the name `str` in this class body is that method: annotations say builtins.str.
    def id(self) -> builtins.str:
        """The ``id`` field: lower-case letters, digits and ``_``, starting with a letter."""
        value = self.str("id")
        if not ID.match(value):
            raise self.error(f"{value!r} is not a valid id; use lower-case letters, digits and _", "id")
        return value

    @overload
    def number(self, name: builtins.str, *, required: Literal[True] = True, low: float | None = None, high: float | None = None) -> float: ...
    @overload
    def number(self, name: builtins.str, *, required: bool, low: float | None = None, high: float | None = None) -> float | None: ...
    def number(self, name: builtins.str, *, required: bool = True, low: float | None = None, high: float | None = None) -> float | None:
        """A finite number within ``[low, high]`` (in the field's own unit); None when absent."""
        value = self.table.get(name)
        if value is None:
            if required:
                raise self.error("is missing; add it", name)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(f"must be a finite number, got {value!r}", name)
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.error(f"{value} is out of range [{low}, {high}]", name)
        return float(value)

    def str_list(self, name: builtins.str) -> tuple[builtins.str, ...]:
        """A list of strings (empty when absent)."""
        value = self.table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error("must be a list of strings", name)
        return tuple(value)


def _or_default(value: float | None, default: float) -> float:
    # Not `value or default`: 0 is a value (no allowance), not a missing one.
    return default if value is None else value


def _parse_place(rec: Record) -> Place:
    lon = rec.number("lon", low=-180, high=180)
    lat = rec.number("lat", low=-90, high=90)
    country = rec.str("country")
    if not ISO3.match(country):
        raise rec.error(f"{country!r} is not an ISO 3166 alpha-3 code (e.g. AZE)", "country")
    return Place(
        id=rec.id(),
        name=rec.str("name"),
        kind=rec.str("kind", choices=PLACE_KINDS),
        country=country,
        lon=lon,
        lat=lat,
        source=rec.str("source"),
        references=parse_references(rec),
    )


def _parse_path(rec: Record) -> tuple[str | Waypoint, ...]:
    raw = rec.table.get("path")
    if not isinstance(raw, list) or len(raw) < 2:
        raise rec.error("must list at least two points (place ids or {name, lon, lat, basis})", "path")
    path: list[str | Waypoint] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            path.append(item)
            continue
        if not isinstance(item, dict):
            raise rec.error(f"point {i + 1} must be a place id or an inline table", "path")
        where = f"path point {i + 1}"
        lon, lat = item.get("lon"), item.get("lat")
        for axis, value, limit in (("lon", lon, 180), ("lat", lat, 90)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise rec.error(f"{where}: {axis} must be a finite number, got {value!r}", "path")
            if abs(value) > limit:
                raise rec.error(f"{where}: {axis} {value} is out of range [-{limit}, {limit}]", "path")
        name = item.get("name")
        basis = item.get("basis")
        if not isinstance(name, str) or not name.strip():
            raise rec.error(f"{where}: give the waypoint a name", "path")
        if not isinstance(basis, str) or not basis.strip():
            raise rec.error(f"{where} ({name}): record the basis of the waypoint", "path")
        path.append(Waypoint(name=name, lon=float(item["lon"]), lat=float(item["lat"]), basis=basis))
    for end, item in (("first", path[0]), ("last", path[-1])):
        if not isinstance(item, str):
            raise rec.error(f"the {end} point must be a place id so that legs chain exactly", "path")
    return tuple(path)


def _parse_leg(rec: Record, layer: str) -> Leg:
    return Leg(
        id=rec.id(),
        name=rec.str("name"),
        layer=layer,
        mode=rec.str("mode", choices=MODES),
        status=rec.str("status", choices=STATUSES),
        route_accuracy=rec.str("route_accuracy", choices=ROUTE_ACCURACIES),
        path=_parse_path(rec),
        operator=rec.str("operator", required=False),
        capacity=rec.str("capacity", required=False),
        capacity_mw=rec.number("capacity_mw", required=False, low=0),
        capacity_tbps=rec.number("capacity_tbps", required=False, low=0),
        sources=rec.str_list("sources"),
        notes=rec.str("notes", required=False),
        landfall_allowance_km=_or_default(rec.number("landfall_allowance_km", required=False, low=0, high=20), 5.0),
        status_as_of=parse_status_as_of(rec),
        status_source=rec.str("status_source", required=False),
        events=parse_events(rec),
    )


def _parse_route(rec: Record) -> Route:
    legs = rec.str_list("legs")
    if not legs:
        raise rec.error("must list at least one leg id", "legs")
    return Route(
        id=rec.id(),
        name=rec.str("name"),
        layer=rec.str("layer", choices=LAYERS),
        legs=legs,
        sources=rec.str_list("sources"),
        notes=rec.str("notes", required=False),
    )


def parse_source(rec: Record) -> Source:
    """A ``[[source]]`` record; its ``url`` must be http(s), so links stay links."""
    url = rec.str("url")
    if not url.startswith(("https://", "http://")):
        raise rec.error(f"{url!r} is not an http(s) URL", "url")
    return Source(
        id=rec.id(),
        publisher=rec.str("publisher"),
        title=rec.str("title"),
        url=url,
        date=rec.str("date", required=False),
    )


def _records(doc: dict[str, Any], key: str, file: str) -> list[Record]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise DataError(f"'{key}' must be an array of tables, written [[{key}]]", file=file)
    return [Record(t, file, key, i) for i, t in enumerate(items)]


def _toml_files(root: Traversable, sub: str) -> list[Traversable]:
    folder = root / sub
    if not folder.is_dir():
        raise DataError(f"has no {sub}/ folder; every geodata directory needs one", file=str(root))
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def load_sources(directory: PathLike | None = None) -> dict[str, Source]:
    """Read only the ``sources/`` records of a geodata directory.

    For checking a user's claims, which may cite the curated sources, without
    reading (or depending on) the curated places, legs and routes.

    Parameters
    ----------
    directory : str, Path or Traversable, optional
        The geodata directory; the curated copy shipped with the package when
        omitted.

    Returns
    -------
    dict of str to Source
        In file order.

    Raises
    ------
    DataError
        On a bad or duplicate source record.
    """
    sources: dict[str, Source] = {}
    for node in _toml_files(_as_traversable(directory), "sources"):
        label = f"sources/{node.name}"
        for rec in _records(read_toml(node, label, shipped=directory is None), "source", label):
            source = parse_source(rec)
            if source.id in sources:
                raise rec.error("duplicate id; ids must be unique", "id")
            sources[source.id] = source
    return sources


def load_geodata(directory: PathLike | None = None) -> Geodata:
    """Read and validate a geodata directory.

    Parameters
    ----------
    directory : str, Path or Traversable, optional
        The geodata directory; the curated copy shipped with the package when
        omitted.

    Returns
    -------
    Geodata
        Places, legs, routes, sources and layers, each a dict keyed by id in
        file order, and ``digest``, the SHA-256 of every file read.

    Raises
    ------
    DataError
        On the first bad record, naming the file, the record and the field.
    """
    root = _as_traversable(directory)
    digest = hashlib.sha256()
    docs: list[tuple[str, str, dict[str, Any]]] = []  # (kind, label, doc)

    def read(node: Traversable, kind: str, label: str) -> None:
        digest.update(label.encode() + b"\0" + node.read_bytes() + b"\0")
        docs.append((kind, label, read_toml(node, label, shipped=directory is None)))

    for node in _toml_files(root, "places"):
        read(node, "places", f"places/{node.name}")
    for node in _toml_files(root, "layers"):
        read(node, "layer", f"layers/{node.name}")
    for node in _toml_files(root, "sources"):
        read(node, "sources", f"sources/{node.name}")
    node = root / "routes.toml"
    if not node.is_file():
        raise DataError(f"is missing from the geodata directory {root}", file="routes.toml")
    read(node, "routes", "routes.toml")

    places: dict[str, Place] = {}
    legs: dict[str, Leg] = {}
    routes: dict[str, Route] = {}
    sources: dict[str, Source] = {}
    layers: dict[str, Layer] = {}
    seen: dict[str, str] = {}

    def add(table: dict[str, Any], obj: Any, rec: Record) -> None:
        if obj.id in seen:
            raise rec.error(f"duplicate id, already used in {seen[obj.id]}; ids must be unique", "id")
        seen[obj.id] = rec.file
        table[obj.id] = obj

    for kind, label, doc in docs:
        if kind == "places":
            for rec in _records(doc, "place", label):
                add(places, _parse_place(rec), rec)
        elif kind == "layer":
            layer_id = label.split("/")[-1].removesuffix(".toml")
            if layer_id not in LAYERS:
                raise DataError(f"unknown layer {layer_id!r}; name the file after one of {', '.join(LAYERS)}", file=label)
            head = Record({**doc, "id": layer_id}, label, "layer", 0)
            layers[layer_id] = Layer(layer_id, head.str("title"), head.str("description"))
            for rec in _records(doc, "leg", label):
                add(legs, _parse_leg(rec, layer_id), rec)
        elif kind == "sources":
            for rec in _records(doc, "source", label):
                add(sources, parse_source(rec), rec)
        else:
            for rec in _records(doc, "route", label):
                add(routes, _parse_route(rec), rec)

    _check_references(places, legs, routes, sources)
    layers = {k: layers[k] for k in LAYERS if k in layers}
    return Geodata(places, legs, routes, sources, layers, digest.hexdigest())


def _check_references(places: dict[str, Place], legs: dict[str, Leg], routes: dict[str, Route], sources: dict[str, Source]) -> None:
    """Every place, leg and source id that a record names must exist."""
    for leg in legs.values():
        where = dict(file=f"layers/{leg.layer}.toml", record=f"leg '{leg.id}'")
        for i, item in enumerate(leg.path):
            if isinstance(item, str) and item not in places:
                raise DataError(f"point {i + 1} names unknown place {item!r}; add it to places/ or fix the id", field="path", **where)
        for sid in leg.sources:
            if sid not in sources:
                raise DataError(f"unknown source {sid!r}; add it to a file in sources/", field="sources", **where)
        if leg.status_source and leg.status_source not in sources:
            raise DataError(f"unknown source {leg.status_source!r}; add it to a file in sources/", field="status_source", **where)
        for event in leg.events:
            if event.source not in sources:
                raise DataError(f"event of {event.date}: unknown source {event.source!r}; add it to a file in sources/", field="events", **where)
    for route in routes.values():
        where = dict(file="routes.toml", record=f"route '{route.id}'")
        for lid in route.legs:
            if lid not in legs:
                raise DataError(f"unknown leg {lid!r}; use a leg id from layers/", field="legs", **where)
        for sid in route.sources:
            if sid not in sources:
                raise DataError(f"unknown source {sid!r}; add it to a file in sources/", field="sources", **where)
