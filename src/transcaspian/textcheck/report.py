"""The checked article as a table, JSON, Markdown, or claim records (``--save-claims``).

Every function returns text. JSON keys and order are fixed (see
:data:`FIGURE_FIELDS` and :data:`OTHER_FIELDS`) and sorted on output, so the
same article gives the same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from transcaspian.textcheck.article import TextResult
from transcaspian.textcheck.figures import Figure
from transcaspian.textcheck.verdicts import ComparedFigure, JudgedFigure
from transcaspian.values import clip, md_code, md_text

#: Keys of each length figure in ``--format json`` (the issue's schema).
FIGURE_FIELDS = (
    "text", "start", "end", "sentence", "value", "value_max", "unit", "stated_km", "qualifier", "language",
    "subject", "subject_name", "measured_km", "ratio", "verdict", "reason", "register_claim",
)  # fmt: skip
#: Keys of each other figure (money, tonnes, Tbps, GW, days, years, %).
OTHER_FIELDS = (
    "text", "start", "end", "sentence", "value", "unit", "kind", "base_unit", "base_value", "qualifier", "language",
    "subject", "subject_name", "comparison", "register_claim", "register_value",
)  # fmt: skip


def _num(v: float | None) -> float | int | None:
    if v is None or not math.isfinite(v):
        return None
    return int(v) if float(v).is_integer() else round(v, 6)


def _where_and_value(result: TextResult, fig: Figure) -> dict[str, Any]:
    """The keys every figure record starts with: its text, where it stands, its sentence and value."""
    return {"text": fig.text, "start": fig.start, "end": fig.end, "sentence": result.sentence_text(fig.sentence), "value": _num(fig.value)}


def figure_record(result: TextResult, f: JudgedFigure) -> dict[str, Any]:
    """One length figure as a JSON-ready dict with the keys of :data:`FIGURE_FIELDS`."""
    fig = f.figure
    chk = f.check
    return {
        **_where_and_value(result, fig),
        "value_max": _num(fig.value_max),
        "unit": fig.unit,
        "stated_km": None if fig.stated_km is None else round(fig.stated_km, 3),
        "qualifier": fig.qualifier,
        "language": fig.language,
        "subject": f.tie.subject.key if f.tie.subject else None,
        "subject_name": f.subject_name or None,
        "measured_km": None if chk is None or chk.measured_km is None else round(chk.measured_km, 3),
        "ratio": None if chk is None or chk.ratio is None else round(chk.ratio, 4),
        "verdict": f.verdict,
        "reason": f.reason,
        "register_claim": f.register_claim.id if f.register_claim else None,
    }


def other_record(result: TextResult, o: ComparedFigure) -> dict[str, Any]:
    """One other figure as a JSON-ready dict with the keys of :data:`OTHER_FIELDS`."""
    fig = o.figure
    claim = o.register_claim
    return {
        **_where_and_value(result, fig),
        "unit": fig.unit,
        "kind": fig.kind,
        "base_unit": fig.base,
        "base_value": _num(fig.base_value),
        "qualifier": fig.qualifier,
        "language": fig.language,
        "subject": o.tie.subject.key if o.tie.subject else None,
        "subject_name": o.subject_name or None,
        "comparison": o.comparison,
        "register_claim": claim.id if claim else None,
        "register_value": None if claim is None else f"{claim.stated_text()} ({claim.metric})",
    }


def text_json(result: TextResult) -> str:
    """``--format json``: ``{"figures": [...], "other_figures": [...]}``, keys sorted."""
    doc = {
        "figures": [figure_record(result, f) for f in result.figures],
        "other_figures": [other_record(result, o) for o in result.others],
    }
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _stated(f: JudgedFigure) -> str:
    fig = f.figure
    if fig.value_max is not None:
        text = f"{fig.value:,.10g}–{fig.value_max:,.10g} {fig.unit}"
    else:
        text = {"over": ">", "under": "≤"}.get(fig.qualifier, "") + f"{fig.value:,.10g} {fig.unit}"
    if fig.unit != "km" and fig.stated_km is not None:
        text += f" ({fig.stated_km:,.1f} km)"
    return text


def _fixed(head: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(f"{v:>{w}}" if i in right else f"{v:<{w}}" for i, (v, w) in enumerate(zip(row, widths))).rstrip()

    return [fmt(head), *(fmt(r) for r in rows)]


def _rows(result: TextResult) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for i, f in enumerate(result.figures, 1):
        chk = f.check
        rows.append((
            str(i), f.figure.text, f.tie.subject.key if f.tie.subject else "—", _stated(f),
            "" if chk is None or chk.measured_km is None else f"{chk.measured_km:,.1f} km",
            "" if chk is None or chk.ratio is None else f"{chk.ratio:.3f}",
            f.verdict, f.register_claim.id if f.register_claim else "new",
        ))  # fmt: skip
    return rows


def _other_rows(result: TextResult) -> list[tuple[str, ...]]:
    return [
        (o.figure.text, o.figure.kind, o.tie.subject.key if o.tie.subject else "—", o.comparison, o.register_claim.id if o.register_claim else "")
        for o in result.others
    ]


_HEAD = ("#", "figure", "subject", "stated", "measured", "ratio", "verdict", "register")
_OTHER_HEAD = ("figure", "kind", "subject", "register", "claim")


def summary(result: TextResult) -> str:
    """One line: how many figures, and how many are consistent, failed or without a subject."""
    tied = [f for f in result.figures if f.counts]
    bad = [f for f in tied if f.verdict != "consistent"]
    free = len(result.figures) - len(tied)
    return (
        f"{len(result.figures)} length figure(s): {len(tied) - len(bad)} consistent, {len(bad)} not consistent, "
        f"{free} without a subject; {len(result.others)} other figure(s)"
    )


def text_table(result: TextResult) -> str:
    """``--format table``: length figures, then other figures, then a summary line."""
    rows = [tuple(clip(c, 40) for c in r) for r in _rows(result)]
    lines = _fixed(_HEAD, rows, {0, 4, 5})
    for i, f in enumerate(result.figures, 1):
        if f.verdict != "consistent":
            lines.append(f"  {i}: {clip(f.reason, 200)}")
    if result.others:
        lines += ["", "other figures (not lengths)"]
        lines += _fixed(_OTHER_HEAD, [tuple(clip(c, 40) for c in r) for r in _other_rows(result)], set())
    lines += ["", summary(result)]
    return "\n".join(lines) + "\n"


def text_markdown(result: TextResult) -> str:
    """``--format markdown``: the same tables in Markdown, every cell escaped."""
    out = [f"# Figures in {md_text(result.name)}", "", md_text(summary(result)), "", "## Lengths", ""]
    out.append("| " + " | ".join(_HEAD + ("reason",)) + " |")
    out.append("|" + "|".join("---" for _ in range(len(_HEAD) + 1)) + "|")
    for f, row in zip(result.figures, _rows(result)):
        cells = [md_text(c) for c in row]
        cells[2] = md_code(row[2]) if f.tie.subject else "—"
        out.append("| " + " | ".join([*cells, md_text(f.reason)]) + " |")
    if result.others:
        out += ["", "## Other figures", "", "| " + " | ".join(_OTHER_HEAD) + " |", "|" + "|".join("---" for _ in _OTHER_HEAD) + "|"]
        out += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in _other_rows(result)]
    return "\n".join(out) + "\n"


def _toml_str(value: str) -> str:
    # a JSON string is a valid TOML basic string (same escapes; control characters as \uXXXX)
    return json.dumps(value, ensure_ascii=False)


def claims_toml(result: TextResult, url: str, publisher: str = "", title: str = "", date: str = "") -> str:
    """``--save-claims``: every length figure with a subject as a claim record, the article as source.

    The file has the register's format (``[[source]]`` then ``[[claim]]``):
    role ``headline``, ``says`` the sentence, ``notes`` how it was found.
    """
    host = urlparse(url).hostname or "unknown"
    title = title or clip(result.sentence_text(0), 120) if result.sentences else title
    lines = [
        "# Claims found by `transcaspian check-text` in " + " ".join(result.name.split()),
        "# Review each subject and figure before adding them to geodata/claims.toml.",
        "",
        "[[source]]",
        f"id = {_toml_str(result.source_id)}",
        f"publisher = {_toml_str(publisher or host)}",
        f"title = {_toml_str(title or host)}",
        f"url = {_toml_str(url)}",
        f"date = {_toml_str(date)}",
    ]
    n = 0
    for f in result.figures:
        if f.check is None or f.tie.subject is None:
            continue
        n += 1
        c = f.check.claim
        s = f.tie.subject
        lines += ["", "[[claim]]", f"id = {_toml_str(f'{result.source_id}_{n}')}"]
        if s.kind == "legs":
            lines.append("subject = [" + ", ".join(_toml_str(i) for i in s.ids) + "]")
        else:
            lines.append(f"subject = {_toml_str(s.ids[0])}")
        if s.start:
            lines += [f"from = {_toml_str(s.start)}", f"to = {_toml_str(s.end)}"]
        if s.country:
            lines.append(f"country = {_toml_str(s.country)}")
        lines += ['metric = "length"', f"value = {_num(f.figure.value)}", f"unit = {_toml_str(c.unit)}"]
        if c.qualifier != "about":
            lines.append(f"qualifier = {_toml_str(c.qualifier)}")
        if c.value_max is not None:
            lines.append(f"value_max = {_num(float(c.value_max))}")
        lines += ['role = "headline"', f"source = {_toml_str(result.source_id)}", f"says = {_toml_str(' '.join(c.says.split()))}"]
        note = f"found as {f.figure.text!s}; {f.tie.reason}"
        if f.register_claim is not None:
            note += f"; same figure as register claim '{f.register_claim.id}'"
        lines.append(f"notes = {_toml_str(' '.join(note.split()))}")
    return "\n".join(lines) + "\n"
