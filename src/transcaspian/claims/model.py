"""Published figures as claims: records, validation and loading.

A claim is one published figure about one subject, with its source. Length
claims (``metric = "length"``) are held against the measured geometry by
:mod:`transcaspian.check`; every other figure (capacity, cost, throughput,
dates) is a *fact*: kept with its source and shown beside its feature, never
held against geometry.

The curated register is ``geodata/claims.toml``; ``transcaspian check
--claims FILE`` reads a file of the same format, which may also carry its own
``[[source]]`` records. A claim record::

    [[claim]]
    id = "btc_az_bp"
    subject = "btc"              # a leg, route or layer id, or a list of leg ids
    country = "AZE"              # optional: the part of the subject in one country
    # from = "...", to = "..."   # optional: the section between two of its places
    metric = "length"            # "length" (the default) is checked; anything else is a fact
    value = 443
    unit = "km"                  # km, m, mi or nmi for lengths; free text otherwise
    qualifier = "about"          # about (default) | over | under | range (+ value_max)
    role = "canonical"           # canonical | variant (the default) | headline
    tolerance = { short_pct = 10, long_pct = 5, why = "..." }   # optional
    source = "bp_azerbaijan_btc" # a source id
    says = "443 km of the 1,768 km are in Azerbaijan."
    attributed_to = ""           # optional: the outlet the source credits
    checkable = true             # false + reason: a figure no geometry can test
    parts = ["btc_az_bp", ...]   # optional: the claims the source gives as its parts
    correction = { value = 504, source = "...", evidence = "..." }  # optional: a misprint
    notes = ""

Every error names the file, the record and the field to fix; a file with
several bad records gets one line per problem (up to :data:`MAX_PROBLEMS`),
and a key a claim does not take is an error with the nearest valid key.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from transcaspian.errors import DataError
from transcaspian.network.records import (
    ISO3,
    Geodata,
    PathLike,
    Record,
    Source,
    default_geodata,
    parse_source,
    read_toml,
)

#: The one metric that is held against geometry.
LENGTH = "length"
#: Length units and their size in kilometres.
LENGTH_UNITS = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nmi": 1.852}
#: canonical: the figure the project holds the geometry to (one per subject);
#: variant: another published figure for the same subject; headline: a figure
#: as quoted in news or commentary. Only canonical claims decide the exit status.
ROLES = ("canonical", "variant", "headline")
#: about: the figure itself; over / under: a bound ("more than 340 km");
#: range: value to value_max ("380-400 km").
QUALIFIERS = ("about", "over", "under", "range")
CLAIMS_FILE = "claims.toml"
#: Every key a [[claim]] may have; any other is a typo (``countr = "AZE"`` would otherwise
#: be ignored and the whole line checked instead of its part).
CLAIM_KEYS = (
    "id", "subject", "country", "from", "to", "metric", "value", "value_max", "unit", "qualifier", "role",
    "tolerance", "source", "says", "attributed_to", "checkable", "reason", "notes", "parts", "correction",
)  # fmt: skip
#: At most this many problems of a claims file are reported in one run.
MAX_PROBLEMS = 20
#: Units that only label a text value; they are left out when it is shown.
TEXT_UNITS = ("date", "status", "text")


@dataclass(frozen=True)
class Tolerance:
    """How far a measured length may fall from a stated one and still agree.

    Attributes
    ----------
    short_pct : float
        How much shorter than the stated figure the measurement may be, in
        percent of the stated figure (``8`` accepts down to 92%).
    long_pct : float
        How much longer it may be, in percent (``3`` accepts up to 103%).
    basis : str
        Why this tolerance applies: a claim's own ``why``, or the default it
        came from.
    """

    short_pct: float
    long_pct: float
    basis: str = ""

    def __str__(self) -> str:
        return f"-{self.short_pct:g}%/+{self.long_pct:g}%"


@dataclass(frozen=True)
class Subject:
    """What a claim is about.

    Exactly one of the forms below:

    - ``ids = ("btc",)``: a whole leg or route;
    - ``ids = ("btk_railway",)``, ``start``/``end``: the section between two
      places of that leg or route;
    - ``ids = ("btc",)``, ``country``: the part of it inside one country;
    - ``ids = ("leg_a", "leg_b")``: the sum of several legs (a figure that
      spans legs no route joins);
    - ``ids = ("middle_corridor",)`` with ``kind = "layer"``: a whole network,
      which has no single length.
    """

    kind: str  # "leg", "route", "legs", "layer"
    ids: tuple[str, ...]
    start: str = ""
    end: str = ""
    country: str = ""

    @property
    def key(self) -> str:
        """Stable text form, used in tables and as the measurement key.

        ``btc``, ``btc@AZE``, ``btk_railway:tsalka..akhalkalaki`` or
        ``bsec_land_georgia+bsec_land_romania``.
        """
        base = "+".join(self.ids)
        if self.start:
            return f"{base}:{self.start}..{self.end}"
        if self.country:
            return f"{base}@{self.country}"
        return base

    @property
    def is_part(self) -> bool:
        """True for a section or a country part: cut at places or borders."""
        return bool(self.start or self.country)

    @property
    def line(self) -> str:
        """The leg or route id of a single-line subject, else ``""``."""
        return self.ids[0] if self.kind in ("leg", "route") else ""


@dataclass(frozen=True)
class Correction:
    """The corrected figure of a misprint, with the source that shows it.

    A misprint is kept in the register, with its correction and the evidence,
    rather than dropped: a reader who meets the wrong figure finds why.
    """

    value: float | str
    source: str
    evidence: str


@dataclass(frozen=True)
class Claim:
    """One published figure about one subject, with its source.

    ``value`` is a number for every length claim (in ``unit``); facts may
    also carry text (dates, periods). ``subject`` is ``None`` only for
    context figures about no feature (bilateral trade, say).
    """

    id: str
    subject: Subject | None
    metric: str
    value: float | str
    unit: str
    role: str
    source: str
    qualifier: str = "about"
    value_max: float | None = None
    tolerance: Tolerance | None = None
    says: str = ""
    attributed_to: str = ""
    checkable: bool = True
    reason: str = ""
    notes: str = ""
    file: str = ""
    parts: tuple[str, ...] = ()
    correction: Correction | None = None

    @property
    def is_length(self) -> bool:
        """True for a length claim, the only kind held against geometry."""
        return self.metric == LENGTH

    @property
    def subject_key(self) -> str:
        """The subject's key, ``""`` for a context figure about no feature."""
        return self.subject.key if self.subject is not None else ""

    @property
    def record(self) -> str:
        """How messages name the claim: ``claim '<id>'``."""
        return f"claim '{self.id}'"

    def stated_km(self) -> tuple[float, float]:
        """The stated length as an interval in km: (low, high).

        ``about``: (v, v); ``over``: (v, inf); ``under``: (0, v);
        ``range``: (v, value_max).
        """
        if not self.is_length or isinstance(self.value, str):
            raise ValueError(f"claim {self.id!r} is not a length claim")
        scale = LENGTH_UNITS[self.unit]
        value = float(self.value) * scale
        if self.qualifier == "over":
            return value, math.inf
        if self.qualifier == "under":
            return 0.0, value
        if self.qualifier == "range":
            return value, float(self.value_max) * scale  # type: ignore[arg-type]
        return value, value

    @property
    def value_km(self) -> float:
        """The quoted figure in km (the low end of a range)."""
        return float(self.value) * LENGTH_UNITS[self.unit]

    def stated_text(self) -> str:
        """The figure as a reader would write it: ``>340 km``, ``380–400 km``."""
        def num(v: Any) -> str:
            if isinstance(v, str):
                return v
            return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}".rstrip("0").rstrip(".")

        text = num(self.value)
        if self.qualifier == "range":
            text = f"{text}–{num(self.value_max)}"
        elif self.qualifier == "over":
            text = f">{text}"
        elif self.qualifier == "under":
            text = f"≤{text}"
        if isinstance(self.value, str) and self.unit in TEXT_UNITS:
            return text  # "end-2026", not "end-2026 date"
        return f"{text} {self.unit}".strip()


