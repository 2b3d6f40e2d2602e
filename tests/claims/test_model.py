"""Tests of the claim records: parsing, validation and error messages."""

from __future__ import annotations

import math
import tomllib

import pytest

from transcaspian.claims.model import ClaimContext, Subject
from transcaspian.claims.parsing import load_curated_claims, parse_claims, read_claims
from transcaspian.errors import DataError
from transcaspian.network.records import Source

CTX = ClaimContext(
    lines={"leg_a": ("p1", "p2", "p3"), "leg_b": ("p3", "p4"), "route_r": ("p1", "p2", "p3", "p4")},
    routes=frozenset({"route_r"}),
    layers=frozenset({"net"}),
    sources={"src": Source("src", "P", "T", "https://example.org")},
)

HEAD = 'id = "c1"\nmetric = "length"\nvalue = 100\nunit = "km"\nrole = "canonical"\nsource = "src"\n'


def parse(text: str):
    return parse_claims(tomllib.loads(text), "claims.toml", CTX)


def one(extra: str = "", head: str = HEAD):
    return parse(f"[[claim]]\n{head}{extra}").claims[0]


def error(extra: str = "", head: str = HEAD) -> str:
    with pytest.raises(DataError) as info:
        one(extra, head)
    return str(info.value)


def test_parse_claims__subject_forms():
    assert one('subject = "leg_a"\n').subject == Subject("leg", ("leg_a",))
    assert one('subject = "route_r"\n').subject.kind == "route"
    section = one('subject = "route_r"\nfrom = "p1"\nto = "p4"\n').subject
    assert (section.key, section.is_part) == ("route_r:p1..p4", True)
    country = one('subject = "leg_a"\ncountry = "AZE"\n').subject
    assert (country.key, country.is_part) == ("leg_a@AZE", True)
    legs = one('subject = ["leg_a", "leg_b"]\n').subject
    assert (legs.kind, legs.key) == ("legs", "leg_a+leg_b")
    assert one('subject = "net"\n').subject.kind == "layer"


def test_parse_claims__values_and_qualifiers():
    claim = one('subject = "leg_a"\nqualifier = "range"\nvalue_max = 120\n')
    assert claim.stated_km() == (100, 120) and claim.stated_text() == "100–120 km"
    assert one('subject = "leg_a"\nqualifier = "over"\n').stated_km() == (100, math.inf)
    assert one('subject = "leg_a"\nqualifier = "under"\n').stated_km() == (0, 100)
    assert one('subject = "leg_a"\n', head=HEAD.replace('unit = "km"', 'unit = "mi"')).value_km == pytest.approx(160.9344)
    assert one('subject = "leg_a"\n', head=HEAD.replace("100", "1075.336")).stated_text() == "1,075.336 km"


def test_parse_claims__fact_may_be_text_and_have_no_subject():
    fact = one(head='id = "f"\nmetric = "completion"\nvalue = "end-2026"\nunit = "date"\nrole = "headline"\nsource = "src"\n')
    assert (fact.is_length, fact.subject, fact.value) == (False, None, "end-2026")


def test_parse_claims__tolerance():
    claim = one('subject = "leg_a"\ntolerance = { short_pct = 25, long_pct = 5, why = "mountain railway" }\n')
    assert (str(claim.tolerance), claim.tolerance.basis) == ("-25%/+5%", "mountain railway")


def test_parse_claims__own_sources():
    text = '[[source]]\nid = "mine"\npublisher = "Me"\ntitle = "T"\nurl = "https://example.org/m"\n' + (
        "[[claim]]\n" + HEAD.replace('"src"', '"mine"') + 'subject = "leg_a"\n'
    )
    register = parse(text)
    assert register.claims[0].source == "mine" and "mine" in register.sources and "src" in register.sources


