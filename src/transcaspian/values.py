"""Small shared values and helpers with no dependencies: precisions, text for fixed-width tables."""

from __future__ import annotations

#: Decimal places of GeoJSON coordinates (1e-6 degree is about 0.1 m).
COORD_PRECISION = 6
#: Decimal places of lengths in km (1e-3 km = 1 m).
LENGTH_PRECISION = 3


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters for a fixed-width table.

    Runs of whitespace (newlines and tabs from a user's file included) become
    one space, so a value cannot break the table's rows; a longer text ends
    in an ellipsis.
    """
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