@dataclass(frozen=True)
class ClaimContext:
    """What claim subjects may name, so a register is checked when read.

    Attributes
    ----------
    lines : mapping
        Leg and route ids to the place ids along them, in order.
    routes : frozenset of str
        Which of ``lines`` are routes (the rest are legs).
    layers : frozenset of str
        Layer ids, allowed as subjects of network-wide figures.
    sources : mapping
        Source id to :class:`Source`.
    """

    lines: Mapping[str, tuple[str, ...]]
    routes: frozenset[str] = frozenset()
    layers: frozenset[str] = frozenset()
    sources: Mapping[str, Source] = field(default_factory=dict)
    #: True when subjects are features of a user's layer (messages then speak of features).
    user_layer: bool = False

    @classmethod
    def from_network(cls, network: Any) -> ClaimContext:
        """Context from a built :class:`transcaspian.network.lines.Network`."""
        lines = {lid: tuple(p for p, _ in line.place_vertices) for lid, line in network.legs.items()}
        lines.update({rid: tuple(p for p, _ in line.place_vertices) for rid, line in network.routes.items()})
        gd: Geodata = network.geodata
        return cls(lines, frozenset(network.routes), frozenset(gd.layers), dict(gd.sources))


@dataclass(frozen=True)
class Register:
    """Claims read from one file, and every source they may cite."""

    claims: tuple[Claim, ...]
    sources: Mapping[str, Source]
    file: str = ""

    def length_claims(self) -> tuple[Claim, ...]:
        """The claims held against geometry, in file order."""
        return tuple(c for c in self.claims if c.is_length)

    def facts(self) -> tuple[Claim, ...]:
        """The other figures (capacity, cost, dates ...), in file order."""
        return tuple(c for c in self.claims if not c.is_length)


