"""The figure patterns of ``data/patterns.toml``, read and compiled once.

Everything language-specific about finding a figure (unit spellings, scale
and number words, qualifiers, range separators, each language's thousands and
decimal marks) is data in ``patterns.toml``, which curators extend; this
module only compiles it. A curator's extra file is merged over the shipped one:
lists are extended, tables updated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from number_parser.data import az as _np_az
from number_parser.data import en as _np_en
from number_parser.data import ru as _np_ru
from number_parser.data import tr as _np_tr

from transcaspian import tomltext
from transcaspian.errors import DataError

LANGUAGES = ("en", "ru", "az", "tr", "kk")
_FLAGS = re.IGNORECASE | re.UNICODE
#: A unit or word may not continue a word on its left (it may follow a digit: "380km").
_LEFT = r"(?<![^\W\d_])"
#: ... nor run on into a letter on its right ("km" is not the start of "kmh").
_RIGHT = r"(?![^\W\d_])"


@dataclass(frozen=True)
class LengthUnit:
    """A length unit: its claim unit (km, mi, nmi, m) and size in km."""

    name: str
    factor: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class OtherUnit:
    """A unit of a figure that is not a length (money, tonnes, Tbps, days ...)."""

    kind: str
    base: str
    factor: float
    prefix: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Conventions:
    """How a language writes numbers: group separators and decimal marks."""

    thousands: tuple[str, ...]
    decimal: tuple[str, ...]
    three_digit_thousands: tuple[str, ...]


@dataclass(frozen=True)
class Patterns:
    """The compiled contents of ``patterns.toml``."""

    length_units: tuple[LengthUnit, ...]
    other_units: tuple[OtherUnit, ...]
    not_length_after: re.Pattern[str]
    not_length_before: re.Pattern[str]
    scale_words: Mapping[str, float]
    number_words: Mapping[str, Mapping[str, tuple[str, float]]]
    qualifiers_before: tuple[tuple[str, re.Pattern[str]], ...]
    qualifiers_after: tuple[tuple[str, re.Pattern[str]], ...]
    range_separator: re.Pattern[str]
    range_opener: re.Pattern[str]
    conventions: Mapping[str, Conventions]
    dates: tuple[re.Pattern[str], ...] = ()


def _alternation(forms: list[str]) -> str:
    # longest first, so "kilometres" wins over "km" where both could match
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _package_words() -> dict[str, dict[str, tuple[str, float]]]:
    """Number words by language from the number-parser package's CLDR tables.

    number-parser's ``parse_number`` covers English and Russian only; its word
    tables also cover Turkish and Azerbaijani, so one evaluator
    (:func:`transcaspian.textcheck.numbers.evaluate`) reads all five languages
    the same way, digits and words mixed ("1 тыс. 767", "bin 768").
    """
    out: dict[str, dict[str, tuple[str, float]]] = {}
    for lang, module in (("en", _np_en), ("ru", _np_ru), ("tr", _np_tr), ("az", _np_az)):
        info = module.info
        words: dict[str, tuple[str, float]] = {}
        for table in ("UNIT_NUMBERS", "DIRECT_NUMBERS", "TENS", "HUNDREDS"):
            for word, value in info.get(table, {}).items():
                words[word.lower()] = ("num", float(value))
        for word, value in info.get("BIG_POWERS_OF_TEN", {}).items():
            words[word.lower()] = ("hundred" if value == 100 else "scale", float(value))
        out[lang] = words
    out["kk"] = {}
    return out


def compile_patterns(doc: Mapping[str, Any]) -> Patterns:
    """Compile a parsed ``patterns.toml`` document.

    Raises
    ------
    DataError
        When a pattern is not a valid regular expression.
    """
    try:
        length_units = tuple(
            LengthUnit(spec.get("claim_unit", name), float(spec["factor"]),
                       re.compile(_LEFT + _alternation(spec["forms"]) + _RIGHT, _FLAGS))
            for name, spec in doc["length_units"].items()
        )
        other_units = tuple(
            OtherUnit(spec["kind"], spec["base"], float(spec["factor"]), bool(spec.get("prefix", False)),
                      re.compile((_LEFT if spec.get("prefix") is not True else "") + _alternation(spec["forms"]) + _RIGHT, _FLAGS))
            for spec in doc["other_units"]
        )
        words = _package_words()
        for lang, extra in doc.get("number_words", {}).items():
            table = words.setdefault(lang, {})
            for word, value in extra.items():
                kind = "scale" if value >= 1000 else "hundred" if value == 100 else "num"
                table[word.lower()] = (kind, float(value))
        quals = doc["qualifiers"]
        before = tuple(
            (q, re.compile(r"(?:^|(?<=[\s(]))" + _alternation(quals[q]) + r"\s*$", _FLAGS)) for q in ("over", "under", "about")
        )
        after = tuple(
            (q.removeprefix("after_"), re.compile(_alternation(quals[q]) + _RIGHT, _FLAGS))
            for q in ("after_over", "after_under", "after_about")
            if q in quals
        )
        return Patterns(
            length_units=length_units,
            other_units=other_units,
            not_length_after=re.compile(_alternation(doc["length_context"]["not_after"]), _FLAGS),
            not_length_before=re.compile(_alternation(doc["length_context"]["not_before"]), _FLAGS),
            scale_words={k.lower(): float(v) for k, v in doc["scale_words"].items()},
            number_words=words,
            qualifiers_before=before,
            qualifiers_after=after,
            range_separator=re.compile(_alternation(doc["ranges"]["separators"]) + "$", _FLAGS),
            range_opener=re.compile(r"(?:^|(?<=\s))" + _alternation(doc["ranges"]["openers"]) + r"\s+$", _FLAGS),
            conventions={
                lang: Conventions(tuple(spec["thousands"]), tuple(spec["decimal"]), tuple(spec["three_digit_thousands"]))
                for lang, spec in doc["languages"].items()
            },
            dates=tuple(re.compile(_LEFT + form, _FLAGS) for form in doc.get("dates", {}).get("forms", [])),
        )
    except re.error as error:
        raise DataError(f"a pattern is not a valid regular expression ({error}); fix it", file="patterns.toml") from None
    except (KeyError, TypeError, ValueError) as error:
        raise DataError(f"is missing or has a bad entry {error}; compare with the shipped patterns.toml", file="patterns.toml") from None


def _shipped_doc() -> dict[str, Any]:
    text = resources.files("transcaspian.textcheck").joinpath("data").joinpath("patterns.toml").read_text(encoding="utf-8")
    return tomltext.loads_shipped(text)


@lru_cache(maxsize=1)
def shipped_patterns() -> Patterns:
    """The patterns shipped with the package."""
    return compile_patterns(_shipped_doc())


def load_patterns(extra: str | Path | None = None) -> Patterns:
    """The shipped patterns, extended by a curator's file when given.

    Raises
    ------
    DataError
        When the extra file cannot be read or is not valid TOML.
    """
    if extra is None:
        return shipped_patterns()
    try:
        doc = tomltext.loads(Path(extra).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot be read ({error.__class__.__name__}); check the path", file=str(extra)) from None
    except tomltext.TOMLDecodeError as error:
        raise DataError(f"is not valid TOML: {error}", file=str(extra)) from None
    return compile_patterns(_merge(_shipped_doc(), doc))
