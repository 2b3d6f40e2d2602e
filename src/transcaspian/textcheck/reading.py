"""An article as plain text, cut into sentences, each with its language.

Plain text is read as it is; Markdown is rendered with markdown-it-py (raw
HTML in it stays text) and, like HTML, reduced to its visible text with the
standard library's HTML parser: scripts, styles and comments are dropped,
block elements become paragraph breaks. Offsets of figures (``start``,
``end``) are offsets into that plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from sentencex import segment  # type: ignore[import-untyped]

FORMATS = ("auto", "text", "markdown", "html")
_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th title tr ul".split()
)
_HIDDEN = frozenset({"script", "style", "template", "noscript", "head", "svg", "iframe", "object"})
_HTML_SNIFF = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<p[\s>]|<div[\s>]|<article[\s>]|<h[1-6][\s>])", re.IGNORECASE)


class _TextParser(HTMLParser):
    """Collects the visible text of an HTML document, one paragraph per block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        if tag == "title":
            self.in_title = True
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        if tag == "title":
            self.in_title = False
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML document, paragraphs separated by blank lines."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    # a line break inside a block is a space (the source's own wrapping); blocks are paragraphs
    paragraphs = [" ".join(p.split()) for p in re.split(r"\s*\n\s*\n\s*", text)]
    return "\n\n".join(p for p in paragraphs if p)


def markdown_text(markdown: str) -> str:
    """The text of a Markdown document (rendered, then reduced to its visible text)."""
    return html_text(MarkdownIt("commonmark", {"html": False}).render(markdown))


def guess_format(name: str, text: str) -> str:
    """``text``, ``markdown`` or ``html`` from a file name, else from the content."""
    low = name.lower()
    if low.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if low.endswith((".md", ".markdown")):
        return "markdown"
    if low.endswith(".txt"):
        return "text"
    return "html" if _HTML_SNIFF.match(text) else "text"


def plain_text(text: str, fmt: str) -> str:
    """The article's plain text, for a format of :data:`FORMATS` (``auto`` = text)."""
    # control characters other than line breaks and tabs carry no text; they become spaces
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    if fmt == "html":
        return html_text(text)
    if fmt == "markdown":
        return markdown_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Letters that only one of the five languages uses (with Cyrillic or Latin script).
_KAZAKH = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_AZERI = re.compile(r"[əƏ]")
_TURKISH = re.compile(r"[ğışĞŞ]|İ")
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
#: Common short words of each Latin-script language, which tell them apart in a sentence
#: without telling letters ("Karadeniz kablosu 1.100 km olacak").
_WORDS = {
    "en": frozenset("the and of is are will be to in a an by with from for was its it that this".split()),
    "tr": frozenset("ve ile bir için olan olacak olarak bu da de ise çok daha en kadar yaklaşık arası uzunluğu km'lik".split()),
    "az": frozenset("və ilə bir üçün olan olacaq bu da isə çox daha ən qədər təxminən arasında uzunluğu km-dir".split()),
}


def detect_language(text: str, default: str = "en") -> str:
    """The language of a sentence: en, ru, az, tr or kk, from its letters and short words.

    Hand-written: the five languages are told apart by their alphabets
    (Kazakh's extra Cyrillic letters, Azerbaijani's schwa, Turkish's dotless i
    and soft g) and, for Latin sentences without such letters, by their
    commonest short words, which a statistical detector (lingua, langdetect)
    would only guess at from short sentences, at the price of large models.
    """
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    if cyr == 0 and lat == 0:
        return default
    if cyr > lat:
        return "kk" if _KAZAKH.search(text) else "ru"
    if _AZERI.search(text):
        return "az"
    words = re.findall(r"[\w'’-]+", text.lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    if _TURKISH.search(text):
        counts["tr"] += 2
        counts["en"] -= 1
    best = max(counts, key=lambda k: (counts[k], k == "en"))
    return best if counts[best] > 0 else ("tr" if _TURKISH.search(text) else "en")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the text: its offsets and language."""

    start: int
    end: int
    language: str


_SEGMENT_LANG = {"en": "en", "ru": "ru", "az": "az", "tr": "tr", "kk": "kk"}


def sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Cut the text into sentences with sentencex, paragraph by paragraph.

    Parameters
    ----------
    text : str
        Plain text.
    language : str, optional
        Force one language for every sentence; detected per sentence when
        omitted (falling back on the paragraph's language).
    """
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        body = para.group()
        if not body.strip():
            continue
        para_lang = language or detect_language(body)
        cursor = para.start()
        spans: list[tuple[int, int]] = []
        for piece in segment(_SEGMENT_LANG.get(para_lang, "en"), body):
            stripped = piece.strip()
            if not stripped:
                continue
            at = text.find(stripped, cursor, para.end())
            if at < 0:  # the segmenter changed the text: keep the rest of the paragraph whole
                at = cursor
                stripped = text[cursor : para.end()].strip()
            end = at + len(stripped)
            if spans and stripped[0].islower():
                # a sentence does not start in lower case: the cut was after an abbreviation ("50 млн. тонн")
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((at, end))
            cursor = end
        for at, end in spans:
            lang = language or detect_language(text[at:end], para_lang)
            if lang == "en" and para_lang in ("tr", "az"):
                lang = para_lang  # a Latin sentence without telling letters reads as its paragraph
            out.append(Sentence(at, end, lang))
    return out