def _value(rec: Record, metric: str) -> float | str:
    value = rec.table.get("value")
    if value is None:
        raise rec.error("is missing; add the figure as published", "value")
    if isinstance(value, str):
        if metric == LENGTH:
            raise rec.error(f"must be a number for a length claim, got {value!r}", "value")
        if not value.strip():
            raise rec.error("must not be empty", "value")
        return value
    number = rec.number("value")
    assert number is not None
    if metric == LENGTH and number <= 0:
        raise rec.error(f"{number:g} is not a length; give a positive number", "value")
    return value  # as published: 1768 stays an int in JSON


def did_you_mean(word: str, choices: Any, n: int = 3) -> list[str]:
    """The choices nearest ``word`` (difflib's ratio), best first; none when nothing is close."""
    return difflib.get_close_matches(word, [str(c) for c in choices], n=n, cutoff=0.6)


def _nearest_text(word: str, choices: Any, n: int = 1) -> str:
    near = did_you_mean(word, choices, n)
    return f"did you mean {' or '.join(repr(c) for c in near)}?" if near else ""


def _unknown_subject(rec: Record, ctx: ClaimContext, raw: str) -> DataError:
    if ctx.user_layer:
        near = did_you_mean(raw, ctx.lines, 5)
        ids = sorted(ctx.lines)
        shown = ", ".join(repr(i) for i in (near or ids[:8])) + ("" if near or len(ids) <= 8 else ", ...")
        lead = "the nearest feature ids" if near else "the layer's feature ids"
        return rec.error(f"no feature of the layer has id {raw!r}; {lead}: {shown} (ids come from --id-field)", "subject")
    known = "a leg, route" + (" or layer" if ctx.layers else "")
    hint = _nearest_text(raw, list(ctx.lines) + list(ctx.layers))
    return rec.error(f"unknown subject {raw!r}; use the id of {known}" + (f" ({hint})" if hint else ""), "subject")


