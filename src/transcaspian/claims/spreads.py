"""Where published lengths disagree: the spread of the claims about one subject.

A subject whose claims state different lengths gets a :class:`Spread`: the
lowest and highest figure, the measured length, the claims the measurement
supports and the one nearest it. The report shows them so a reader sees at
once which source the geometry sides with.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transcaspian.claims.judge import Check


@dataclass(frozen=True)
class Spread:
    """Claims that disagree about one subject, and what the measurement says.

    Attributes
    ----------
    subject : str
        The subject key.
    checks : tuple of Check
        Its length claims, by stated length.
    low_km, high_km : float
        Smallest and largest stated length, km.
    measured_km : float or None
        The subject's measured length, km.
    supported : tuple of str
        Ids of the claims the measurement is consistent with.
    closest : str
        Id of the claim whose figure is nearest the measurement (by ratio),
        or ``""`` without a measurement.
    """

    subject: str
    checks: tuple[Check, ...]
    low_km: float
    high_km: float
    measured_km: float | None
    supported: tuple[str, ...]
    closest: str

    @property
    def spread_km(self) -> float:
        """Largest minus smallest stated length, km."""
        return self.high_km - self.low_km

    @property
    def spread_pct(self) -> float:
        """The spread in percent of the smallest figure."""
        return 100 * self.spread_km / self.low_km

    def as_record(self) -> dict[str, Any]:
        """A JSON-ready dict, lengths in km rounded to metres."""
        return {
            "subject": self.subject,
            "claims": [c.claim.id for c in self.checks],
            "low_km": round(self.low_km, 3),
            "high_km": round(self.high_km, 3),
            "spread_km": round(self.spread_km, 3),
            "spread_pct": round(self.spread_pct, 2),
            "measured_km": None if self.measured_km is None else round(self.measured_km, 3),
            "supported": list(self.supported),
            "closest": self.closest,
        }


def spreads(checks: Iterable[Check]) -> list[Spread]:
    """Subjects whose length claims disagree, in order of first appearance.

    Two claims disagree when their stated intervals differ. The measurement
    *supports* every claim it is consistent with; the *closest* is the claim
    whose quoted figure is nearest the measurement on a log scale (so 0.9 and
    1/0.9 are equally far), among claims that can be checked.
    """
    groups: dict[str, list[Check]] = {}
    for c in checks:
        groups.setdefault(c.subject, []).append(c)
    out = []
    for subject, group in groups.items():
        # a layer or an explicitly uncheckable claim only anchors a figure to a feature:
        # different figures there are about different things, not a disagreement
        group = [c for c in group if c.claim.checkable and c.claim.subject is not None and c.claim.subject.kind != "layer"]
        figures = {c.claim.stated_km() for c in group}
        if len(figures) < 2:
            continue
        group = sorted(group, key=lambda c: (c.claim.value_km, c.claim.id))
        ends = [v for c in group for v in c.claim.stated_km() if 0 < v < math.inf]
        measured = next((c.measured_km for c in group if c.measured_km is not None), None)
        rated = [c for c in group if c.ratio and c.verdict != "not_checkable"]
        closest = min(rated, key=lambda c: (abs(math.log(c.ratio)), c.claim.id)).claim.id if rated else ""
        out.append(
            Spread(
                subject=subject,
                checks=tuple(group),
                low_km=min(ends),
                high_km=max(ends),
                measured_km=measured,
                supported=tuple(c.claim.id for c in group if c.verdict == "consistent"),
                closest=closest,
            )
        )
    return out
