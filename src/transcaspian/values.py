"""Small shared values and helpers with no dependencies: precisions, text for fixed-width tables and markdown cells."""

from __future__ import annotations

import re
from typing import Any

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


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#!])")


def md_text(value: Any) -> str:
    """Escape data text for a markdown table cell: no markup, no HTML, one line.

    HTML's own characters become entities (safe in any renderer); markdown's
    punctuation is backslash-escaped.
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(value: str) -> str:
    """An id as a code span in a table cell, shown exactly (as text, never markup).

    Ids of a user's features may hold anything: whitespace runs become one
    space (a newline would end the row), ``|`` is escaped (GFM splits cells
    on it even inside code spans), and the fence is one backtick longer than
    any run of backticks inside.
    """
    text = " ".join(str(value).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
