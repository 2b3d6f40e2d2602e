"""Numbers as written in news text: digits in each language's conventions, words, or both.

``1,768`` (English), ``1 768`` and ``1 768`` (Russian, Kazakh), ``1.768`` and
``1.100`` (Turkish, Azerbaijani), ``1,2 млн``, ``1 тыс. 767``, ``bin 768``,
``two thousand``: :func:`number_before` finds the number that ends at a
position (just before a unit) and returns its value and where it starts.

Hand-written on purpose: the number-parser package reads words in English and
Russian only and never digits mixed with words or scale abbreviations
("1 тыс. 767"); its word tables (English, Russian, Turkish, Azerbaijani) are
used here, with Kazakh and the abbreviations from ``patterns.toml``, by one
evaluator, so the five languages read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transcaspian.textcheck.patterns import Conventions, Patterns

#: A run of digits with group separators ("1,075,336", "1 768", "1.768,5") or a plain number.
_DIGITS = r"\d{1,3}(?:(?:[,.]|[ \u00a0\u202f\u2009])\d{3})+(?!\d)(?:[.,]\d+(?![.,]?\d))?|\d+(?:[.,]\d+)?"
#: Tokens: digit runs, words (with a trailing dot for abbreviations: "тыс."), other characters.
_TOKEN = re.compile(rf"(?P<d>{_DIGITS})|(?P<w>[^\W\d_]+\.?)|(?P<o>\S)", re.UNICODE)
#: Words that join number words ("two hundred and five", "сто и ...").
_JOINERS = frozenset({"and", "и", "və", "ve"})


@dataclass(frozen=True)
class Token:
    """One token of a text: ``kind`` is ``d`` (digits), ``w`` (word) or ``o`` (other)."""

    kind: str
    text: str
    start: int
    end: int


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    return [Token(m.lastgroup or "o", m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def digits_value(raw: str, conv: Conventions, scaled: bool = False) -> float | None:
    """The value of a digit run in a language's conventions.

    Parameters
    ----------
    raw : str
        Digits with separators, e.g. ``"1,768"``, ``"1 768"``, ``"1.100"``.
    conv : Conventions
        The language's thousands and decimal marks.
    scaled : bool
        True when a scale word follows ("1,768 тыс."): a single mark before
        three digits is then a decimal mark where the language uses it so.

    Returns
    -------
    float or None
        None when the separators fit no reading.

    Examples
    --------
    >>> from transcaspian.textcheck.patterns import shipped_patterns
    >>> tr = shipped_patterns().conventions["tr"]
    >>> digits_value("1.100", tr), digits_value("2,5", tr)
    (1100.0, 2.5)
    """
    seps = [(i, ch) for i, ch in enumerate(raw) if not ch.isdigit()]
    if not seps:
        return float(raw)
    kinds = [ch for _, ch in seps]
    last_i, last = seps[-1]
    tail = raw[last_i + 1 :]
    decimal_at: int | None = None
    if len(set(kinds)) > 1:
        # two kinds of mark: the last one is the decimal mark ("1,768.5", "1.768,5")
        if last not in conv.decimal and last not in (",", "."):
            return None
        decimal_at = last_i
        groups = kinds[:-1]
    elif len(seps) == 1 and (len(tail) != 3 or scaled or last not in conv.three_digit_thousands):
        if last not in conv.decimal:
            return None if len(tail) != 3 or last not in conv.thousands else _plain(raw, None)
        decimal_at = last_i
        groups = []
    else:
        groups = kinds
    if any(g not in conv.thousands and g not in conv.three_digit_thousands for g in groups):
        return None
    return _plain(raw, decimal_at)


def _plain(raw: str, decimal_at: int | None) -> float:
    whole = raw if decimal_at is None else raw[:decimal_at]
    frac = "" if decimal_at is None else raw[decimal_at + 1 :]
    digits = "".join(ch for ch in whole if ch.isdigit())
    return float(f"{digits}.{frac}" if frac else digits)


def _word_value(word: str, lang: str, patterns: Patterns) -> tuple[str, float] | None:
    low = word.lower()
    if low in patterns.scale_words and (len(low) > 1 or lang == "en"):
        return ("scale", patterns.scale_words[low])
    bare = low.rstrip(".")
    table = patterns.number_words.get(lang, {})
    if bare in table:
        return table[bare]
    if bare in patterns.scale_words:
        return ("scale", patterns.scale_words[bare])
    return None


def evaluate(parts: list[tuple[str, float]]) -> float | None:
    """The value of a sequence of number parts, read left to right.

    ``("num", v)`` adds, ``("hundred", 100)`` multiplies what came since the
    last scale, ``("scale", 1000 ...)`` closes a group: ``bin yedi yüz altmış
    sekiz`` is 1768, ``1 тыс. 767`` is 1767, ``1.2 million`` is 1,200,000.

    Examples
    --------
    >>> evaluate([("scale", 1000.0), ("num", 768.0)])
    1768.0
    """
    total = 0.0
    current = 0.0
    seen = False
    for kind, value in parts:
        if kind == "num":
            current += value
        elif kind == "hundred":
            current = (current or 1.0) * value
        else:
            if current == 0 and total and total < value:
                total *= value  # "one hundred thousand"
            else:
                total += (current or 1.0) * value
            current = 0.0
        seen = True
    return total + current if seen else None


@dataclass(frozen=True)
class Number:
    """A number found in text: its value and where it starts and ends."""

    value: float
    start: int
    end: int
    has_digits: bool


def number_before(text: str, end: int, lang: str, patterns: Patterns, floor: int = 0) -> Number | None:
    """The number written just before ``end`` (a unit's start), if any.

    Whitespace or one hyphen may stand between the number and ``end``
    ("380 km", "380-km", "380km"). Reads back over digits, number words, scale
    words and joiners, and keeps the longest run that reads as one number: in
    "2019 380 km" two digit runs cannot be one number, so it is 380.

    Parameters
    ----------
    text : str
    end : int
        Offset the number must end at (modulo spacing).
    lang : str
        Language code, for number words and conventions.
    patterns : Patterns
    floor : int
        Do not read before this offset (the sentence start).
    """
    window = tokens(text, max(floor, end - 80), end)
    conv = patterns.conventions.get(lang, patterns.conventions["en"])
    i = len(window) - 1
    if i >= 0 and window[i].kind == "o" and window[i].text in "-‐" and window[i].end == end:
        i -= 1
    run: list[tuple[Token, tuple[str, float]]] = []
    while i >= 0:
        tok = window[i]
        if run and text[tok.end : run[0][0].start].strip():
            break  # only whitespace may separate the parts
        if tok.kind == "d":
            nxt_scaled = bool(run) and run[0][1][0] == "scale"
            value = digits_value(tok.text, conv, scaled=nxt_scaled)
            if value is None:
                break
            run.insert(0, (tok, ("num", value)))
        elif tok.kind == "w":
            part = _word_value(tok.text, lang, patterns)
            if part is None:
                if tok.text.lower() in _JOINERS and run and i > 0 and _word_value(window[i - 1].text, lang, patterns):
                    i -= 1
                    continue
                break
            run.insert(0, (tok, part))
        else:
            break
        i -= 1
    # drop leading parts that cannot join the rest: two numbers in a row ("2019 380")
    while run:
        clash = next((k for k in range(1, len(run)) if run[k][0].kind == "d" and run[k - 1][1][0] == "num"), None)
        if clash is None:
            break
        run = run[clash:]
    if not run:
        return None
    if len(run) == 1 and run[0][0].kind == "w" and run[0][1][0] == "scale":
        # a lone scale word is a number only where the language says so ("bin km", "a thousand km"),
        # not an abbreviation or a plural ("thousands of km")
        if run[0][0].text.lower().rstrip(".") not in patterns.number_words.get(lang, {}):
            return None
    value = evaluate([p for _, p in run])
    if value is None or value <= 0:
        return None
    return Number(value, run[0][0].start, run[-1][0].end, any(t.kind == "d" for t, _ in run))


def number_after(text: str, start: int, lang: str, patterns: Patterns, ceiling: int | None = None) -> Number | None:
    """The number written just after ``start`` (after a prefix unit: "$50 million", "%39")."""
    window = tokens(text, start, min(len(text), start + 60) if ceiling is None else min(ceiling, start + 60))
    conv = patterns.conventions.get(lang, patterns.conventions["en"])
    if not window or window[0].kind != "d" or text[start : window[0].start].strip():
        return None
    parts = []
    value = digits_value(window[0].text, conv)
    if value is None:
        return None
    parts.append(("num", value))
    last = window[0]
    if len(window) > 1 and window[1].kind == "w":
        part = _word_value(window[1].text, lang, patterns)
        if part is not None and part[0] == "scale":
            scaled = digits_value(window[0].text, conv, scaled=True)
            parts = [("num", scaled if scaled is not None else value), part]
            last = window[1]
    total = evaluate(parts)
    if total is None:
        return None
    end = last.end - 1 if last.kind == "w" and last.text.endswith(".") and last.text[:-1].lower() in patterns.scale_words else last.end
    return Number(total, window[0].start, end, True)
