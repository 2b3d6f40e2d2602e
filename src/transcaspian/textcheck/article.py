"""``transcaspian check-text``: an article in, every length figure judged.

:func:`check_text` is the public entry point: text in, a :class:`TextResult`
out (figures, subjects, verdicts, other figures). :func:`read_article` reads
a file or stdin as UTF-8 with a one-line error for anything else.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from transcaspian.claims.model import ClaimContext, Register
from transcaspian.errors import DataError, UsageError
from transcaspian.measured import Measured, check_measured, measure_geodata
from transcaspian.network.records import PathLike
from transcaspian.textcheck.figures import find_figures
from transcaspian.textcheck.gazetteer import Gazetteer, build_gazetteer
from transcaspian.textcheck.patterns import Patterns, load_patterns
from transcaspian.textcheck.reading import FORMATS, Sentence, guess_format, plain_text, sentences
from transcaspian.textcheck.tying import tie_figures
from transcaspian.textcheck.verdicts import ComparedFigure, Judge, JudgedFigure, judge_all

#: Largest article read, in bytes: a text, not a corpus.
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class TextResult:
    """An article checked.

    Attributes
    ----------
    name : str
        The file name (``-`` for stdin).
    text : str
        Its plain text (figure offsets point into it).
    sentences : list of Sentence
    figures : list of JudgedFigure
        Every length figure, in text order.
    others : list of ComparedFigure
        Every other figure (money, tonnes, Tbps, GW, days, years, %).
    source_id : str
        The id the article gets as a source of saved claims.
    """

    name: str
    text: str
    sentences: list[Sentence]
    figures: list[JudgedFigure]
    others: list[ComparedFigure]
    source_id: str

    @property
    def ok(self) -> bool:
        """True when every length figure with a subject is consistent."""
        return all(f.verdict == "consistent" for f in self.figures if f.counts)

    def sentence_text(self, index: int) -> str:
        """The text of a sentence."""
        s = self.sentences[index]
        return self.text[s.start : s.end]


def read_article(path: str) -> tuple[str, str]:
    """Read FILE (or ``-`` for stdin) as UTF-8: its name and text.

    Raises
    ------
    UsageError
        When the file does not exist or is a directory.
    DataError
        When it is not UTF-8 text, is empty or too large.
    """
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "-"
    else:
        p = Path(path)
        if not p.exists():
            raise UsageError(f"{path}: no such file")
        if p.is_dir():
            raise UsageError(f"{path}: is a directory; give a text, Markdown or HTML file")
        try:
            with p.open("rb") as fh:  # a FIFO is read like stdin, up to the limit
                data = fh.read(MAX_BYTES + 1)
        except OSError as error:
            raise DataError(f"cannot be read ({error.strerror or error.__class__.__name__})", file=path) from None
        name = path
    if len(data) > MAX_BYTES:
        raise DataError(f"is larger than {MAX_BYTES // 1_000_000} MB; check one article at a time", file=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"is not UTF-8 text (byte {error.start}); save it as UTF-8", file=name) from None
    if not text.strip():
        raise DataError("is empty; give the article's text", file=name)
    return name, text


@lru_cache(maxsize=2)
def _measured(geodata: str | None) -> Measured:
    return check_measured(measure_geodata(geodata), geodata)


@lru_cache(maxsize=4)
def _gazetteer(geodata: str | None, extra: str | None) -> Gazetteer:
    return gazetteer_for(_measured(geodata), extra)


def gazetteer_for(measured: Measured, extra: str | Path | None = None) -> Gazetteer:
    """The gazetteer of a measured network, with a curator's file added."""
    ctx = ClaimContext.from_network(measured.network)
    gd = measured.geodata
    names = {k: v.name for k, v in gd.legs.items()} | {k: v.name for k, v in gd.routes.items()} | {k: v.title for k, v in gd.layers.items()}
    routes = {rid: tuple(r.legs) for rid, r in gd.routes.items()}
    countries = {pid: p.country for pid, p in gd.places.items()}
    return build_gazetteer(ctx.lines, routes, gd.layers, names, countries, str(extra) if extra is not None else None)


def source_id_for(name: str) -> str:
    """The source id of an article: ``article_<file stem>``, ASCII, or ``article``."""
    stem = Path(name).stem if name != "-" else ""
    slug = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:40]
    return f"article_{slug}" if slug else "article"


def check_text(
    text: str,
    *,
    name: str = "-",
    fmt: str = "auto",
    language: str | None = None,
    geodata: PathLike | None = None,
    gazetteer: str | Path | None = None,
    patterns: str | Path | None = None,
    register: Register | None = None,
) -> TextResult:
    """Find, tie and judge every figure of an article.

    Parameters
    ----------
    text : str
        The article: plain text, Markdown or HTML.
    name : str
        Its file name (decides the format when ``fmt`` is ``auto``; names the source).
    fmt : str
        ``auto``, ``text``, ``markdown`` or ``html``.
    language : str, optional
        en, ru, az, tr or kk for every sentence; detected per sentence when omitted.
    geodata : path, optional
        A geodata directory; the curated data when omitted.
    gazetteer, patterns : path, optional
        Curators' files added to the shipped gazetteer and patterns.
    register : Register, optional
        The claims figures are matched with; the geodata's register when omitted.

    Returns
    -------
    TextResult
    """
    if fmt not in FORMATS:
        raise UsageError(f"--input-format {fmt!r} is not one of {', '.join(FORMATS)}")
    if language is not None and language not in ("en", "ru", "az", "tr", "kk"):
        raise UsageError(f"--language {language!r} is not one of en, ru, az, tr, kk")
    kind = guess_format(name, text) if fmt == "auto" else fmt
    plain = plain_text(text, kind)
    pats: Patterns = load_patterns(patterns)
    key = str(geodata) if geodata is not None else None
    measured = _measured(key)
    gaz = _gazetteer(key, str(gazetteer) if gazetteer is not None else None)
    assert measured.checks is not None
    reg = register if register is not None else measured.checks.register
    sents = sentences(plain, language)
    figures = find_figures(plain, sents, pats)
    ties = tie_figures(figures, sents, plain, gaz)
    sid = source_id_for(name)
    judge = Judge(measured.network, measured.countries, reg, gaz, pats)
    lengths, others = judge_all(figures, ties, sents, plain, judge, sid)
    return TextResult(name, plain, sents, lengths, others, sid)
