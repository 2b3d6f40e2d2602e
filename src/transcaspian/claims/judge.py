"""Published lengths held against the measured geometry: one verdict per claim.

Every length claim (see :mod:`transcaspian.claims`) is compared with the
geodesic length of its subject and gets a verdict:

``consistent``
    the measured length is inside the claim's tolerance band;
``trace_short`` / ``trace_long``
    it is below / above the band;
``impossible``
    the stated length is shorter than the geodesic distance between the
    subject's own end points: no line joining them can be that short;
``not_checkable``
    the geometry is illustrative, there is no geometry (a network-wide
    figure), or the claim says why it cannot be checked.

Tolerances are asymmetric percentages of the stated figure. A claim may state
its own; otherwise it gets the default for how its subject was drawn
(:data:`DEFAULT_TOLERANCES`), widened by :data:`PART_WIDENING_PCT` on each side
for a part of a line (a section between two places, or a country part),
because each cut end carries the position error of the place or border it is
cut at.

Everything here is pure: functions take claims and measurements and return
new data. The checks are data, not exceptions: a failed check is a row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd

# Measuring subjects lives in claims.measurement; these names stay importable from here.
from transcaspian.claims.consistency import flags
from transcaspian.claims.measurement import Measurement as Measurement
from transcaspian.claims.measurement import ends_km as ends_km
from transcaspian.claims.measurement import line_pieces as line_pieces
from transcaspian.claims.measurement import measure_claims as measure_claims
from transcaspian.claims.measurement import measure_subject as measure_subject
from transcaspian.claims.model import Claim, Register, Tolerance
from transcaspian.claims.spreads import Spread as Spread
from transcaspian.claims.spreads import spreads as spreads
from transcaspian.geo.countries import CountryIndex
from transcaspian.network.lines import Network
from transcaspian.network.records import Source
from transcaspian.values import format_km

VERDICTS = ("consistent", "trace_short", "trace_long", "impossible", "not_checkable")

#: Default tolerance (percent of the stated figure) by how the line was drawn.
#:
#: traced, -8 %/+3 %: a polyline through points on the real line is never
#: longer than the line (each chord is shorter than the arc it cuts off), so
#: it runs short by the bends it misses between waypoints: 5-10 % on the
#: dossier's first traces, within 5 % on curated ones. The other 3 % on the
#: short side absorbs how figures are published (rounded to 5-10 km, or
#: counted as chainage including station tracks and landfalls). On the long
#: side only a misplaced waypoint or a rounded figure can put a trace above
#: the real length; 3 % covers rounding (370 vs 380 km is 2.7 %), and more
#: means a waypoint is wrong or the figure is of another route.
#:
#: schematic, -15 %/+10 %: the line joins known end points through a
#: plausible corridor (a sea route, an unpublished landing) and may miss the
#: real route's detours or take a longer way than it.
#:
#: illustrative lines are never checked.
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "traced": Tolerance(8.0, 3.0, "default for a traced line"),
    "schematic": Tolerance(15.0, 10.0, "default for a schematic line"),
}
#: Percentage points added on each side for a part of a line: each cut end
#: (a station, a border crossing, a Natural Earth border generalised to about
#: 1 km) may sit a kilometre or two off, which weighs more on a 30-500 km part
#: than on a whole line.
PART_WIDENING_PCT = 2.0
#: Relative slack on the band edges, so that a length exactly on an edge is
#: inside it despite floating-point rounding.
_EDGE_EPS = 1e-9


def default_tolerance(route_accuracy: str, part: bool = False) -> Tolerance | None:
    """The tolerance a claim gets when it states none.

    Parameters
    ----------
    route_accuracy : str
        ``traced``, ``schematic`` or ``illustrative``.
    part : bool
        True for a section or a country part of a line.

    Returns
    -------
    Tolerance or None
        None for illustrative geometry, which is never checked.

    Examples
    --------
    >>> str(default_tolerance("traced")), str(default_tolerance("traced", part=True))
    ('-8%/+3%', '-10%/+5%')
    """
    base = DEFAULT_TOLERANCES.get(route_accuracy)
    if base is None:
        return None
    if not part:
        return base
    return Tolerance(
        base.short_pct + PART_WIDENING_PCT,
        base.long_pct + PART_WIDENING_PCT,
        f"{base.basis}, widened by {PART_WIDENING_PCT:g} points each way for a part cut at places or borders",
    )


@dataclass(frozen=True)
class Check:
    """The verdict on one length claim, with everything that led to it.

    Attributes
    ----------
    claim : Claim
        The claim checked.
    verdict : str
        One of :data:`VERDICTS`.
    reason : str
        One sentence: why this verdict.
    measured_km, ends_km : float or None
        The subject's geodesic length and its end-to-end distance, km.
    ratio : float or None
        measured / stated (the quoted figure; the low end of a range).
    tolerance : Tolerance or None
        The tolerance applied.
    band_km : tuple of float, or None
        The consistent interval, km (upper end ``inf`` for "over" claims).
    route_accuracy : str
        How the subject was drawn, ``""`` without geometry.
    source : Source or None
        The claim's source record.
    flag : str
        Why the figure contradicts itself, whatever the geometry (parts that do
        not add up to it, a misprint): see :mod:`transcaspian.claims.consistency`.
    """

    claim: Claim
    verdict: str
    reason: str
    measured_km: float | None = None
    ends_km: float | None = None
    ratio: float | None = None
    tolerance: Tolerance | None = None
    band_km: tuple[float, float] | None = None
    route_accuracy: str = ""
    source: Source | None = None
    flag: str = ""

    @property
    def subject(self) -> str:
        """The claim's subject key (see :attr:`transcaspian.claims.Subject.key`)."""
        return self.claim.subject_key

    @property
    def decides_exit(self) -> bool:
        """Canonical claims decide the exit status of ``transcaspian check``."""
        return self.claim.role == "canonical"

    def as_record(self) -> dict[str, Any]:
        """A flat, JSON-ready row with a fixed set of keys (see :data:`RECORD_FIELDS`).

        Lengths are rounded to metres, ratios to 4 decimals, so the record is
        stable across runs; an open bound is ``None``.
        """
        c = self.claim
        src = self.source
        lo, hi = self.band_km if self.band_km else (None, None)

        def km(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else round(v, 3)

        return {
            "claim": c.id,
            "subject": c.subject_key,
            "subject_kind": c.subject.kind if c.subject else "",
            "role": c.role,
            "metric": c.metric,
            "stated": c.stated_text(),
            "value": c.value,
            "value_max": c.value_max,
            "unit": c.unit,
            "qualifier": c.qualifier,
            "stated_km": km(c.value_km),
            "measured_km": km(self.measured_km),
            "ends_km": km(self.ends_km),
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "verdict": self.verdict,
            "route_accuracy": self.route_accuracy,
            "tolerance": str(self.tolerance) if self.tolerance else "",
            "tolerance_short_pct": self.tolerance.short_pct if self.tolerance else None,
            "tolerance_long_pct": self.tolerance.long_pct if self.tolerance else None,
            "tolerance_basis": self.tolerance.basis if self.tolerance else "",
            "consistent_from_km": km(lo),
            "consistent_to_km": km(hi),
            "reason": self.reason,
            "flag": self.flag,
            "source": c.source,
            "source_publisher": src.publisher if src else "",
            "source_title": src.title if src else "",
            "source_url": src.url if src else "",
            "source_date": src.date if src else "",
            "says": c.says,
            "attributed_to": c.attributed_to,
            "notes": c.notes,
        }


#: Keys of :meth:`Check.as_record`, in output order (CSV columns, JSON keys).
RECORD_FIELDS = (
    "claim", "subject", "subject_kind", "role", "metric", "stated", "value", "value_max", "unit",
    "qualifier", "stated_km", "measured_km", "ends_km", "ratio", "verdict", "route_accuracy",
    "tolerance", "tolerance_short_pct", "tolerance_long_pct", "tolerance_basis",
    "consistent_from_km", "consistent_to_km", "reason", "flag", "source", "source_publisher",
    "source_title", "source_url", "source_date", "says", "attributed_to", "notes",
)  # fmt: skip


def judge(claim: Claim, measurement: Measurement | None, source: Source | None = None) -> Check:
    """The verdict on one length claim.

    Parameters
    ----------
    claim : Claim
        A length claim.
    measurement : Measurement or None
        Its subject measured; None when there is no geometry.
    source : Source, optional
        The claim's source record, carried into the result.

    Returns
    -------
    Check

    Notes
    -----
    Precedence: ``not_checkable`` (the claim says so, no geometry, or
    illustrative geometry), then ``impossible``, then the tolerance band.
    The band is ``[low * (1 - short), high * (1 + long)]`` where ``low`` and
    ``high`` are the stated interval (equal for a plain figure); both edges
    count as consistent. ``impossible`` means that even the band's upper
    edge is shorter than the straight geodesic between the subject's end
    points: the end points are places with their own position error, which
    the long side of the tolerance allows for, so only a figure short beyond
    that error is called impossible. A not-checkable claim carries no ratio.
    """
    if not claim.is_length:
        raise ValueError(f"claim {claim.id!r} is a {claim.metric} figure, not a length: it is not checked")
    base: dict[str, Any] = dict(claim=claim, source=source)
    if not claim.checkable:
        # the subject only anchors the claim to a feature: its length says nothing about the figure
        return Check(verdict="not_checkable", reason=claim.reason, **base)
    if measurement is not None:
        base.update(measured_km=measurement.length_km, ends_km=measurement.ends_km, route_accuracy=measurement.route_accuracy)
    if measurement is None:
        why = (
            "a layer is a network, not one line; no source says which lines the figure adds up"
            if claim.subject is not None and claim.subject.kind == "layer"
            else "no geometry was measured for this subject"
        )
        return Check(verdict="not_checkable", reason=why, **base)
    # illustrative geometry is never held against a length, whatever the claim's tolerance
    tolerance = None if measurement.route_accuracy == "illustrative" else (
        claim.tolerance or default_tolerance(measurement.route_accuracy, measurement.part)
    )
    if tolerance is None:
        return Check(
            verdict="not_checkable",
            reason=f"{measurement.route_accuracy} geometry is drawn for orientation only and never held against a length",
            **base,
        )
    base["ratio"] = measurement.length_km / claim.value_km
    low, high = claim.stated_km()
    band = (low * (1 - tolerance.short_pct / 100), high * (1 + tolerance.long_pct / 100))
    base.update(tolerance=tolerance, band_km=band)
    measured = measurement.length_km
    # The end points are places drawn with their own position error, which the long side
    # of the tolerance already allows for; beyond it, no line between them fits the figure.
    if band[1] * (1 + _EDGE_EPS) < measurement.ends_km:
        return Check(
            verdict="impossible",
            reason=(
                f"stated {claim.stated_text()} (at most {format_km(band[1])} with {tolerance}) is shorter than the "
                f"{format_km(measurement.ends_km)} geodesic distance between the subject's own end points; "
                "no line joining them can be that short"
            ),
            **base,
        )
    if measured < band[0] * (1 - _EDGE_EPS):
        return Check(
            verdict="trace_short",
            reason=(
                f"measured {format_km(measured)} is below the {format_km(band[0])} that {tolerance} allows: "
                "the trace misses part of the line, or the figure counts more than the subject"
            ),
            **base,
        )
    if measured > band[1] * (1 + _EDGE_EPS):
        return Check(
            verdict="trace_long",
            reason=(
                f"measured {format_km(measured)} is above the {format_km(band[1])} that {tolerance} allows: "
                "a waypoint is off the line, or the figure is of a shorter route"
            ),
            **base,
        )
    upper = "" if math.isinf(band[1]) else f" to {format_km(band[1])}"
    return Check(verdict="consistent", reason=f"measured {format_km(measured)} is within {format_km(band[0])}{upper} ({tolerance})", **base)


def check_claims(
    claims: Iterable[Claim],
    measurements: Mapping[str, Measurement],
    sources: Mapping[str, Source] | None = None,
) -> list[Check]:
    """Judge every length claim against the measurement of its subject.

    This is the entry point for any geometry, curated or not: measure each
    subject however you like (:meth:`Measurement.from_coords` measures a
    polyline) and key it by the claim's ``subject_key``.

    Parameters
    ----------
    claims : iterable of Claim
        Claims; facts (non-length figures) are skipped.
    measurements : mapping
        Subject key (:attr:`Subject.key`) to :class:`Measurement`; a subject
        missing from it is ``not_checkable``.
    sources : mapping, optional
        Source id to record, carried into each result.

    Returns
    -------
    list of Check
        One per length claim, in the claims' order.
    """
    sources = sources or {}
    claims = list(claims)
    flagged = flags(claims)
    return [
        replace(judge(c, measurements.get(c.subject_key), sources.get(c.source)), flag=flagged.get(c.id, ""))
        for c in claims
        if c.is_length
    ]


def deciding(checks: Iterable[Check]) -> list[Check]:
    """The checks that decide the exit status: the canonical ones, or all when there is none.

    A claims file without a canonical claim (a user's own figures, all
    variants or headlines) is judged on every claim, rather than passing
    whatever they say.
    """
    checks = list(checks)
    canonical = [c for c in checks if c.decides_exit]
    return canonical if canonical else checks


def failed_canonical(checks: Iterable[Check]) -> list[Check]:
    """Deciding claims (:func:`deciding`) that are not ``consistent``: these make ``check`` exit 1."""
    return [c for c in deciding(checks) if c.verdict != "consistent"]


@dataclass(frozen=True)
class CheckResult:
    """Everything the check produced for one register."""

    register: Register
    checks: tuple[Check, ...]
    spreads: tuple[Spread, ...]

    @property
    def ok(self) -> bool:
        """True when every deciding claim (canonical, or all without one) is consistent."""
        return not failed_canonical(self.checks)


def run_checks(register: Register, network: Network, countries: CountryIndex) -> CheckResult:
    """Measure every claim's subject on the network and judge every length claim."""
    lengths = register.length_claims()
    checks = check_claims(lengths, measure_claims(lengths, network, countries), register.sources)
    return CheckResult(register, tuple(checks), tuple(spreads(checks)))


#: Columns :func:`annotate` adds to the legs and routes frames.
FEATURE_COLUMNS = ("stated_length_km", "stated_source", "length_ratio", "check", "facts")


def feature_properties(result: CheckResult, feature_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The check columns of each leg or route feature.

    ``stated_length_km``, ``stated_source``, ``length_ratio`` and ``check``
    come from the feature's canonical length claim (its whole length, not a
    part), all ``None`` without one. ``facts`` lists the non-length figures
    about the feature: ``{claim, metric, text, value, unit, source}``.
    """
    by_subject = {c.subject: c for c in result.checks if c.claim.role == "canonical"}
    out = {}
    for fid in feature_ids:
        chk = by_subject.get(fid)
        facts = [
            {"claim": f.id, "metric": f.metric, "text": f.stated_text(), "value": f.value, "unit": f.unit, "source": f.source}
            for f in result.register.facts()
            if f.subject_key == fid
        ]
        out[fid] = {
            "stated_length_km": chk.claim.value_km if chk else None,
            "stated_source": chk.claim.source if chk else None,
            "length_ratio": round(chk.ratio, 4) if chk and chk.ratio is not None else None,
            "check": chk.verdict if chk else None,
            "facts": facts,
        }
    return out


def annotate(frame: gpd.GeoDataFrame, result: CheckResult) -> gpd.GeoDataFrame:
    """A copy of a legs or routes frame with the :data:`FEATURE_COLUMNS` added.

    The geometry column stays last, so every output format gets the new
    columns in the same place.
    """
    props = feature_properties(result, frame["id"])
    out = frame.copy()
    for col in FEATURE_COLUMNS:
        out[col] = [props[fid][col] for fid in frame["id"]]
    geom = out.geometry.name
    return out[[c for c in out.columns if c != geom] + [geom]]
