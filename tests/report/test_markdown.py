"""The check rendered for people and programs: table, CSV, JSON, markdown report."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from transcaspian.claims.judge import RECORD_FIELDS, CheckResult, Measurement, check_claims, failed_canonical
from transcaspian.claims.model import Claim, Register, Subject
from transcaspian.measured import check_measured
from transcaspian.network.records import Source
from transcaspian.report.markdown import (
    SUBJECT_WIDTH,
    check_table,
    checks_csv,
    checks_document,
    checks_json,
    checks_markdown,
    report_markdown,
)
from transcaspian.values import clip


def length_claim(value: float, *, subject: Subject | None = None, **kw) -> Claim:
    """A hand-made canonical claim about a leg 'x' unless told otherwise."""
    fields = dict(id="c", subject=subject or Subject("leg", ("x",)), metric="length", value=value, unit="km", role="canonical", source="src")
    fields.update(kw)
    return Claim(**fields)


@pytest.fixture(scope="module")
def checked(measured):
    """The curated geodata with the curated claims checked."""
    return check_measured(measured)


def test_checks_json__round_trip_and_stable(checked):
    result = checked.checks
    text = checks_json(result)
    assert text == checks_json(result)
    doc = json.loads(text)
    assert doc == json.loads(json.dumps(checks_document(result)))
    assert doc["format"] == "transcaspian-checks" and doc["version"] == 1
    assert [r["claim"] for r in doc["checks"]] == [c.claim.id for c in result.checks]
    assert all(list(r) == sorted(RECORD_FIELDS) for r in doc["checks"])
    assert doc["ok"] == result.ok and doc["exit_status"] == (0 if result.ok else 1)
    assert sum(doc["counts"].values()) == len(result.checks)
    assert doc["failed_canonical"] == [c.claim.id for c in failed_canonical(result.checks)]


def test_checks_csv__round_trip(checked):
    rows = list(csv.DictReader(io.StringIO(checks_csv(checked.checks))))
    assert tuple(rows[0]) == RECORD_FIELDS
    records = [c.as_record() for c in checked.checks.checks]
    assert [(r["claim"], r["verdict"], r["subject"]) for r in rows] == [(r["claim"], r["verdict"], r["subject"]) for r in records]
    for row, rec in zip(rows, records):
        if rec["measured_km"] is not None:
            assert float(row["measured_km"]) == rec["measured_km"]


def test_check_table__one_row_per_claim(checked):
    lines = check_table(checked.checks).splitlines()
    assert lines[0].split() == ["claim", "subject", "stated", "measured", "ratio", "verdict", "source"]
    assert len(lines) == 1 + len(checked.checks.checks)


def test_report_markdown__round_trips_the_table(checked):
    result = checked.checks
    report = report_markdown(result)
    assert report == report_markdown(result)  # deterministic
    table = checks_markdown(result).splitlines()[2:]
    cells = [[c.strip() for c in line.strip("|").split(" | ")] for line in table]
    assert [row[0].strip("`") for row in cells] == [c.claim.id for c in result.checks]
    assert [row[7].strip("*") for row in cells] == [c.verdict for c in result.checks]
    for heading in ("## Verdicts", "## Where sources disagree", "## Other published figures", "## Method", "## Sources"):
        assert heading in report
    assert "WGS84" in report and "pyproj" in report and "vertices" in report
    assert "-8%/+3%" in report and "-10%/+5%" in report
    assert "newsaz\\_2025\\_10\\_babazadeh" in report or "`newsaz_2025_10_babazadeh`" in report


def test_report_markdown__data_text_cannot_become_markup():
    evil = "<script>alert(1)</script> | *bold* [x](javascript:y)"
    claim = length_claim(100)
    fact = length_claim(1, id="fact", metric="capacity", unit="GW", says=evil)
    src = Source("src", "Pub <b>", "T", "https://example.org/a)b c", "")
    checks = tuple(check_claims([claim], {"x": Measurement(60, 10)}, {"src": src}))
    report = report_markdown(CheckResult(Register((claim, fact), {"src": src}), checks, ()))
    assert "<script>" not in report and "<b>" not in report
    assert "&lt;script&gt;" in report and "\\*bold\\*" in report and "\\[x\\]" in report
    assert "| *bold*" not in report
    assert "https://example.org/a%29b%20c" in report


def _cells(line: str) -> list[str]:
    """Cells of a GFM table row: split on | that is not escaped."""
    return re.split(r"(?<!\\)\|", line.strip().strip("|"))


@pytest.mark.parametrize("subject", ["a|b", "line\nbreak", "tick`s", "`edge`", "<img src=x onerror=alert(1)>"])
def test_checks_markdown__any_subject_stays_in_its_cell(subject):
    # a user's feature ids (check --layer) may hold anything
    claim = length_claim(100, subject=Subject("leg", (subject,)))
    src = Source("src", "Pub | x", "T", "https://example.org/a|b\nc", "")
    checks = tuple(check_claims([claim], {claim.subject_key: Measurement(95, 10)}, {"src": src}))
    table = checks_markdown(CheckResult(Register((claim,), {"src": src}), checks, ())).splitlines()
    assert len(table) == 3
    head, row = _cells(table[0]), _cells(table[2])
    assert len(row) == len(head)
    code = row[1].strip()
    fence = re.match(r"`+", code).group(0)
    inner = code[len(fence) : -len(fence)]
    assert inner.strip() == " ".join(subject.split()).replace("|", "\\|")
    assert "%7C" in row[-1] and "%0A" in row[-1]


def test_clip__one_line_within_the_width():
    assert clip("short", 10) == "short"
    assert clip("a\nb\tc", 10) == "a b c"
    assert clip("x" * 30, 10) == "x" * 9 + "…"
    assert len(clip("y" * 100, 48)) == 48


def test_check_table__long_subject_clipped_whole_in_csv():
    subject = "s" * 80
    claim = length_claim(100, subject=Subject("leg", (subject,)))
    result = CheckResult(Register((claim,), {}), tuple(check_claims([claim], {subject: Measurement(95, 10)})), ())
    row = check_table(result).splitlines()[1]
    assert "s" * (SUBJECT_WIDTH - 1) + "…" in row and subject not in row
    assert subject in checks_csv(result)
