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

Reading and validating claims files is :mod:`transcaspian.claims.parsing`:
every error names the file, the record and the field to fix; a file with
several bad records gets one line per problem (up to :data:`MAX_PROBLEMS`),
and a key a claim does not take is an error with the nearest valid key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from transcaspian.network.records import Geodata, Source

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


#: Names that moved to :mod:`transcaspian.claims.parsing`; importing them from here keeps working.
_MOVED = frozenset({"parse_claims", "read_claims", "load_curated_claims", "did_you_mean"})


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from transcaspian.claims import parsing  # noqa: PLC0415 - parsing imports this module

        return getattr(parsing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
