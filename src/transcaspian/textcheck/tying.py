"""Tie each length figure to the line it is about, or say it cannot.

Cues, weighed by how close they stand to the figure (its own clause, its
sentence, the sentences around it, the title):

- a system's proper name ("BTC", "Баку–Тбилиси–Джейхан", "Bakü-Tiflis-Ceyhan");
- a generic word ("the pipeline", "кабель", "dəmir yolu") and the systems it
  can mean, with the curator's default where there is one;
- a sea ("Caspian", "Karadeniz") that narrows the systems;
- two places in the figure's clause ("from Akhalkalaki to Kars", "between
  Aktau and Sumgayit", "Ақтау мен Сумгаит арасындағы"): the lines that pass
  both, and the section between them;
- a country phrase in the clause ("in Georgia", "по территории Азербайджана",
  "Türkiye'de"): the part of the line in that country;
- a part word ("subsea", "подводный", "sualtı"): that part of a system.

When no system leads clearly, the figure gets no subject and the candidates
are listed: a wrong subject would give a confident wrong verdict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from transcaspian.claims.model import Subject
from transcaspian.textcheck.figures import Figure
from transcaspian.textcheck.gazetteer import Gazetteer, Mention
from transcaspian.textcheck.reading import Sentence

#: Weight of a cue by where it stands: the figure's clause, its sentence, before, after, the title.
_WEIGHTS = {"clause": 1.0, "sentence": 0.8, "previous": 0.5, "earlier": 0.3, "next": 0.3, "title": 0.3}
_SCORES = {"system": 3.0, "category_default": 1.5, "category": 1.0, "region": 1.5, "pair": 3.0, "place": 0.5, "part": 1.0}
#: A system leads when its score is at least this, and this much above the next one.
MIN_SCORE = 1.0
MIN_LEAD = 0.5


@dataclass(frozen=True)
class Tie:
    """What a figure is about.

    Attributes
    ----------
    subject : Subject or None
        None when it cannot be told (``no_subject``).
    system : str
        The gazetteer system the subject belongs to, ``""`` without one.
    candidates : tuple of str
        For ``no_subject``: the systems it could be about, best first.
    reason : str
        How it was tied, or why not.
    """

    subject: Subject | None
    system: str = ""
    candidates: tuple[str, ...] = ()
    reason: str = ""


def _where(m: Mention, fig: Figure, clause: tuple[int, int], sents: Sequence[Sentence]) -> str | None:
    s = sents[fig.sentence]
    if clause[0] <= m.start and m.end <= clause[1]:
        return "clause"
    if s.start <= m.start and m.end <= s.end:
        return "sentence"
    idx = next((i for i, t in enumerate(sents) if t.start <= m.start < max(t.end, t.start + 1)), None)
    if idx is None:
        return None
    if idx == fig.sentence - 1:
        return "previous"
    if fig.sentence - 3 <= idx < fig.sentence - 1:
        return "earlier"
    if idx == fig.sentence + 1:
        return "next"
    if idx == 0:
        return "title"
    return None


_JOINED = re.compile(r"^[\s\-–—‐‑]+$")


def _pair_lines(gaz: Gazetteer, places: list[Mention], text: str = "") -> tuple[list[str], tuple[str, str] | None]:
    """Systems passing two named places, and the place names, from place mentions in order.

    Two names joined by a dash ("Жезказган – Бейнеу") are the pair; otherwise the first
    and the last ("from Baku via Tbilisi and Akhalkalaki to Kars").
    """
    keys = list(dict.fromkeys(m.key for m in places))
    if len(keys) < 2:
        return [], None
    a, b = keys[0], keys[-1]
    for m, n in zip(places, places[1:]):
        if m.key != n.key and text and _JOINED.match(text[m.end : n.start]):
            a, b = m.key, n.key
            break
    ga, gb = set(gaz.place_groups[a]), set(gaz.place_groups[b])
    hits = [sid for sid, sys in gaz.systems.items() if sys.places and ga & set(sys.places) and gb & set(sys.places) and ga != gb]
    return hits, (a, b)


def _section(gaz: Gazetteer, sid: str, pair: tuple[str, str]) -> tuple[str, str] | None:
    """The place ids of a named pair on a system's line, in line order (None if not both on it)."""
    places = gaz.systems[sid].places
    ends = []
    for key in pair:
        on = [p for p in places if p in gaz.place_groups[key]]
        if not on:
            return None
        ends.append(on[0])
    if ends[0] == ends[1]:
        return None
    i, j = sorted((places.index(ends[0]), places.index(ends[1])))
    return places[i], places[j]