def _subject(rec: Record, ctx: ClaimContext, metric: str, checkable: bool) -> Subject | None:
    raw = rec.table.get("subject")
    start, end = rec.str("from", required=False), rec.str("to", required=False)
    country = rec.str("country", required=False)
    if raw is None:
        if metric == LENGTH:
            raise rec.error("is missing; name the leg, route or list of legs the length is of", "subject")
        if start or end or country:
            raise rec.error("is missing; from, to and country need a subject", "subject")
        return None
    if isinstance(raw, list):
        if len(raw) < 2 or not all(isinstance(i, str) for i in raw):
            raise rec.error("a list subject must name at least two leg ids", "subject")
        for lid in raw:
            if lid not in ctx.lines or lid in ctx.routes:
                if ctx.user_layer:
                    raise _unknown_subject(rec, ctx, lid)
                raise rec.error(f"{lid!r} is not a leg id; a list subject sums legs", "subject")
        if len(set(raw)) != len(raw):
            raise rec.error("names a leg twice", "subject")
        if start or end or country:
            raise rec.error("a list of legs cannot be cut; name one leg or route to use from/to or country", "subject")
        return Subject("legs", tuple(raw))
    if not isinstance(raw, str) or not raw:
        raise rec.error(f"must be a leg, route or layer id, or a list of leg ids, got {raw!r}", "subject")
    if raw in ctx.layers and raw not in ctx.lines:
        if start or end or country:
            raise rec.error("a layer is a network, not a line; name a leg or route to cut it", "subject")
        return Subject("layer", (raw,))
    if raw not in ctx.lines:
        raise _unknown_subject(rec, ctx, raw)
    kind = "route" if raw in ctx.routes else "leg"
    if bool(start) != bool(end):
        raise rec.error("a section needs both from and to", "from" if not start else "to")
    if start and country:
        raise rec.error("give either a section (from/to) or a country, not both", "country")
    places = ctx.lines[raw]
    if start and ctx.user_layer and not places:
        raise rec.error(
            f"feature {raw!r} has no named places to cut it at (a layer's features have none): "
            "drop from/to to check the whole feature, or give country for its part in one country",
            "from",
        )
    for name, place in (("from", start), ("to", end)):
        if place and place not in places:
            shown = ", ".join(places) if len(places) <= 12 else ", ".join(places[:12]) + ", ..."
            raise rec.error(f"place {place!r} is not on {raw!r}; use one of {shown}", name)
    if start and start == end:
        raise rec.error("from and to are the same place; a section needs two", "to")
    if country and not ISO3.match(country):
        raise rec.error(f"{country!r} is not an ISO 3166 alpha-3 code (e.g. AZE)", "country")
    return Subject(kind, (raw,), start, end, country)


def _tolerance(rec: Record) -> Tolerance | None:
    raw = rec.table.get("tolerance")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise rec.error("must be a table: { short_pct = 8, long_pct = 3, why = \"...\" }", "tolerance")
    parts = []
    for name in ("short_pct", "long_pct"):
        value = raw.get(name)
        if value is None:
            raise rec.error(f"needs {name} (percent of the stated figure)", "tolerance")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise rec.error(f"{name} must be a number of percent, got {value!r}", "tolerance")
        if value < 0 or (name == "short_pct" and value >= 100):
            raise rec.error(f"{name} {value:g} is out of range; use 0 or more (short_pct below 100)", "tolerance")
        parts.append(float(value))
    why = raw.get("why", "")
    if not isinstance(why, str):
        raise rec.error("why must be text", "tolerance")
    return Tolerance(parts[0], parts[1], why or "stated in the claim")


