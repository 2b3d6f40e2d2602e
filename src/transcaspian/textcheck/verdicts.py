"""Judge the figures of a text with the judging code of ``transcaspian check``.

Each length figure tied to a subject becomes a claim (role ``headline``, the
article as its source), is measured with
:func:`transcaspian.claims.judge.measure_subject` and judged with
:func:`transcaspian.claims.judge.judge`: the same tolerances and verdicts as
``check``. A register claim with the same subject (or the same measured
geometry) and the same stated figure is named as the figure's match, and its
tolerance, where it states one, is the one applied, so a figure gets the
verdict ``check`` gives that claim. Other figures are compared with the
register's non-length claims about the same subject.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from transcaspian.claims.judge import Check, Measurement, judge, measure_subject
from transcaspian.claims.model import LENGTH, Claim, Register, Subject
from transcaspian.errors import DataError
from transcaspian.geo.countries import CountryIndex
from transcaspian.network.lines import Network
from transcaspian.textcheck.figures import Figure
from transcaspian.textcheck.gazetteer import Gazetteer
from transcaspian.textcheck.patterns import Patterns
from transcaspian.textcheck.reading import Sentence
from transcaspian.textcheck.tying import Tie

#: The verdict of a length figure no subject could be found for.
NO_SUBJECT = "no_subject"
#: Relative difference under which two stated figures are the same figure.
_SAME = 5e-4
#: Difference (km) under which two subjects are the same geometry.
_SAME_KM = 1e-3


@dataclass(frozen=True)
class JudgedFigure:
    """A length figure with its subject and verdict.

    Attributes
    ----------
    figure : Figure
    tie : Tie
    subject_name : str
        The subject for people: "Baku–Tbilisi–Ceyhan (BTC) crude oil pipeline, in GEO".
    check : Check or None
        The judgement; None for ``no_subject``.
    register_claim : Claim or None
        The register claim with the same subject and figure.
    verdict, reason : str
    """

    figure: Figure
    tie: Tie
    subject_name: str
    check: Check | None
    register_claim: Claim | None
    verdict: str
    reason: str

    @property
    def counts(self) -> bool:
        """True for a figure with a subject: these decide the exit status."""
        return self.tie.subject is not None


@dataclass(frozen=True)
class ComparedFigure:
    """A figure that is not a length, compared with the register's facts.

    ``comparison`` is ``matches`` (a register claim about the same subject
    gives the same value), ``differs`` (register claims about it give other
    values: ``register_claim`` is the canonical or first of them) or
    ``no_claim``.
    """

    figure: Figure
    tie: Tie
    subject_name: str
    register_claim: Claim | None
    comparison: str


def subject_name(subject: Subject | None, names: dict[str, str], place_names: dict[str, str]) -> str:
    """A subject for people: the line's name and its part."""
    if subject is None:
        return ""
    base = " + ".join(names.get(i, i) for i in subject.ids)
    if subject.start:
        return f"{base}, {place_names.get(subject.start, subject.start)} to {place_names.get(subject.end, subject.end)}"
    if subject.country:
        return f"{base}, part in {subject.country}"
    return base


def _interval(fig: Figure) -> tuple[float, float]:
    low = fig.value * fig.factor
    if fig.qualifier == "range" and fig.value_max is not None:
        return low, fig.value_max * fig.factor
    if fig.qualifier == "over":
        return low, math.inf
    if fig.qualifier == "under":
        return 0.0, low
    return low, low