#: Where the text between two figures splits into the clause of each: the first comma,
#: semicolon, colon, dash or conjunction ("443 km in Azerbaijan, 249 km in Georgia").
_SPLIT = re.compile(r"[,;:()]|\s[–—]\s|\s(?:and|while|whereas|и|а|və|ve|ile|ал|және)\s", re.IGNORECASE)


def _clause(fig: Figure, figures: Sequence[Figure], sent: Sentence, text: str) -> tuple[int, int]:
    """The figure's own stretch of its sentence, between its neighbours' clauses."""
    prev = max((f.end for f in figures if f.sentence == fig.sentence and f.end <= fig.start), default=None)
    nxt = min((f.start for f in figures if f.sentence == fig.sentence and f.start >= fig.end), default=None)
    start, end = sent.start, sent.end
    # without a separator, the words between two figures are split half and half: each
    # figure takes the words nearer to it ("из 1768 км БТД в Азербайджане - 443 км")
    if prev is not None:
        m = _SPLIT.search(text, prev, fig.start)
        start = m.end() if m else (prev + fig.start) // 2
    if nxt is not None:
        m = _SPLIT.search(text, fig.end, nxt)
        end = m.start() if m else (fig.end + nxt) // 2
    return start, end


def tie_figure(fig: Figure, figures: Sequence[Figure], sents: Sequence[Sentence], mentions: Sequence[Mention], gaz: Gazetteer, text: str = "") -> Tie:
    """Tie one length figure to a subject (see the module docstring for the cues)."""
    clause = _clause(fig, figures, sents[fig.sentence], text)
    same_sentence = [f for f in figures if f.sentence == fig.sentence and f.is_length]
    alone = len(same_sentence) <= 1
    scores: dict[str, float] = defaultdict(float)  # cues in the figure's own sentence
    context: dict[str, float] = defaultdict(float)  # cues in the sentences around it
    near: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        where = _where(m, fig, clause, sents)
        if where is None:
            continue
        near[where].append(m)
        w = _WEIGHTS[where]
        if where not in ("clause", "sentence"):
            _add_cue(context, m, where, w, gaz, alone)
            continue
        _add_cue(scores, m, where, w, gaz, alone)
    clause_places = [m for m in near["clause"] if m.kind == "place"]
    sentence_places = [m for m in near["clause"] + near["sentence"] if m.kind == "place"]
    sentence_places.sort(key=lambda m: m.start)
    # Two places in the figure's clause (or in its sentence, for a figure alone in it) are its
    # section; places elsewhere in a sentence of several figures only say which line it is on
    # ("Akhalkalaki–Kars is 105 km, 76 km of it in Turkey").
    pair_hits, pair = _pair_lines(gaz, clause_places, text)
    weight = 1.0
    if not pair_hits:
        pair_hits, pair = _pair_lines(gaz, sentence_places, text)
        weight = 1.0 if alone else _WEIGHTS["sentence"]
        if not alone:
            pair = None if not pair_hits else pair
    section_ok = weight == 1.0
    if pair_hits:
        for sid in pair_hits:
            scores[sid] += _SCORES["pair"] * weight
        # between two places, the most specific line: a leg or route ending at both, then the shortest
        best = max(scores[s] for s in pair_hits)
        top = [s for s in pair_hits if scores[s] >= best - 1e-9]
        if len(top) > 1:
            def fit(sid: str) -> tuple[int, int]:
                sec = _section(gaz, sid, pair) if pair else None
                places = gaz.systems[sid].places
                whole = sec is not None and (sec[0], sec[1]) == (places[0], places[-1])
                return (0 if whole else 1, len(places))
            chosen = min(top, key=fit)
            scores[chosen] += MIN_LEAD
        if not section_ok:
            pair = None
    else:
        for m in clause_places or (sentence_places if alone else []):
            for key, sys in gaz.systems.items():
                if set(gaz.place_groups[m.key]) & set(sys.places):
                    scores[key] += _SCORES["place"]
    # the sentences around a figure only speak when its own sentence cannot tell
    leader, why_not = _leader(scores, gaz)
    combined = defaultdict(float, scores)
    if leader is None:
        # ... and only choose among the systems it names, if it names any ("the railway")
        allowed = {k for k, v in scores.items() if v > 0}
        for k, v in context.items():
            if not allowed or k in allowed:
                combined[k] += v
        leader, why_not = _leader(combined, gaz)
    if leader is None:
        if why_not:
            return Tie(None, "", why_not, "several lines fit equally: " + ", ".join(why_not))
        ranked = sorted(((v, k) for k, v in combined.items() if v > 0), key=lambda t: (-t[0], t[1]))
        return Tie(None, "", tuple(k for _, k in ranked[:4]), "no line is named clearly enough near the figure")
    use_pair = pair if leader in pair_hits else None
    return Tie(_subject(gaz, leader, fig, near, use_pair, alone), leader, (), _why(gaz, leader, near, use_pair))


