"""Find every figure in a text: lengths, and the other figures told apart from them.

A figure is anchored on its unit: a length unit (``km``, ``км``,
``kilometr``, ``miles`` ...) or another unit (money, tonnes, Tbps, GW, days,
years, %), all in ``patterns.toml``. From the unit the number is read
backwards (:func:`transcaspian.textcheck.numbers.number_before`), then a range
("380–400 km", "от 400 до 450 км") and a qualifier ("about", "более",
"yaklaşık", "-dən çox") around it. Miles and nautical miles are converted to
km with the factors the claims register uses, and the figure keeps its own
unit.

Not pint: a figure and the claim it becomes (``--save-claims``) must convert
exactly alike, so the factors are the register's own
(:data:`transcaspian.claims.model.LENGTH_UNITS`, repeated in ``patterns.toml``
and checked equal by the tests); four factors need no units library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transcaspian.textcheck.numbers import Number, number_after, number_before
from transcaspian.textcheck.patterns import Patterns
from transcaspian.textcheck.reading import Sentence

#: Separators that join two numbers into a range only after an opener ("between 380 and 400 km").
_NEEDS_OPENER = frozenset({"and", "и", "or", "или", "veya", "və ya"})


@dataclass(frozen=True)
class Figure:
    """One figure found in the text.

    Attributes
    ----------
    text : str
        The figure as written, qualifier and unit included.
    start, end : int
        Its offsets in the plain text.
    value, value_max : float
        The number as written, in ``unit`` (``value_max`` for a range, else None).
    unit : str
        For a length, the claim unit (``km``, ``mi``, ``nmi``, ``m``); for
        another figure, the unit as written.
    kind : str
        ``length``, or the kind of another figure: ``money``, ``mass``,
        ``data_rate``, ``power``, ``voltage``, ``time``, ``percent`` ...
    qualifier : str
        ``about``, ``over``, ``under`` or ``range``, as in a claim.
    language : str
        The sentence's language.
    sentence : int
        Index of its sentence.
    factor : float
        Size of one ``unit`` in km (lengths) or in the kind's base unit.
    base : str
        The base unit of another figure (``USD``, ``t``, ``W`` ...); ``km`` for lengths.
    """

    text: str
    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    kind: str
    qualifier: str
    language: str
    sentence: int
    factor: float = 1.0
    base: str = "km"

    @property
    def is_length(self) -> bool:
        """True for a length figure."""
        return self.kind == "length"

    @property
    def stated_km(self) -> float | None:
        """The figure in km (the low end of a range); None for other figures."""
        return self.value * self.factor if self.is_length else None

    @property
    def base_value(self) -> float:
        """The value in the base unit of its kind (km for lengths)."""
        return self.value * self.factor


def _extend_left(text: str, floor: int, start: int, patterns: Patterns) -> tuple[int, str]:
    """Include a qualifier written just before ``start``; return the new start and it."""
    before = text[floor:start]
    for qualifier, pattern in patterns.qualifiers_before:
        m = pattern.search(before)
        if m:
            return floor + m.start(), qualifier
    return start, "about"


def _range(text: str, floor: int, high: Number, lang: str, patterns: Patterns) -> tuple[Number, int] | None:
    """The low end of a range ending in ``high``, and where the range starts."""
    before = text[floor : high.start]
    sep = patterns.range_separator.search(before)
    if not sep:
        return None
    sep_start = floor + sep.start()
    low = number_before(text, sep_start, lang, patterns, floor)
    if low is None or not (0 < low.value < high.value):
        return None
    if text[low.end : sep_start].strip():
        return None
    start = low.start
    opener = patterns.range_opener.search(text[floor:start])
    if opener:
        start = floor + opener.start()
    elif sep.group().strip().lower() in _NEEDS_OPENER:
        return None  # "380 and 400 km" is two figures unless "between" opens it
    return low, start


def _length_figures(text: str, sent: Sentence, index: int, patterns: Patterns) -> list[Figure]:
    out = []
    for unit in patterns.length_units:
        for m in unit.pattern.finditer(text, sent.start, sent.end):
            if patterns.not_length_after.match(text, m.end()) or patterns.not_length_before.search(text[sent.start : m.start()]):
                continue
            high = number_before(text, m.start(), sent.language, patterns, sent.start)
            if high is None:
                continue
            rng = _range(text, sent.start, high, sent.language, patterns)
            value, value_max = high.value, None
            start = high.start
            if rng is not None:
                low, start = rng
                value, value_max = low.value, high.value
            start, qualifier = _extend_left(text, sent.start, start, patterns)
            if value_max is not None:
                qualifier = "range"
            end = m.end()
            for name, pattern in patterns.qualifiers_after:
                after = pattern.match(text, end)
                if after and after.end() <= sent.end:
                    end = after.end()
                    if value_max is None:
                        qualifier = name
                    break
            out.append(
                Figure(text[start:end], start, end, value, value_max, unit.name, "length", qualifier, sent.language, index, unit.factor)
            )
    return out


def _other_figures(text: str, sent: Sentence, index: int, patterns: Patterns) -> list[Figure]:
    out = []
    for unit in patterns.other_units:
        for m in unit.pattern.finditer(text, sent.start, sent.end):
            if unit.prefix:
                num = number_after(text, m.end(), sent.language, patterns, sent.end)
                if num is None:
                    continue
                start, end = m.start(), num.end
            else:
                num = number_before(text, m.start(), sent.language, patterns, sent.start)
                if num is None:
                    continue
                start, end = num.start, m.end()
            if unit.base == "years" and num.value.is_integer() and 1800 <= num.value <= 2100 and num.has_digits:
                continue  # "2024 год", "2006-cı il": a date, not a duration
            written = re.sub(r"\s+", " ", m.group())
            if not unit.prefix:
                # "from 5 million to 17 million tonnes", "30 ile 34 saat": the low end is a figure too
                rng = _range(text, sent.start, num, sent.language, patterns)
                if rng is not None:
                    low = rng[0]
                    out.append(
                        Figure(text[low.start : low.end], low.start, low.end, low.value, None, written, unit.kind, "about",
                               sent.language, index, unit.factor, unit.base)
                    )
            start, qualifier = _extend_left(text, sent.start, start, patterns)
            out.append(
                Figure(
                    text[start:end], start, end, num.value, None, written, unit.kind, qualifier,
                    sent.language, index, unit.factor, unit.base,
                )
            )
    return out


def _date_figures(text: str, sent: Sentence, index: int, patterns: Patterns) -> list[Figure]:
    """Completion dates ("by the end of 2026", "до конца 2026 года", "2026 sonuna kadar")."""
    out = []
    for pattern in patterns.dates:
        for m in pattern.finditer(text, sent.start, sent.end):
            start, end = m.span("year")
            out.append(Figure(m.group("year"), start, end, float(m.group("year")), None, "year", "date", "about", sent.language, index, 1.0, "year"))
    return out


def _overlaps(a: Figure, b: Figure) -> bool:
    return a.start < b.end and b.start < a.end


def find_figures(text: str, sents: list[Sentence], patterns: Patterns) -> list[Figure]:
    """Every figure of the text, in text order, overlaps resolved.

    Where two readings overlap ("50m" a length, "$50m" money; "1,2 млн т"
    tonnes, not "т" alone), the longer wins, then the length.
    """
    found: list[Figure] = []
    for i, sent in enumerate(sents):
        found.extend(_length_figures(text, sent, i, patterns))
        found.extend(_other_figures(text, sent, i, patterns))
        found.extend(_date_figures(text, sent, i, patterns))
    found.sort(key=lambda f: (-(f.end - f.start), not f.is_length, f.start))
    kept: list[Figure] = []
    for fig in found:
        if not any(_overlaps(fig, k) for k in kept):
            kept.append(fig)
    return sorted(kept, key=lambda f: (f.start, f.end))