def _correction(rec: Record, sources: Mapping[str, Source]) -> Correction | None:
    raw = rec.table.get("correction")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise rec.error('must be a table: { value = 504, source = "...", evidence = "..." }', "correction")
    value, source, evidence = raw.get("value"), raw.get("source"), raw.get("evidence")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (isinstance(value, float) and not math.isfinite(value)):
        raise rec.error(f"value must be the corrected figure, got {value!r}", "correction")
    if not isinstance(source, str) or source not in sources:
        raise rec.error(f"source {source!r} is not a known source id; name the source that shows the correction", "correction")
    if not isinstance(evidence, str) or not evidence.strip():
        raise rec.error("evidence is missing; quote what shows the figure is a misprint", "correction")
    return Correction(value, source, evidence)


def _check_keys(rec: Record) -> None:
    for key in rec.table:
        if key not in CLAIM_KEYS:
            hint = _nearest_text(str(key), CLAIM_KEYS)
            raise rec.error(
                f"unknown key {key!r}; " + (hint if hint else f"a claim takes {', '.join(CLAIM_KEYS)}"),
                str(key),
            )


def _parse_claim(rec: Record, ctx: ClaimContext) -> Claim:
    cid = rec.id()
    _check_keys(rec)
    # a claims file is mostly lengths: metric may be left out for them
    metric = rec.str("metric", required=False) or LENGTH
    if metric == "length_km":
        raise rec.error("write metric = \"length\" and give the unit in unit", "metric")
    checkable = rec.table.get("checkable", True)
    if not isinstance(checkable, bool):
        raise rec.error(f"must be true or false, got {checkable!r}", "checkable")
    reason = rec.str("reason", required=False)
    if not checkable and not reason:
        raise rec.error("is missing; say why the figure cannot be checked", "reason")
    value = _value(rec, metric)
    unit = rec.str("unit")
    if metric == LENGTH and unit not in LENGTH_UNITS:
        raise rec.error(f"is {unit!r}; a length takes one of {', '.join(LENGTH_UNITS)}", "unit")
    qualifier = rec.str("qualifier", required=False, choices=QUALIFIERS) or "about"
    value_max = rec.number("value_max", required=False)
    if qualifier == "range":
        if value_max is None:
            raise rec.error("is missing; a range needs value_max", "value_max")
        if isinstance(value, str) or value_max <= value:
            raise rec.error(f"{value_max:g} must be larger than value", "value_max")
    elif value_max is not None:
        raise rec.error("only a range takes value_max; set qualifier = \"range\"", "value_max")
    source = rec.str("source")
    if source not in ctx.sources:
        raise rec.error(f"unknown source {source!r}; add it to sources/ or as a [[source]] in this file", "source")
    return Claim(
        id=cid,
        subject=_subject(rec, ctx, metric, checkable),
        metric=metric,
        value=value,
        unit=unit,
        # a figure is a variant unless the file says it is the one the geometry is held to
        role=rec.str("role", required=False, choices=ROLES) or "variant",
        source=source,
        qualifier=qualifier,
        value_max=value_max,
        tolerance=_tolerance(rec),
        says=rec.str("says", required=False),
        attributed_to=rec.str("attributed_to", required=False),
        checkable=checkable,
        reason=reason,
        notes=rec.str("notes", required=False),
        file=rec.file,
        parts=rec.str_list("parts"),
        correction=_correction(rec, ctx.sources),
    )


