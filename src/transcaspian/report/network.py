"""Report sections about the network itself: how each place is verified, and what happened when.

Appended to ``report.md`` after the length checks: every place with its
source and independent references (and the distance to each), every leg's
status with the date it was confirmed and its source, and the dated history
of the legs (a timeline a map can be filtered by).
"""

from __future__ import annotations

from transcaspian.network.provenance import REFERENCE_LIMIT_KM
from transcaspian.network.records import Geodata
from transcaspian.report.markdown import _md_code, _md_link, _md_table, md_text


def _source_link(geodata: Geodata, sid: str) -> str:
    src = geodata.sources.get(sid)
    if src is None:
        return _md_code(sid)
    return _md_link(src.publisher + (f", {src.date}" if src.date else ""), src.url)


def places_markdown(geodata: Geodata) -> str:
    """``## Places and their references``: one row per reference of every place."""
    rows = []
    far = 0
    for p in geodata.places.values():
        for i, r in enumerate(p.references):
            far += r.distance_km > REFERENCE_LIMIT_KM
            rows.append(
                (
                    _md_code(p.id) if i == 0 else "",
                    f"{p.lat:.5f}, {p.lon:.5f}" if i == 0 else "",
                    md_text(r.kind) + ("" if r.independent else " (same data)"),
                    md_text(r.title),
                    f"{r.lat:.5f}, {r.lon:.5f}",
                    f"{r.distance_km:.2f}",
                    md_text(r.why),
                )
            )
    missing = [p.id for p in geodata.places.values() if not p.references]
    lines = [
        "## Places and their references",
        "",
        f"{len(geodata.places)} places, each with its own source (in the places layer) and independent references: "
        f"an OpenStreetMap node, a GeoNames or World Port Index record, or a published coordinate. Distances are "
        f"geodesic (WGS84). A place more than {REFERENCE_LIMIT_KM:g} km from a reference says why ({far} such "
        "references); *same data* marks a reference from the same dataset as the place's source, read from another "
        "file: a transcription check, not an independent survey.",
        "",
        *_md_table(("place", "lat, lon", "reference", "what", "its lat, lon", "km", "why"), rows),
        "",
    ]
    if missing:
        lines += ["Places without a reference: " + ", ".join(_md_code(m) for m in missing) + ".", ""]
    return "\n".join(lines) + "\n"


def status_markdown(geodata: Geodata) -> str:
    """``## Status and history``: each leg's status as of a date, then every dated event."""
    status_rows = [
        (
            _md_code(leg.id),
            md_text(leg.status),
            md_text(leg.status_as_of or "not dated"),
            _source_link(geodata, leg.status_source) if leg.status_source else "",
        )
        for leg in geodata.legs.values()
    ]
    events = sorted(
        ((e, leg.id) for leg in geodata.legs.values() for e in leg.events),
        key=lambda pair: (pair[0].date, pair[1]),
    )
    event_rows = [
        (md_text(e.date), _md_code(lid), md_text(e.kind.replace("_", " ")), md_text(e.what), _source_link(geodata, e.source))
        for e, lid in events
    ]
    return "\n".join(
        [
            "## Status and history",
            "",
            "Each leg's status, the date it was last confirmed and the source that confirms it.",
            "",
            *_md_table(("leg", "status", "as of", "source"), status_rows),
            "",
            "### Timeline",
            "",
            f"{len(event_rows)} dated events, oldest first (a date in the future is a planned completion). "
            "The same events are in the `events` property of each leg (GeoJSON) and in the GeoPackage table `events`.",
            "",
            *_md_table(("date", "leg", "event", "what", "source"), event_rows),
            "",
        ]
    ) + "\n"
