"""Figures that contradict themselves: parts that miss their total, misprints.

A source that gives a total and its parts (a line's length per country, a
cable's subsea and land lengths) can be checked against itself before any
geometry: ``757 km = 429 + 220 + 79`` is wrong whatever the map says. A
misprint kept in the register with its :class:`~transcaspian.claims.model.Correction`
is flagged too, so the wrong figure is never read as a real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from transcaspian.claims.model import Claim

#: Parts may miss their total by this much (km) before it counts: sources
#: round each part and the total separately (BP: 443 + 249 + 1,076 = 1,768).
PARTS_SLACK_KM = 1.5


def format_km(value: float) -> str:
    """``1,768 km``, ``283.2 km``: as the figures are published."""
    text = f"{value:,.1f}"
    return (text[:-2] if text.endswith(".0") else text) + " km"


def parts_flag(claim: Claim, by_id: Mapping[str, Claim]) -> str:
    """``parts_disagree: ...`` when the claim's parts do not add up to it, else ``""``.

    Examples
    --------
    A total of 757 km given with parts of 429, 220 and 79 km is flagged
    (they make 728 km); parts within :data:`PARTS_SLACK_KM` of the total are
    not.
    """
    if not claim.parts or not claim.is_length or isinstance(claim.value, str):
        return ""
    parts = [by_id[p] for p in claim.parts if p in by_id]
    total = sum(p.value_km for p in parts)
    if abs(total - claim.value_km) <= PARTS_SLACK_KM:
        return ""
    terms = " + ".join(format_km(p.value_km) for p in parts)
    return f"parts_disagree: its parts {terms} make {format_km(total)}, not the {format_km(claim.value_km)} it states"


def correction_flag(claim: Claim) -> str:
    """``misprint: ...`` for a claim kept with its correction, else ``""``."""
    if claim.correction is None:
        return ""
    c = claim.correction
    value = f"{c.value:g}" if isinstance(c.value, (int, float)) else c.value
    return f"misprint: corrected to {value} {claim.unit} by {c.source} ({c.evidence})"


def flags(claims: Iterable[Claim]) -> dict[str, str]:
    """Claim id to its self-contradiction flag, for the claims that have one."""
    claims = list(claims)
    by_id = {c.id: c for c in claims}
    out = {}
    for claim in claims:
        text = "; ".join(f for f in (parts_flag(claim, by_id), correction_flag(claim)) if f)
        if text:
            out[claim.id] = text
    return out