def parse_claims(doc: Mapping[str, Any], label: str, ctx: ClaimContext) -> Register:
    """Validate the ``[[source]]`` and ``[[claim]]`` records of a parsed file.

    Parameters
    ----------
    doc : mapping
        The parsed TOML document.
    label : str
        The file name used in error messages.
    ctx : ClaimContext
        The legs, routes, layers and sources claims may name.

    Returns
    -------
    Register
        The claims in file order, and the context's sources plus the file's own.

    Raises
    ------
    DataError
        When records are bad: one line per problem, each naming the file, the
        record and the field, up to :data:`MAX_PROBLEMS` (then how many more).
    """
    known = sorted(set(doc) - {"source", "claim"})
    if known:
        hint = _nearest_text(str(known[0]), ("claim", "source"))
        raise DataError(
            f"unknown top-level key {known[0]!r}; a claims file holds [[claim]] and [[source]] tables" + (f" ({hint})" if hint else ""),
            file=label,
        )
    for kind in ("source", "claim"):
        if not isinstance(doc.get(kind, []), list):
            raise DataError(f"'{kind}' must be an array of tables, written [[{kind}]]", file=label)
    problems: list[DataError] = []
    sources = dict(ctx.sources)
    for i, table in enumerate(doc.get("source", [])):
        try:
            rec = Record(table, label, "source", i)
            src = parse_source(rec)
            if src.id in sources and sources[src.id] != src:
                raise rec.error("duplicate id: a source with this id already exists; choose another id", "id")
            sources[src.id] = src
        except DataError as error:
            problems.append(error)
    ctx = ClaimContext(ctx.lines, ctx.routes, ctx.layers, sources, ctx.user_layer)
    claims: list[Claim] = []
    seen: set[str] = set()
    canonical: dict[str, str] = {}
    for i, table in enumerate(doc.get("claim", [])):
        # every record is checked, so a file with several problems gets them all in one run
        try:
            rec = Record(table, label, "claim", i)
            claim = _parse_claim(rec, ctx)
            if claim.id in seen:
                raise rec.error("duplicate id; claim ids must be unique", "id")
            seen.add(claim.id)
            if claim.is_length and claim.role == "canonical":
                # one canonical figure per subject: it is the one put on the feature
                other = canonical.setdefault(claim.subject_key, claim.id)
                if other != claim.id:
                    raise rec.error(f"{claim.subject_key!r} already has canonical claim {other!r}; make one a variant", "role")
            claims.append(claim)
        except DataError as error:
            problems.append(error)
    if problems:
        if len(problems) == 1:
            raise problems[0]
        lines = [str(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"{label}: ... and {len(problems) - MAX_PROBLEMS} more problems; fix these and run again")
        raise DataError("\n".join(lines))
    by_id = {c.id: c for c in claims}
    for claim in claims:
        for part in claim.parts:
            other = by_id.get(part)
            if other is None or not other.is_length or not claim.is_length or isinstance(other.value, str):
                raise DataError(
                    f"part {part!r} is not a length claim of this file; list the claims that give the parts of the figure",
                    file=label, record=claim.record, field="parts",
                )
    return Register(tuple(claims), sources, label)


def read_claims(path: PathLike, ctx: ClaimContext, label: str | None = None) -> Register:
    """Read and validate a claims file.

    Parameters
    ----------
    path : str, Path or Traversable
        The TOML file.
    ctx : ClaimContext
        What subjects and sources may be named.
    label : str, optional
        Name used in errors; the path when omitted.

    Raises
    ------
    DataError
        When the file cannot be read, is not TOML, holds no claim, or a record
        is bad.
    """
    node: Path | Traversable = Path(path) if isinstance(path, str) else path
    label = label or str(path)
    if not node.is_file():
        raise DataError("no such claims file; check the path", file=label)
    doc = read_toml(node, label)
    if not doc.get("claim"):
        # An empty file would check nothing and pass: say so instead of exiting 0.
        raise DataError("holds no [[claim]] records; add the published figures to check", file=label)
    return parse_claims(doc, label, ctx)


def load_curated_claims(directory: PathLike | None, ctx: ClaimContext) -> Register:
    """The register ``claims.toml`` of a geodata directory (empty if it has none).

    Parameters
    ----------
    directory : str, Path or Traversable, optional
        A geodata directory; the curated copy shipped with the package when
        omitted.
    ctx : ClaimContext
        Built from the same geodata (:meth:`ClaimContext.from_network`).
    """
    root: Path | Traversable = default_geodata() if directory is None else (
        Path(directory) if isinstance(directory, str) else directory
    )
    node = root / CLAIMS_FILE
    if not node.is_file():
        return Register((), dict(ctx.sources), CLAIMS_FILE)
    return read_claims(node, ctx, CLAIMS_FILE)

