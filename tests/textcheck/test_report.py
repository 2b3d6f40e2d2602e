"""Reports of check-text: the JSON schema, Markdown, claim records, and an HTML page no input can turn into markup."""

from __future__ import annotations

import json
import tomllib
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian.claims.model import ClaimContext
from transcaspian.claims.parsing import parse_claims
from transcaspian.textcheck.article import check_text
from transcaspian.textcheck.page import text_html
from transcaspian.textcheck.report import FIGURE_FIELDS, OTHER_FIELDS, claims_toml, text_json, text_markdown, text_table

ARTICLE = (
    "The Baku–Tbilisi–Ceyhan pipeline is 1,768 km long: 443 km in Azerbaijan, 249 km in Georgia and 1,076 km in Türkiye. "
    "It cost $4 billion.\n\nThe Black Sea cable's 1,195-kilometer subsea line will carry 1 GW. Some railway is 500 km long."
)


@pytest.fixture(scope="module")
def result():
    return check_text(ARTICLE, name="article.txt")


def test_json_schema(result):
    doc = json.loads(text_json(result))
    assert set(doc) == {"figures", "other_figures"}
    assert all(set(f) == set(FIGURE_FIELDS) for f in doc["figures"])
    assert all(set(o) == set(OTHER_FIELDS) for o in doc["other_figures"])
    first = doc["figures"][0]
    assert first["text"] == "1,768 km" and first["value"] == 1768 and first["unit"] == "km" and first["stated_km"] == 1768
    assert ARTICLE[first["start"] : first["end"]] == first["text"]
    assert first["subject"] == "btc" and first["verdict"] == "consistent" and first["register_claim"] == "btc_total_bp"
    assert first["language"] == "en" and first["sentence"].startswith("The Baku")
    last = doc["figures"][-1]
    assert last["verdict"] == "no_subject" and last["subject"] is None and last["measured_km"] is None


def test_json_is_byte_stable(result):
    assert text_json(result) == text_json(check_text(ARTICLE, name="article.txt"))


def test_table_and_markdown(result):
    table = text_table(result)
    assert "btc@GEO" in table and "no_subject" in table and "other figures" in table
    md = text_markdown(result)
    assert md.count("\n| ") >= len(result.figures) + len(result.others)


def test_saved_claims_are_register_records(result, measured):
    text = claims_toml(result, "https://example.org/article", "Example", "", "2025-10-21")
    doc = tomllib.loads(text)
    register = parse_claims(doc, "saved.toml", ClaimContext.from_network(measured.network))
    saved = {c.subject_key: c for c in register.claims}
    assert {"btc", "btc@AZE", "btc@GEO", "btc@TUR", "bsec_subsea"} <= set(saved)
    assert all(c.role == "headline" and c.source == result.source_id for c in register.claims)
    assert register.sources[result.source_id].url == "https://example.org/article"
    assert len(register.claims) == sum(1 for f in result.figures if f.counts)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.main_text: list[str] = []
        self.depth = 0
        self.in_p = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "p" and self.depth:
            self.in_p += 1
        if tag == "main":
            self.depth += 1
        if tag == "sup":
            self.in_p = -abs(self.in_p)

    def handle_endtag(self, tag):
        if tag == "sup":
            self.in_p = abs(self.in_p)
        if tag == "p" and self.in_p > 0:
            self.in_p -= 1
            self.main_text.append("\n\n")

    def handle_data(self, data):
        if self.in_p > 0:
            self.main_text.append(data)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "p", "span", "main", "div", "mark", "a", "sup", "aside", "ol", "li", "b", "br"}


def _check_page(article: str, page: str) -> None:
    parsed = _Collect()
    parsed.feed(page)
    assert set(parsed.tags) <= ALLOWED_TAGS, set(parsed.tags) - ALLOWED_TAGS
    assert not any(name.startswith("on") for name, _ in parsed.attrs)
    assert all(value is None or not value.strip().lower().startswith("javascript:") for _, value in parsed.attrs)
    # the article's paragraphs are shown whole, as text
    shown = "".join(parsed.main_text).strip()
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    assert [p.strip() for p in shown.split("\n\n") if p.strip()] == [p.strip() for p in paragraphs]


def test_html_page(result):
    page = text_html(result)
    _check_page(result.text, page)
    assert "Content-Security-Policy" in page and "<script" not in page
    assert page.count("<mark ") == len(result.figures) + len(result.others)
    assert 'class="v-trace_short"' in page and 'class="v-no_subject"' in page


HOSTILE = [
    "<script>alert(1)</script> The BTC is 1,768 km long.",
    "The BTC is 1,768 km long <img src=x onerror=alert(1)> and ]]> {{ config }} =HYPERLINK(\"x\").",
    'The "BTC" is 1,768 km\' long; </p></div><a href="javascript:alert(1)">x</a>',
]


@pytest.mark.parametrize("article", HOSTILE)
def test_hostile_text_stays_text(article):
    result = check_text(article, fmt="text")
    page = text_html(result)
    _check_page(result.text, page)
    assert "<script" not in page and "<img" not in page


_PIECES = st.sampled_from(
    ["The BTC pipeline is ", "1,768 km", " long", "<script>x</script>", "&amp;", "</p>", "\"'", "{{x}}", "]]>", "\n\n", "443 km in Georgia", "Баку 1 768 км", " ", "%39", "$5m", "\x00"]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=12).map("".join))
@settings(max_examples=80, deadline=None)
def test_no_input_becomes_markup(article):
    result = check_text(article if article.strip() else "x", fmt="text")
    _check_page(result.text, text_html(result))
