"""``--format html``: the article with every figure highlighted by verdict, with side notes.

The page is built from escaped pieces only: the article's text, the figures,
subjects and reasons are all data and go through :func:`html.escape`, so no
input can become markup; there is no script at all, and a Content Security
Policy forbids loading anything. Each paragraph of the article is shown with
its figures' notes beside it.
"""

from __future__ import annotations

import re
from html import escape

from transcaspian.textcheck.article import TextResult
from transcaspian.textcheck.report import summary

#: Colour of each verdict (background of the highlight, border of the note).
VERDICT_COLOURS = {
    "consistent": "#c8ecc9",
    "trace_short": "#ffd6a5",
    "trace_long": "#ffd6a5",
    "impossible": "#ffadad",
    "not_checkable": "#e0e0e0",
    "no_subject": "#fff3b0",
    "other": "#dbe7ff",
}

_CSS = """
body{font:16px/1.55 Georgia,serif;margin:0;background:#fafafa;color:#222}
header{padding:1rem 2rem;background:#1f2a38;color:#fff;font-family:system-ui,sans-serif}
header h1{font-size:1.2rem;margin:0 0 .3rem}header p{margin:0;font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem 2rem}
.row{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5rem;border-bottom:1px solid #eee;padding:.5rem 0}
.row p{margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
aside{font:13px/1.4 system-ui,sans-serif}
aside ol{margin:0;padding-left:1.4rem}aside li{margin:.2rem 0 .6rem;padding-left:.4rem;border-left:4px solid #ccc;overflow-wrap:anywhere}
mark{padding:0 .15em;border-radius:3px}mark sup{font:bold 10px system-ui,sans-serif;margin-left:.15em}
.legend span{display:inline-block;margin-right:.8rem;padding:0 .3rem;border-radius:3px;color:#222}
@media (max-width:700px){.row{grid-template-columns:1fr}}
"""


def _style() -> str:
    rules = [f".v-{name}{{background:{colour}}} li.v-{name}{{border-left-color:{colour};background:none}}" for name, colour in VERDICT_COLOURS.items()]
    return _CSS + "\n".join(rules)


def _note(n: int, kind: str, title: str, body: list[str]) -> str:
    parts = "".join(f"<br>{escape(b)}" for b in body if b)
    return f'<li id="n{n}" class="v-{escape(kind)}" value="{n}"><b>{escape(title)}</b>{parts}</li>'


def text_html(result: TextResult) -> str:
    """The annotated article as one self-contained HTML page."""
    marks: list[tuple[int, int, str, str, list[str]]] = []  # start, end, css kind, title, note lines
    for f in result.figures:
        chk = f.check
        measured = ""
        if chk is not None and chk.measured_km is not None:
            measured = f"measured {chk.measured_km:,.1f} km" + (f", ratio {chk.ratio:.3f}" if chk.ratio else "")
        body = [
            f"subject: {f.subject_name or 'none'}" + (f" ({f.tie.subject.key})" if f.tie.subject else ""),
            measured,
            f"register: {f.register_claim.id} ({f.register_claim.source})" if f.register_claim else "register: a new figure",
            f.reason,
        ]
        marks.append((f.figure.start, f.figure.end, f.verdict, f"{f.figure.text}: {f.verdict}", body))
    for o in result.others:
        reg = f"register: {o.register_claim.id} says {o.register_claim.stated_text()} ({o.comparison})" if o.register_claim else "register: no such figure"
        marks.append((o.figure.start, o.figure.end, "other", f"{o.figure.text}: {o.figure.kind}", [f"subject: {o.subject_name or 'none'}", reg]))
    marks.sort(key=lambda m: (m[0], m[1]))
    text = result.text
    rows = []
    k = 0
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        a, b = para.span()
        if not text[a:b].strip():
            continue
        html_parts = []
        notes = []
        cursor = a
        for start, end, kind, title, body in (m for m in marks if a <= m[0] < b):
            k += 1
            html_parts.append(escape(text[cursor:start]))
            html_parts.append(f'<mark class="v-{escape(kind)}" title="{escape(kind)}"><a href="#n{k}">{escape(text[start:end])}</a><sup>{k}</sup></mark>')
            notes.append(_note(k, kind, f"{k}. {title}", body))
            cursor = end
        html_parts.append(escape(text[cursor:b]))
        aside = f"<aside><ol>{''.join(notes)}</ol></aside>" if notes else "<aside></aside>"
        rows.append(f'<div class="row"><p>{"".join(html_parts)}</p>{aside}</div>')
    legend = "".join(f'<span class="v-{k}">{k.replace("_", " ")}</span>' for k in VERDICT_COLOURS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Figures checked: {escape(result.name)}</title><style>{_style()}</style></head><body>"
        f"<header><h1>Figures checked: {escape(result.name)}</h1><p>{escape(summary(result))}</p>"
        f'<p class="legend">{legend}</p></header><main>{"".join(rows)}</main></body></html>\n'
    )
