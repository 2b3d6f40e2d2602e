"""How each place is verified and what happened to each leg, when.

A place carries, beside its own source, one or more independent
:class:`Reference` points (an OpenStreetMap node, a GeoNames or World Port
Index record, a published coordinate) and the distance to each; a leg carries
its ``status`` as of a date, the source of that status, and a dated history
of :class:`Event` records, so a map can show the network at any date.

The parsers take a :class:`transcaspian.network.loading.Record` (any object
with ``table`` and ``error``) so that every error names file, record and field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

#: What happened to a leg, in the order a project goes through them.
EVENT_KINDS = (
    "proposed",
    "agreement_signed",
    "feasibility_study",
    "construction_started",
    "opened",
    "capacity_raised",
    "milestone",
    "planned_completion",
)
#: Kinds of the independent reference of a place.
REFERENCE_KINDS = ("osm_node", "geonames", "wpi", "operator_page", "published_coordinate", "wikipedia", "consistency")
#: A place further than this from a reference must say why (km).
REFERENCE_LIMIT_KM = 2.0
_FULL_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


class _Rec(Protocol):
    table: dict[str, Any]

    def error(self, message: str, field_name: str | None = None) -> Exception: ...


@dataclass(frozen=True)
class Reference:
    """An independent second reference for a place's coordinate.

    ``distance_km`` is the geodesic distance (WGS84, km) from the place to the
    reference point as recorded; ``tests/network/test_place_references.py``
    recomputes it. ``independent`` is False when the reference is the same
    dataset as the place's own source read from another file (a transcription
    check, not a survey). ``why`` says why a place lies more than
    :data:`REFERENCE_LIMIT_KM` from it.
    """

    kind: str
    title: str
    lat: float
    lon: float
    distance_km: float
    independent: bool
    id: str = ""
    why: str = ""

    def as_record(self) -> dict[str, Any]:
        """JSON-ready dict, keys in a fixed order."""
        return {
            "kind": self.kind, "id": self.id, "title": self.title, "lat": self.lat, "lon": self.lon,
            "distance_km": self.distance_km, "independent": self.independent, "why": self.why,
        }  # fmt: skip


@dataclass(frozen=True)
class Event:
    """A dated event in a leg's history: ``date`` ISO 8601 (possibly partial), one of :data:`EVENT_KINDS`."""

    date: str
    kind: str
    what: str
    source: str

    def as_record(self) -> dict[str, str]:
        """JSON-ready dict, keys in a fixed order."""
        return {"date": self.date, "kind": self.kind, "what": self.what, "source": self.source}


def _text(rec: _Rec, item: dict[str, Any], key: str, where: str, field: str, required: bool = True) -> str:
    value = item.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise rec.error(f"{where}: {key} must be non-empty text, got {value!r}", field)
    return value


def _number(rec: _Rec, item: dict[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise rec.error(f"{where}: {key} must be a number in [{low:g}, {high:g}], got {value!r}", "references")
    return float(value)


def _inline_tables(rec: _Rec, key: str, shape: str) -> list[dict[str, Any]]:
    raw = rec.table.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise rec.error(f"must be an array of inline tables {shape}", key)
    return raw


def parse_references(rec: _Rec) -> tuple[Reference, ...]:
    """The ``references`` array of a place (empty when absent)."""
    out = []
    for i, item in enumerate(_inline_tables(rec, "references", "{ kind, title, lat, lon, distance_km, independent }")):
        where = f"reference {i + 1}"
        kind = _text(rec, item, "kind", where, "references")
        if kind not in REFERENCE_KINDS:
            raise rec.error(f"{where}: kind {kind!r}; use one of {', '.join(REFERENCE_KINDS)}", "references")
        independent = item.get("independent")
        if not isinstance(independent, bool):
            raise rec.error(f"{where}: independent must be true or false", "references")
        ref = Reference(
            kind=kind,
            title=_text(rec, item, "title", where, "references"),
            lat=_number(rec, item, "lat", where, -90, 90),
            lon=_number(rec, item, "lon", where, -180, 180),
            distance_km=_number(rec, item, "distance_km", where, 0, 20000),
            independent=independent,
            id=_text(rec, item, "id", where, "references", required=False),
            why=_text(rec, item, "why", where, "references", required=False),
        )
        if ref.distance_km > REFERENCE_LIMIT_KM and not ref.why.strip():
            raise rec.error(f"{where}: the place is {ref.distance_km:g} km from it; say why in `why`", "references")
        out.append(ref)
    return tuple(out)


def parse_status_as_of(rec: _Rec) -> str:
    """``status_as_of``: the full ISO date the status was last confirmed ('' when absent)."""
    value = rec.table.get("status_as_of", "")
    if not isinstance(value, str) or (value and not _FULL_DATE.match(value)):
        raise rec.error(f"must be a date written YYYY-MM-DD, got {value!r}", "status_as_of")
    return value


def parse_events(rec: _Rec) -> tuple[Event, ...]:
    """The ``events`` array of a leg, in date order (empty when absent)."""
    out = []
    shape = '{ date = "2017-10-30", kind = "opened", what = "...", source = "..." }'
    for i, item in enumerate(_inline_tables(rec, "events", shape)):
        where = f"event {i + 1}"
        date = _text(rec, item, "date", where, "events")
        if not _PARTIAL_DATE.match(date):
            raise rec.error(f"{where}: date {date!r} is not ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)", "events")
        kind = _text(rec, item, "kind", where, "events")
        if kind not in EVENT_KINDS:
            raise rec.error(f"{where}: kind {kind!r}; use one of {', '.join(EVENT_KINDS)}", "events")
        out.append(Event(date, kind, _text(rec, item, "what", where, "events"), _text(rec, item, "source", where, "events")))
    # stable: same-day events keep their file order
    return tuple(sorted(out, key=lambda e: e.date))
