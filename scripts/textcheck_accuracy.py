"""Precision and recall of `check-text` on the test corpus, per language.

The corpus (tests/textcheck/corpus_<lang>.jsonl) holds sentences written for
this project from the published figures of the research dossier
(shared/reference/published_figures.jsonl): the same figures, many phrasings,
in English, Russian, Azerbaijani, Turkish and Kazakh, each with the figures a
fact-checker would mark and the subject each length is about.

Figure finding: a found figure is right when an expected one has the same
value (and, for a length, the same unit and range end). Subject tying, over
the length figures found: precision = right subjects / subjects given, recall
= right subjects / subjects expected. Run: python scripts/textcheck_accuracy.py [--holdout] [-v]. The held-out set
(tests/textcheck/holdout.jsonl) was written after the patterns were tuned on the
corpus and is never tuned on: it measures what the tuning is worth on new text.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "textcheck"
LANGUAGES = ("en", "ru", "az", "tr", "kk")


def load(lang: str, holdout: bool = False) -> list[dict[str, Any]]:
    """The corpus entries of one language (of the held-out set with ``holdout``)."""
    path = CORPUS / ("holdout.jsonl" if holdout else f"corpus_{lang}.jsonl")
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for e in entries if e["lang"] == lang]


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def score(langs: tuple[str, ...] = LANGUAGES, holdout: bool = False) -> dict[str, dict[str, float]]:
    """Counts and rates per language (and ``all``): figure P/R, length P/R, subject P/R."""
    from transcaspian.textcheck.article import check_text

    out: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = defaultdict(float)
    misses: list[str] = []
    for lang in langs:
        c: dict[str, float] = defaultdict(float)
        for entry in load(lang, holdout):
            result = check_text(entry["text"])
            found = [("length", f.figure, f) for f in result.figures] + [("other", o.figure, o) for o in result.others]
            used: set[int] = set()
            c["found"] += len(found)
            c["found_len"] += len(result.figures)
            for exp in entry["figures"]:
                value, kind = exp[0], ("other" if exp[1] == "other" else "length")
                c["expected"] += 1
                c["expected_len"] += kind == "length"
                hit = None
                for i, (k, fig, _) in enumerate(found):
                    if i in used or k != kind or not _same(fig.value, value):
                        continue
                    if kind == "length" and (fig.unit != exp[1] or (len(exp) > 3 and (fig.value_max is None or not _same(fig.value_max, exp[3])))):
                        continue
                    hit = i
                    break
                if hit is None:
                    misses.append(f"{lang}: not found {exp[:2]} in {entry['text']!r}")
                    continue
                used.add(hit)
                c["right"] += 1
                if kind != "length":
                    continue
                c["right_len"] += 1
                judged = found[hit][2]
                want = exp[2] if isinstance(exp[2], list) else [exp[2]]
                got = judged.tie.subject.key if judged.tie.subject else None
                c["expected_subject"] += any(w is not None for w in want)
                if got is not None:
                    c["given_subject"] += 1
                    if got in want:
                        c["right_subject"] += 1
                    else:
                        misses.append(f"{lang}: subject {got} for {exp[:2]}, wanted {want} in {entry['text']!r}")
                elif any(w is not None for w in want):
                    misses.append(f"{lang}: no subject for {exp[:2]}, wanted {want} ({judged.reason}) in {entry['text']!r}")
            for i, (k, fig, _) in enumerate(found):
                if i not in used:
                    misses.append(f"{lang}: extra {k} figure {fig.text!r} in {entry['text']!r}")
            c["sentences"] += 1
        for key, value in c.items():
            totals[key] += value
        out[lang] = _rates(c)
    out["all"] = _rates(totals)
    out["_misses"] = misses  # type: ignore[assignment]
    return out


def _rates(c: dict[str, float]) -> dict[str, float]:
    def div(a: float, b: float) -> float:
        return a / b if b else 1.0

    return {
        "sentences": c["sentences"],
        "figures": c["expected"],
        "lengths": c["expected_len"],
        "figure_precision": div(c["right"], c["found"]),
        "figure_recall": div(c["right"], c["expected"]),
        "length_precision": div(c["right_len"], c["found_len"]),
        "length_recall": div(c["right_len"], c["expected_len"]),
        "subject_precision": div(c["right_subject"], c["given_subject"]),
        "subject_recall": div(c["right_subject"], c["expected_subject"]),
    }


def main() -> None:
    """Print the table (and, with -v, every miss)."""
    holdout = "--holdout" in sys.argv
    result = score(holdout=holdout)
    misses = result.pop("_misses")
    print("held-out set (written after the patterns were tuned; never tuned on)" if holdout else "tuning corpus")
    print("| language | sentences | figures | lengths | figure P | figure R | length P | length R | subject P | subject R |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang, r in result.items():
        print(
            f"| {lang} | {r['sentences']:.0f} | {r['figures']:.0f} | {r['lengths']:.0f} | {r['figure_precision']:.2f} | {r['figure_recall']:.2f} | "
            f"{r['length_precision']:.2f} | {r['length_recall']:.2f} | {r['subject_precision']:.2f} | {r['subject_recall']:.2f} |"
        )
    if "-v" in sys.argv:
        print()
        print("\n".join(misses))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
