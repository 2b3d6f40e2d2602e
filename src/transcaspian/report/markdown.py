"""Human-readable tables of the measurements and of the check.

:func:`summary_table` lists the measured lengths; the rest renders a
:class:`~transcaspian.claims.judge.CheckResult`: a fixed-width table, CSV, a stable
JSON document and the markdown report written to ``outputs/report.md``.
Every function returns text; writing it is the caller's business.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

import geopandas as gpd

from transcaspian.claims.judge import (
    DEFAULT_TOLERANCES,
    PART_WIDENING_PCT,
    RECORD_FIELDS,
    VERDICTS,
    Check,
    CheckResult,
    default_tolerance,
    failed_canonical,
)
from transcaspian.geo.geodesy import SPLIT_SPACING_KM
from transcaspian.network.records import Source
from transcaspian.values import SpreadsheetCsvWriter, clip, format_km, format_number, md_text, terminal_text
from transcaspian.values import md_code as _md_code


def summary_table(legs: gpd.GeoDataFrame, routes: gpd.GeoDataFrame) -> str:
    """Fixed-width table: layer, leg or route id, geodesic length in km.

    Returns
    -------
    str
        The table, one line per leg then per route, ending in a newline.
    """
    rows = [(r.layer, r.id, f"{r.length_km:,.1f}") for r in legs.itertuples()]
    rows += [(r.layer, f"route:{r.id}", f"{r.length_km:,.1f}") for r in routes.itertuples()]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(("layer", "leg", "km"))]
    lines = [f"{'layer':<{widths[0]}}  {'leg':<{widths[1]}}  {'km':>{widths[2]}}"]
    lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
    return "\n".join(lines) + "\n"


# --- the check: tables, machine-readable rows and the markdown report -------

_TABLE_HEAD = ("claim", "subject", "stated", "measured", "ratio", "verdict", "source")


def _measured_text(chk: Check) -> str:
    return "" if chk.measured_km is None else format_km(chk.measured_km)


def _ratio_text(chk: Check) -> str:
    return "" if chk.ratio is None else f"{chk.ratio:.3f}"


def _tolerance_text(chk: Check) -> str:
    """The tolerance applied and where it comes from: ``-10%/+5% (traced, part)``."""
    if chk.tolerance is None:
        return ""
    if chk.claim.tolerance is not None:
        return f"{chk.tolerance} (own)"
    part = ", part" if chk.claim.subject is not None and chk.claim.subject.is_part else ""
    return f"{chk.tolerance} ({chk.route_accuracy}{part})"


def _table_rows(result: CheckResult) -> list[tuple[str, ...]]:
    return [
        (c.claim.id, c.subject, c.claim.stated_text(), _measured_text(c), _ratio_text(c), c.verdict, c.claim.source)
        for c in result.checks
    ]


#: Widest subject shown in the people's table (the CSV and JSON keep it whole).
SUBJECT_WIDTH = 48


def check_table(result: CheckResult) -> str:
    """Fixed-width table, one row per length claim.

    Columns: claim id, subject (clipped to :data:`SUBJECT_WIDTH` characters),
    stated, measured, ratio (measured / stated), verdict, source id. Ends in a
    newline.
    """
    rows = [tuple(terminal_text(c) for c in (r[0], clip(r[1], SUBJECT_WIDTH), *r[2:])) for r in _table_rows(result)]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(_TABLE_HEAD)]
    right = {2, 3, 4}  # numbers align right

    def fmt(row: Sequence[str]) -> str:
        cells = [f"{v:>{w}}" if i in right else f"{v:<{w}}" for i, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    return "\n".join([fmt(_TABLE_HEAD), *(fmt(r) for r in rows)]) + "\n"


def checks_csv(result: CheckResult) -> str:
    """Every check as CSV, one row per length claim, columns :data:`RECORD_FIELDS`.

    Text cells that a spreadsheet would run as a formula (``=``, ``+``,
    ``-``, ``@``, tab, CR first) start with ``'`` (:func:`values.spreadsheet_text`);
    numbers are written as numbers.
    """
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(RECORD_FIELDS)
    for chk in result.checks:
        record = chk.as_record()
        writer.writerow([record.get(k) for k in RECORD_FIELDS])
    return buffer.getvalue()


#: Identifies the JSON document; bump ``version`` on any incompatible change.
JSON_FORMAT = {"format": "transcaspian-checks", "version": 1}


def checks_document(result: CheckResult) -> dict[str, Any]:
    """The check as one JSON-ready dict (what ``--format json`` prints).

    Keys: ``format``, ``version``, ``ok`` (every canonical claim consistent),
    ``exit_status``, ``counts`` (per verdict), ``failed_canonical`` (claim
    ids), ``checks`` (:meth:`Check.as_record` rows), ``spreads``
    (:meth:`Spread.as_record`), ``tolerances`` (the defaults, percent).
    """
    counts = {v: 0 for v in VERDICTS}
    for chk in result.checks:
        counts[chk.verdict] += 1
    return {
        **JSON_FORMAT,
        "ok": result.ok,
        "exit_status": 0 if result.ok else 1,
        "counts": counts,
        "failed_canonical": [c.claim.id for c in failed_canonical(result.checks)],
        "checks": [c.as_record() for c in result.checks],
        "spreads": [s.as_record() for s in result.spreads],
        "tolerances": {
            **{k: {"short_pct": t.short_pct, "long_pct": t.long_pct} for k, t in DEFAULT_TOLERANCES.items()},
            "part_widening_pct": PART_WIDENING_PCT,
        },
    }


def checks_json(result: CheckResult) -> str:
    """:func:`checks_document` serialised with sorted keys: stable byte for byte."""
    return json.dumps(checks_document(result), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _md_link(text: str, url: str) -> str:
    # Percent-encode whatever would end or break the link target or the table
    # row (spaces, parentheses, angle brackets, quotes, |, line breaks).
    safe = quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~")
    return f"[{md_text(text)}]({safe})" if url else md_text(text)


def _source_cell(chk_source: Source | None, sid: str) -> str:
    if chk_source is None:
        return _md_code(sid)
    return _md_link(chk_source.publisher + (f", {chk_source.date}" if chk_source.date else ""), chk_source.url)


def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def checks_markdown(result: CheckResult) -> str:
    """The check table in markdown, one row per length claim."""
    rows = [
        (
            _md_code(c.claim.id),
            _md_code(c.subject),
            md_text(c.claim.role),
            md_text(c.claim.stated_text()),
            md_text(_measured_text(c)),
            md_text(_ratio_text(c)),
            md_text(_tolerance_text(c)),
            f"**{c.verdict}**" if c.claim.role == "canonical" and c.verdict != "consistent" else c.verdict,
            _source_cell(c.source, c.claim.source),
        )
        for c in result.checks
    ]
    head = ("claim", "subject", "role", "stated", "measured", "ratio", "tolerance", "verdict", "source")
    return "\n".join(_md_table(head, rows)) + "\n"


def _verdict_summary(result: CheckResult) -> str:
    counts: dict[str, int] = {}
    for chk in result.checks:
        counts[chk.verdict] = counts.get(chk.verdict, 0) + 1
    return ", ".join(f"{counts[v]} {v}" for v in VERDICTS if v in counts) or "none"


def _method_lines() -> list[str]:
    tol_rows = []
    for accuracy, tol in DEFAULT_TOLERANCES.items():
        part = default_tolerance(accuracy, part=True)
        tol_rows.append((accuracy, str(tol), str(part)))
    tol_rows.append(("illustrative", "not checked", "not checked"))
    return [
        "## Method",
        "",
        "- **Lengths** are geodesic, on the WGS84 ellipsoid (`pyproj.Geod(ellps=\"WGS84\")`, GeographicLib), "
        "summed over every segment of the full-resolution line. Nothing is measured in projected or degree units.",
        "- **Whole lines**: a leg is the polyline through its places and waypoints; a route chains its legs end to end.",
        "- **Sections** between two places are cut at the places' own vertices: each place of a leg or route is a "
        "vertex of its line, and a section is the polyline from one place's vertex to the other's (the first time "
        "the line passes each). Nothing is interpolated, so a section's length is exactly the sum of its segments.",
        "- **Country parts** densify the line along the geodesic every "
        f"{SPLIT_SPACING_KM:g} km and intersect it with the Natural Earth 10m country polygons, as the "
        "`country_lengths_km` column does; a border generalised by about a kilometre moves a part by about that much.",
        "- **Impossible**: the stated length, even stretched by the long side of its tolerance, is shorter than "
        "the geodesic distance between the subject's own end points (summed over its pieces when it has several). "
        "No line joining them can be that short, whatever the trace looks like. The tolerance is allowed here "
        "because the end points are places with their own position error.",
        "- **Tolerances** are percentages of the stated figure, asymmetric on purpose. A trace through waypoints "
        "runs *short* of the real line (each chord is shorter than the bend it cuts), so the short side is wide; "
        "a trace *longer* than the stated figure can only come from a misplaced waypoint or a rounded figure, so the "
        "long side is narrow. A part of a line gets "
        f"{PART_WIDENING_PCT:g} points more on each side, because each cut end carries the position error of its "
        "place or border. A claim may state its own tolerance and say why.",
        "",
        *_md_table(("how the line was drawn", "whole line", "section or country part"), tol_rows),
        "",
        "- **Verdicts**: `consistent` inside the tolerance band (edges included); `trace_short` / `trace_long` "
        "below / above it; `impossible` as above; `not_checkable` for illustrative geometry, a network-wide figure "
        "no source breaks down, or a claim that says why it cannot be checked.",
        "- **Roles**: `canonical` is the figure the project holds the geometry to (one per subject; it is the "
        "`stated_length_km` on the map features); `variant` is another published figure for the same subject; "
        "`headline` is a figure as quoted in news or commentary. `transcaspian check` exits 0 when every canonical "
        "claim is consistent and 1 otherwise; variants and headlines never change the exit status.",
        "- **Ratio** is measured / stated, against the figure as quoted (the low end of a range).",
    ]


def report_markdown(result: CheckResult) -> str:
    """The readable report: verdicts, disagreements, other figures, method, sources.

    Deterministic: the same claims and geometry give the same bytes.
    """
    checks = result.checks
    canonical = [c for c in checks if c.claim.role == "canonical"]
    failed = failed_canonical(checks)
    subjects = {c.subject for c in checks}
    lines = [
        "# Published figures against the measured geometry",
        "",
        f"{len(checks)} length claims about {len(subjects)} subjects: {_verdict_summary(result)}.",
        f"Canonical claims: {len(canonical) - len(failed)} of {len(canonical)} consistent, so "
        f"`transcaspian check` exits {0 if result.ok else 1}.",
        "",
        "## Verdicts",
        "",
        checks_markdown(result).rstrip("\n"),
        "",
    ]
    own = [c for c in checks if c.claim.tolerance is not None]
    lines += [
        "The tolerance column says how the subject was drawn (traced or schematic; *part* for a section or a "
        "country part), which sets the default tolerance (see Method)"
        + (", or *own* for a tolerance the claim states itself:" if own else "; no claim states its own."),
        "",
    ]
    if own:
        lines += [f"- {_md_code(c.claim.id)}: {c.tolerance}, {md_text(c.claim.tolerance.basis)}" for c in own] + [""]
    off = [c for c in checks if c.verdict != "consistent"]
    if off:
        lines += ["### Why", ""]
        lines += [f"- {_md_code(c.claim.id)} ({c.claim.role}, {c.verdict}): {md_text(c.reason)}" for c in off]
        lines.append("")
    flagged = [c for c in checks if c.flag]
    if flagged:
        # whatever the verdict: a figure whose own parts miss it, or a misprint, is not a real figure
        lines += ["### Figures that contradict themselves", ""]
        lines += [f"- {_md_code(c.claim.id)} ({c.claim.role}, {c.verdict}): {md_text(c.flag)}" for c in flagged]
        lines.append("")
    if result.spreads:
        lines += ["## Where sources disagree", ""]
        for s in result.spreads:
            measured = "no measurement" if s.measured_km is None else f"measured {format_km(s.measured_km)}"
            lines += [
                f"### {_md_code(s.subject)}: {format_number(s.low_km)} to {format_number(s.high_km)} km "
                f"(spread {format_number(s.spread_km)} km, {s.spread_pct:.1f}%); {measured}",
                "",
            ]
            rows = [
                (
                    _md_code(c.claim.id),
                    md_text(c.claim.role),
                    md_text(c.claim.stated_text()),
                    md_text(_ratio_text(c)),
                    c.verdict,
                    _source_cell(c.source, c.claim.source),
                    md_text(c.claim.says),
                )
                for c in s.checks
            ]
            lines += _md_table(("claim", "role", "stated", "ratio", "verdict", "source", "what it says"), rows)
            supported = ", ".join(_md_code(i) for i in s.supported) or "none of them"
            # traces run short, so the nearest figure tends to be a smaller one: say so
            closest = f"; the figure nearest the measured length is {_md_code(s.closest)}" if s.closest else ""
            lines += ["", f"The measurement is consistent with {supported}{closest}.", ""]
    facts = result.register.facts()
    if facts:
        lines += [
            "## Other published figures",
            "",
            "Capacity, cost, throughput and dates, kept with their sources and shown beside the features. "
            "They are not held against geometry.",
            "",
        ]
        rows = [
            (
                _md_code(f.subject_key) or "(context)",
                _md_code(f.id),
                md_text(f.metric),
                md_text(f.stated_text()),
                _source_cell(result.register.sources.get(f.source), f.source),
                md_text(f.says + (f" (credited to {f.attributed_to})" if f.attributed_to else "")),
            )
            for f in facts
        ]
        lines += _md_table(("subject", "claim", "metric", "figure", "source", "what it says"), rows) + [""]
    lines += _method_lines() + [""]
    cited = sorted({c.source for c in result.register.claims})
    lines += ["## Sources", ""]
    for sid in cited:
        src = result.register.sources.get(sid)
        if src is None:
            continue
        date = f", {md_text(src.date)}" if src.date else ""
        lines.append(f"- {_md_code(sid)}: {md_text(src.publisher)}{date}, {_md_link(src.title, src.url)}")
    return "\n".join(lines) + "\n"
