"""Every published length figure of the survey is in the register or left out with a reason.

``geodata/published_coverage.toml`` (written by ``scripts/published_coverage.py``) lists
each length figure of the published-figures survey once; this test holds it to
``geodata/claims.toml``: a figure said to be in the register must be there, with the
same value (and, for ``claim``, the same source URL); a figure left out must say why.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GEODATA = ROOT / "geodata"
UNITS = {"km": 1.0, "m": 0.001, "mi": 1.609344}


def _km(value: float, unit: str) -> float:
    return value * UNITS[unit.split(" ")[0]]


def _norm(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.").removeprefix("en.").rstrip("/")


def _register() -> tuple[dict[str, dict], dict[str, str]]:
    claims = tomllib.loads((GEODATA / "claims.toml").read_text(encoding="utf-8"))["claim"]
    urls = {}
    for f in sorted((GEODATA / "sources").glob("*.toml")):
        urls.update({s["id"]: s["url"] for s in tomllib.loads(f.read_text(encoding="utf-8"))["source"]})
    return {c["id"]: c for c in claims if c["metric"] == "length"}, urls


def _figures() -> list[dict]:
    return tomllib.loads((GEODATA / "published_coverage.toml").read_text(encoding="utf-8"))["figure"]


def problems(figures: list[dict], claims: dict[str, dict], urls: dict[str, str]) -> list[str]:
    """What is wrong with the coverage list: one line per figure."""
    out = []
    for f in figures:
        where = f"statement {f['statement']} ({f['value']} {f['unit']})"
        ways = [k for k in ("claim", "repeats", "left_out") if k in f]
        if len(ways) != 1:
            out.append(f"{where}: give exactly one of claim, repeats, left_out")
            continue
        if ways[0] == "left_out":
            if not f["left_out"].strip():
                out.append(f"{where}: left out without a reason")
            continue
        claim = claims.get(f[ways[0]])
        if claim is None:
            out.append(f"{where}: no length claim {f[ways[0]]!r} in claims.toml")
            continue
        want = _km(f["value"], f["unit"])
        if abs(_km(claim["value"], claim["unit"]) - want) > max(0.0005 * want, 0.05):
            out.append(f"{where}: claim {claim['id']} holds {claim['value']} {claim['unit']}")
        if ways[0] == "claim" and _norm(urls[claim["source"]]) != _norm(f["url"]):
            out.append(f"{where}: claim {claim['id']} cites {urls[claim['source']]}, not {f['url']}")
    return out


def test_published_coverage__every_figure_accounted_for():
    claims, urls = _register()
    figures = _figures()
    assert len(figures) >= 169
    assert problems(figures, claims, urls) == []


def test_published_coverage__the_check_can_fail():
    claims, urls = _register()
    bad = [
        {"statement": 0, "url": "https://example.org", "value": 757, "unit": "km"},  # neither
        {"statement": 1, "url": "https://example.org", "value": 1768, "unit": "km", "repeats": "btk_total_826_wiki"},
        {"statement": 2, "url": "https://example.org", "value": 1768, "unit": "km", "claim": "btc_total_bp"},
        {"statement": 3, "url": "https://example.org", "value": 5, "unit": "km", "left_out": " "},
    ]
    assert len(problems(bad, claims, urls)) == 4


def test_published_coverage__the_important_figures_are_claims():
    covered = {(f["statement"], f["value"]): f for f in _figures()}
    for key, cid in {
        (138, 127): "kz_balkhash_moyynty_127",
        (152, 293): "kz_zhetygen_altynkol_293",
        (215, 1360): "tr_ankara_kars_1360",
        (219, 1944): "tr_istanbul_kars_1944",
        (17, 248): "btc_ge_regnum2006",
        (17, 1767): "btc_total_regnum2006",
        (204, 757): "btk_total_757_superhaber",
    }.items():
        assert covered[key].get("claim") == cid


SURVEY = [p / "shared" / "reference" / "published_figures.jsonl" for p in (ROOT.parent, ROOT.parents[1])]


@pytest.mark.skipif(not any(p.is_file() for p in SURVEY), reason="the research survey is not beside this checkout")
def test_published_coverage__lists_every_length_figure_of_the_survey():
    survey = next(p for p in SURVEY if p.is_file())
    rows = [json.loads(line) for line in survey.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {(i, f["value"]) for i, r in enumerate(rows) for f in r["figures"] if f["kind"] == "length"}
    assert wanted <= {(f["statement"], f["value"]) for f in _figures()}