def _same(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= _SAME * max(abs(a), abs(b), 1e-9)


#: Subject measurements per network (the network is kept with them, so its id is not reused).
_MEASURED: dict[int, tuple[Network, dict[str, Measurement | None]]] = {}


@dataclass
class Judge:
    """Everything judging needs: the network, country polygons, the register."""

    network: Network
    countries: CountryIndex
    register: Register
    gazetteer: Gazetteer
    patterns: Patterns

    def __post_init__(self) -> None:
        # measurements depend on the network only: kept across articles checked in one process
        entry = _MEASURED.setdefault(id(self.network), (self.network, {}))
        if entry[0] is not self.network:
            entry = _MEASURED[id(self.network)] = (self.network, {})
        self._measured: dict[str, Measurement | None] = entry[1]
        gd = self.network.geodata
        self.names = {k: v.name for k, v in gd.legs.items()} | {k: v.name for k, v in gd.routes.items()}
        self.names |= {k: v.title for k, v in gd.layers.items()}
        self.place_names = {k: v.name for k, v in gd.places.items()}

    def measure(self, subject: Subject) -> Measurement | None:
        """The subject measured, cached by its key."""
        if subject.key not in self._measured:
            try:
                m = measure_subject(subject, self.network, self.countries)
            except (KeyError, ValueError):
                m = None
            self._measured[subject.key] = m
        return self._measured[subject.key]

    def _same_subject(self, a: Subject, b: Subject | None) -> bool:
        if b is None:
            return False
        if a.key == b.key:
            return True
        if a.kind == "layer" or b.kind == "layer":
            return False
        ma, mb = self.measure(a), self.measure(b)
        return ma is not None and mb is not None and abs(ma.length_km - mb.length_km) < _SAME_KM

    def matching_claim(self, fig: Figure, subject: Subject) -> tuple[Claim | None, list[Claim]]:
        """The register claim with the same subject and figure, and all length claims about the subject."""
        about = [c for c in self.register.length_claims() if c.checkable and self._same_subject(subject, c.subject)]
        low, high = _interval(fig)
        same = [c for c in about if all(_same(x, y) for x, y in zip(c.stated_km(), (low, high)))]
        same.sort(key=lambda c: ("canonical", "variant", "headline").index(c.role))
        return (same[0] if same else None), about

    def judge_length(self, fig: Figure, tie: Tie, index: int, sentence: str, source_id: str) -> JudgedFigure:
        """The verdict on one length figure."""
        name = subject_name(tie.subject, self.names, self.place_names)
        if tie.subject is None:
            cands = ", ".join(tie.candidates) if tie.candidates else "none"
            return JudgedFigure(fig, tie, "", None, None, NO_SUBJECT, f"{tie.reason}; candidates: {cands}")
        match, about = self.matching_claim(fig, tie.subject)
        claim = figure_claim(fig, tie.subject, index, sentence, source_id, match.tolerance if match else None)
        check = judge(claim, self.measure(tie.subject))
        reason = check.reason
        if match is not None:
            reason += f"; the register's claim '{match.id}' ({match.source}) gives this figure"
            if check.verdict != "consistent" and match.notes:
                reason += f" (register note: {match.notes})"
        else:
            canon = next((c for c in about if c.role == "canonical"), None)
            reason += "; a figure the register does not have" + (f" (its canonical figure: {canon.stated_text()}, '{canon.id}')" if canon else "")
        return JudgedFigure(fig, tie, name, check, match, check.verdict, reason)

    def compare_other(self, fig: Figure, tie: Tie) -> ComparedFigure:
        """Compare a non-length figure with the register's facts about its subject."""
        name = subject_name(tie.subject, self.names, self.place_names)
        if tie.subject is None:
            return ComparedFigure(fig, tie, "", None, "no_claim")
        ids = set(tie.subject.ids) | set(self.gazetteer.systems[tie.system].subject if tie.system in self.gazetteer.systems else ())
        if fig.kind == "date":
            return self._compare_date(fig, tie, name, ids)
        facts = []
        for c in self.register.facts():
            if c.subject is None or not set(c.subject.ids) & ids or isinstance(c.value, str):
                continue
            unit = fact_unit(c, self.patterns)
            if unit is None or unit[0] != fig.kind or unit[1] != fig.base:
                continue
            facts.append((c, float(c.value) * unit[2]))
        if not facts:
            return ComparedFigure(fig, tie, name, None, "no_claim")
        for c, value in facts:
            if _same(value, fig.base_value):
                return ComparedFigure(fig, tie, name, c, "matches")
        facts.sort(key=lambda cv: ("canonical", "variant", "headline").index(cv[0].role))
        return ComparedFigure(fig, tie, name, facts[0][0], "differs")

    def _compare_date(self, fig: Figure, tie: Tie, name: str, ids: set[str]) -> ComparedFigure:
        """A completion year against the register's dates about the subject (completion first)."""
        dates = sorted(
            (c for c in self.register.facts() if c.subject is not None and set(c.subject.ids) & ids and c.unit == "date"),
            key=_date_rank,
        )
        if not dates:
            return ComparedFigure(fig, tie, name, None, "no_claim")
        year = f"{fig.value:.0f}"
        same = [c for c in dates if year in str(c.value)]
        return ComparedFigure(fig, tie, name, same[0], "matches") if same else ComparedFigure(fig, tie, name, dates[0], "differs")


def _date_rank(claim: Claim) -> tuple[int, int]:
    return (0 if "completion" in claim.metric else 1, ("canonical", "variant", "headline").index(claim.role))


def fact_unit(claim: Claim, patterns: Patterns) -> tuple[str, str, float] | None:
    """(kind, base unit, factor) of a register fact's unit text, e.g. "million USD" -> (money, USD, 1e6)."""
    words = claim.unit.replace("/", " / ").split()
    scale = 1.0
    while words and words[0].lower() in patterns.scale_words:
        scale *= patterns.scale_words[words.pop(0).lower()]
    rest = " ".join(words)
    for unit in patterns.other_units:
        if unit.prefix:
            continue
        m = unit.pattern.match(rest)
        if m:
            return unit.kind, unit.base, unit.factor * scale
    return None


def figure_claim(fig: Figure, subject: Subject, index: int, sentence: str, source_id: str, tolerance: object = None) -> Claim:
    """A length figure as a claim record (role ``headline``, the article as source)."""
    if not fig.is_length:
        raise DataError("only a length figure becomes a length claim")
    value: float | int = int(fig.value) if float(fig.value).is_integer() else fig.value
    vmax = None if fig.value_max is None else (int(fig.value_max) if float(fig.value_max).is_integer() else fig.value_max)
    return Claim(
        id=f"{source_id}_{index + 1}",
        subject=subject,
        metric=LENGTH,
        value=value,
        unit=fig.unit,
        role="headline",
        source=source_id,
        qualifier=fig.qualifier,
        value_max=vmax,
        tolerance=tolerance,  # type: ignore[arg-type]
        says=sentence,
    )


def judge_all(
    figures: Sequence[Figure], ties: Sequence[Tie], sents: Sequence[Sentence], text: str, judge_: Judge, source_id: str
) -> tuple[list[JudgedFigure], list[ComparedFigure]]:
    """Judge every length figure and compare every other figure."""
    lengths: list[JudgedFigure] = []
    others: list[ComparedFigure] = []
    for fig, tie in zip(figures, ties):
        sentence = text[sents[fig.sentence].start : sents[fig.sentence].end]
        if fig.is_length:
            lengths.append(judge_.judge_length(fig, tie, len(lengths), sentence, source_id))
        else:
            others.append(judge_.compare_other(fig, tie))
    return lengths, others