@pytest.mark.parametrize(
    ("extra", "head", "field", "words"),
    [
        ('subject = "nope"\n', HEAD, "subject", "unknown subject 'nope'"),
        ("", HEAD, "subject", "is missing"),
        ('subject = "leg_a"\n', HEAD.replace('unit = "km"\n', ""), "unit", "is missing"),
        ('subject = "leg_a"\n', HEAD.replace("100", "-5"), "value", "positive"),
        ('subject = "leg_a"\n', HEAD.replace("100", "0"), "value", "positive"),
        ('subject = "leg_a"\n', HEAD.replace("100", "true"), "value", "finite number"),
        ('subject = "leg_a"\n', HEAD.replace('"length"', '"length_km"'), "metric", 'metric = "length"'),
        ('subject = "leg_a"\n', HEAD.replace('"canonical"', '"main"'), "role", "canonical, variant, headline"),
        ('subject = "leg_a"\n', HEAD.replace('"src"', '"nowhere"'), "source", "unknown source"),
        ('subject = "leg_a"\nfrom = "p1"\n', HEAD, "to", "both from and to"),
        ('subject = "leg_a"\nfrom = "p1"\nto = "p4"\n', HEAD, "to", "not on 'leg_a'"),
        ('subject = "leg_a"\nfrom = "p1"\nto = "p1"\n', HEAD, "to", "the same place"),
        ('subject = "leg_a"\nfrom = "p1"\nto = "p2"\ncountry = "AZE"\n', HEAD, "country", "either"),
        ('subject = "leg_a"\ncountry = "Azerbaijan"\n', HEAD, "country", "alpha-3"),
        ('subject = ["leg_a", "route_r"]\n', HEAD, "subject", "not a leg id"),
        ('subject = ["leg_a"]\n', HEAD, "subject", "at least two"),
        ('subject = "net"\ncountry = "AZE"\n', HEAD, "subject", "network"),
        ('subject = "leg_a"\nqualifier = "range"\n', HEAD, "value_max", "needs value_max"),
        ('subject = "leg_a"\nqualifier = "range"\nvalue_max = 90\n', HEAD, "value_max", "larger"),
        ('subject = "leg_a"\nvalue_max = 120\n', HEAD, "value_max", "only a range"),
        ('subject = "leg_a"\ntolerance = { short_pct = 8 }\n', HEAD, "tolerance", "long_pct"),
        ('subject = "leg_a"\ntolerance = { short_pct = 120, long_pct = 3 }\n', HEAD, "tolerance", "out of range"),
        ('subject = "leg_a"\ncheckable = false\n', HEAD, "reason", "say why"),
    ],
)
def test_parse_claims__bad_record_names_file_record_field(extra, head, field, words):
    message = error(extra, head)
    assert message.startswith(f"claims.toml: claim 'c1': field '{field}': "), message
    assert words in message
    assert "\n" not in message


def test_parse_claims__duplicates():
    claim = "[[claim]]\n" + HEAD + 'subject = "leg_a"\n'
    with pytest.raises(DataError, match="claim 'c1': field 'id': duplicate id"):
        parse(claim + claim)
    second = claim.replace('"c1"', '"c2"')
    with pytest.raises(DataError, match="already has canonical claim 'c1'"):
        parse(claim + second)
    assert len(parse(claim + second.replace('"canonical"', '"variant"')).claims) == 2


def test_parse_claims__record_without_id_is_named_by_position():
    with pytest.raises(DataError, match=r"claim #2: field 'id': is missing"):
        parse("[[claim]]\n" + HEAD + 'subject = "leg_a"\n[[claim]]\nvalue = 1\n')


def test_read_claims__missing_and_broken_files(tmp_path):
    with pytest.raises(DataError, match="no such claims file"):
        read_claims(tmp_path / "nope.toml", CTX)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[claim]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"broken.toml: is not valid TOML"):
        read_claims(broken, CTX)


def test_load_curated_claims__directory_without_register(tmp_path):
    register = load_curated_claims(tmp_path, CTX)
    assert register.claims == () and "src" in register.sources


@pytest.mark.parametrize("text", ["", "# only a comment\n", '[[source]]\nid = "mine"\npublisher = "Me"\ntitle = "T"\nurl = "https://example.org/m"\n'])
def test_read_claims__file_without_claims_is_an_error(tmp_path, text):
    # An empty file would check nothing and let `check` exit 0.
    path = tmp_path / "empty.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"empty.toml: holds no \[\[claim\]\] records"):
        read_claims(path, CTX)