def _add_cue(scores: dict[str, float], m: Mention, where: str, w: float, gaz: Gazetteer, alone: bool) -> None:
    """Add what one name says to the systems' scores."""
    if m.kind == "system":
        scores[m.key] += _SCORES["system"] * w
    elif m.kind == "category":
        default = gaz.category_default.get(m.key)
        for sid in gaz.systems_of_kind(m.key):
            scores[sid] += (_SCORES["category_default"] if sid == default else _SCORES["category"] * (0.5 if default else 1)) * w
    elif m.kind == "region":
        for sid in gaz.systems_in_region(m.key):
            scores[sid] += _SCORES["region"] * w
    elif m.kind == "part" and (where == "clause" or (where == "sentence" and alone)):
        for sid, sys in gaz.systems.items():
            if m.key in sys.parts:
                scores[sid] += _SCORES["part"] * w


def _leader(scores: dict[str, float], gaz: Gazetteer) -> tuple[str | None, tuple[str, ...]]:
    """The system that leads clearly, or None and the systems that tie (best first)."""
    ranked = sorted(((v, k) for k, v in scores.items() if v > 0), key=lambda t: (-t[0], t[1]))
    if not ranked or ranked[0][0] < MIN_SCORE:
        return None, ()
    tied = [k for v, k in ranked if v > ranked[0][0] - MIN_LEAD]
    # the same subject under two names is no ambiguity
    if len({gaz.systems[k].subject for k in tied}) > 1:
        return None, tuple(tied[:4])
    return ranked[0][1], ()


def _subject(gaz: Gazetteer, sid: str, fig: Figure, near: dict[str, list[Mention]], pair: tuple[str, str] | None, alone: bool = True) -> Subject:
    sys = gaz.systems[sid]
    local = near["clause"] or []
    sentence = near["sentence"] or []
    if len(sys.subject) == 1 and sys.subject[0] in gaz.layers:
        return Subject("layer", sys.subject)
    parts = [m.key for m in local + (sentence if alone else []) if m.kind == "part" and m.key in sys.parts]
    if len(sys.subject) > 1:
        if parts:
            ids = sys.parts[parts[0]]
            return Subject("leg", ids) if len(ids) == 1 else Subject("legs", ids)
        return Subject("legs", sys.subject)
    line = sys.subject[0]
    kind = "route" if line in gaz.systems and gaz.systems[line].lines != frozenset({line}) else "leg"
    if pair is not None:
        sec = _section(gaz, sid, pair)
        if sec and (sec[0], sec[1]) != (sys.places[0], sys.places[-1]):
            return Subject(kind, (line,), sec[0], sec[1])
        if sec:
            return Subject(kind, (line,))
    countries = {gaz.place_countries.get(p, "") for p in sys.places}
    for m in local:
        if m.kind == "country" and m.key in countries:
            return Subject(kind, (line,), country=m.key)
    # a bare country name counts in an enumeration: several lengths, several countries
    # ("429 kilometresi Azerbaycan, 220 kilometresi Gürcistan ve 79 kilometresi Türkiye ...")
    named = {m.key for m in local + sentence if m.kind == "country_name"}
    if not alone and len(named) >= 2:
        for m in local:
            if m.kind == "country_name" and m.key in countries:
                return Subject(kind, (line,), country=m.key)
    return Subject(kind, (line,))


def _why(gaz: Gazetteer, sid: str, near: dict[str, list[Mention]], pair: tuple[str, str] | None) -> str:
    cues = []
    for where in ("clause", "sentence", "previous", "earlier", "next", "title"):
        for m in near[where]:
            if m.kind in ("system", "category", "region", "country", "part"):
                cues.append(f"{m.kind} '{m.key}' ({where})")
    if pair:
        cues.insert(0, f"places {pair[0]} and {pair[1]}")
    return "tied by " + ", ".join(dict.fromkeys(cues)) if cues else f"tied to {sid}"


def tie_figures(figures: Sequence[Figure], sents: Sequence[Sentence], text: str, gaz: Gazetteer) -> list[Tie]:
    """A :class:`Tie` for every figure (other figures too: their subject is compared with the register)."""
    mentions = gaz.mentions(text)
    return [tie_figure(f, figures, sents, mentions, gaz, text) for f in figures]
