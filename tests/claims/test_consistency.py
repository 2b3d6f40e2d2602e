"""Figures that contradict themselves: parts that miss their total, misprints kept with a correction."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcaspian.claims.consistency import PARTS_SLACK_KM, flags
from transcaspian.claims.judge import Measurement, check_claims
from transcaspian.claims.model import ClaimContext
from transcaspian.claims.parsing import load_curated_claims, parse_claims
from transcaspian.errors import DataError
from transcaspian.network.records import Source

CTX = ClaimContext(
    lines={"line": ("a", "b")},
    routes=frozenset(),
    layers=frozenset(),
    sources={"src": Source("src", "P", "T", "https://example.org"), "fix": Source("fix", "Q", "U", "https://example.org/fix")},
)


def claim(cid: str, value: float, extra: str = "", country: str = "") -> str:
    where = f'country = "{country}"\n' if country else ""
    return (
        f'[[claim]]\nid = "{cid}"\nsubject = "line"\n{where}metric = "length"\nvalue = {value}\nunit = "km"\n'
        f'role = "headline"\nsource = "src"\n{extra}'
    )


def register(text: str):
    return parse_claims(tomllib.loads(text), "claims.toml", CTX)


def test_flags__parts_that_miss_their_total():
    # Süperhaber 2024: 757 km "= 429 + 220 + 79", which make 728
    reg = register(
        claim("total", 757, 'parts = ["az", "ge", "tr"]\n') + claim("az", 429, country="AZE")
        + claim("ge", 220, country="GEO") + claim("tr", 79, country="TUR")
    )
    flagged = flags(reg.claims)
    assert list(flagged) == ["total"]
    assert flagged["total"].startswith("parts_disagree") and "728 km" in flagged["total"] and "757 km" in flagged["total"]


def test_flags__rounded_parts_are_not_flagged():
    # BP: 443 + 249 + 1,076 = 1,768 exactly; REGNUM 2006 parts make 1,767 against 1,768 (rounding)
    reg = register(claim("total", 1768, 'parts = ["az", "ge", "tr"]\n') + claim("az", 443) + claim("ge", 248) + claim("tr", 1076))
    assert flags(reg.claims) == {}


@given(st.lists(st.integers(min_value=25, max_value=3000), min_size=1, max_size=5), st.integers(min_value=-20, max_value=20))
def test_flags__iff_the_parts_miss_by_more_than_the_slack(parts: list[int], offset: int):
    text = claim("total", sum(parts) + offset, f"parts = {[f'p{i}' for i in range(len(parts))]!r}\n".replace("'", '"'))
    text += "".join(claim(f"p{i}", v) for i, v in enumerate(parts))
    assert ("total" in flags(register(text).claims)) == (abs(offset) > PARTS_SLACK_KM)


def test_flags__misprint_kept_with_its_correction_reaches_the_check():
    text = claim(
        "typo", 405,
        'checkable = false\nreason = "a misprint"\n'
        'correction = { value = 504, source = "fix", evidence = "the official transcript says 504" }\n',
    )
    reg = register(text)
    assert reg.claims[0].correction.value == 504
    (chk,) = check_claims(reg.claims, {"line": Measurement(480.0, 300.0, "traced")}, reg.sources)
    assert chk.verdict == "not_checkable"
    assert chk.flag.startswith("misprint: corrected to 504 km by fix")
    assert chk.as_record()["flag"] == chk.flag


@pytest.mark.parametrize(
    "extra, message",
    [
        ('parts = ["nowhere"]\n', "part 'nowhere' is not a length claim"),
        ('correction = { value = 504, source = "unknown", evidence = "x" }\n', "not a known source id"),
        ('correction = { value = 504, source = "fix" }\n', "evidence is missing"),
        ('correction = 504\n', "must be a table"),
    ],
)
def test_parse__bad_parts_or_correction_name_the_fix(extra: str, message: str):
    with pytest.raises(DataError) as info:
        register(claim("c", 100, extra))
    assert message in str(info.value)


def test_curated_register__the_audit_findings_are_flagged():
    from transcaspian.network.lines import build_network
    from transcaspian.network.loading import load_geodata

    reg = load_curated_claims(None, ClaimContext.from_network(build_network(load_geodata())))
    flagged = flags(reg.claims)
    assert "728 km" in flagged["btk_total_757_superhaber"]
    assert "1,743 km" in flagged["btc_total_aliyevheritage"]
    assert flagged["btk_az_405_aliyev"].startswith("misprint: corrected to 504 km")
    assert "btc_total_bp" not in flagged and "bsec_total_2026" not in flagged
