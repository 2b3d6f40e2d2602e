"""Small shared values and helpers with no dependencies on the rest of the package.

One copy of each: precisions, missing values, JSON-ready values, coordinate
rounding, number and length formatting, text for fixed-width tables and markdown cells, and the
labels people read for the line and place fields (map popups and KML
balloons use the same words).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

#: Decimal places of GeoJSON coordinates (1e-6 degree is about 0.1 m).
COORD_PRECISION = 6
#: Decimal places of lengths in km (1e-3 km = 1 m).
LENGTH_PRECISION = 3

#: What people read for a field in a map popup or a KML balloon.
FIELD_LABELS: dict[str, str] = {
    "mode": "Mode",
    "status": "Status",
    "route_accuracy": "Route accuracy",
    "operator": "Operator",
    "capacity": "Capacity",
    "kind": "Kind",
    "country": "Country",
    "length_km": "Measured length",
    "country_lengths_km": "By country",
    "stated_length_km": "Stated length",
    "length_ratio": "Measured / stated",
    "check": "Check",
    "facts": "Published figures",
    "sources": "Sources",
    "source": "Located by",
    "notes": "Notes",
}
#: How every measured length was obtained, said once for popups and balloons.
LENGTH_NOTE = "WGS84 geodesic along the drawn line"


def clip(text: str, width: int) -> str:
    """One line of at most ``width`` characters for a fixed-width table.

    Runs of whitespace (newlines and tabs from a user's file included) become
    one space and control characters go (:func:`terminal_text`), so a value
    cannot break the table's rows or the terminal; a longer text ends in an
    ellipsis.

    Examples
    --------
    >>> clip("Baku\\nTbilisi   Ceyhan", 12)
    'Baku Tbilis…'
    """
    text = " ".join(terminal_text(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def is_missing(value: Any, *, blank: bool = False) -> bool:
    """True for a value that says "no value": None, NaN, NaT, ``pd.NA``.

    Parameters
    ----------
    value : any
        A scalar or a container; containers (lists, dicts, arrays) are never
        missing, even when empty.
    blank : bool
        Also count a string of only whitespace as missing (for text shown
        to people, where an empty cell is no information).

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, 0, "", [])]
    [True, True, True, False, False, False]
    >>> is_missing("  ", blank=True)
    True
    """
    if value is None:
        return True
    if isinstance(value, str):
        return blank and not value.strip()
    if isinstance(value, (Mapping, list, tuple, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def json_value(value: Any) -> Any:
    """A value as JSON can hold it, nested values converted all the way down.

    numpy scalars become Python numbers, NaN and infinities ``None`` (JSON has
    neither), dates and times ISO 8601 text, ``Decimal`` a float, bytes hex
    text, mappings objects with text keys, sequences and arrays lists;
    anything else its ``str``.

    Examples
    --------
    >>> json_value({"km": np.float64(1.5), "n": np.int64(2), "x": float("nan"), "d": date(2024, 5, 1)})
    {'km': 1.5, 'n': 2, 'x': None, 'd': '2024-05-01'}
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def round_coords(coordinates: Any, ndigits: int = COORD_PRECISION) -> Any:
    """GeoJSON ``coordinates`` (nested lists) rounded to ``ndigits`` decimals.

    Every dimension is kept: a Z value is rounded like x and y, not dropped.

    Examples
    --------
    >>> round_coords([[49.12345678, 40.1, 12.3456789], [50, 41]], 3)
    [[49.123, 40.1, 12.346], [50.0, 41.0]]
    """
    if isinstance(coordinates, (list, tuple)):
        try:  # a position (numbers) in one comprehension: a call per number was half the GeoJSON writing
            return [round(float(c), ndigits) for c in coordinates]
        except TypeError:  # a list of positions, rings or parts
            return [round_coords(c, ndigits) for c in coordinates]
    return round(float(coordinates), ndigits)


def format_number(value: float, decimals: int = 1) -> str:
    """Thousands-separated number, trailing zeros of the decimals dropped.

    Examples
    --------
    >>> format_number(1768.0), format_number(1075.34), format_number(0.5)
    ('1,768', '1,075.3', '0.5')
    """
    text = f"{float(value):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_km(value: float, decimals: int = 1) -> str:
    """A length for people: thousands separators, a fixed number of decimals, "km".

    Examples
    --------
    >>> format_km(1768.04), format_km(139.7, 3)
    ('1,768.0 km', '139.700 km')
    """
    return f"{float(value):,.{decimals}f} km"


# Hand-written rather than a library: two short, well-known rules, each a line of code.

#: C0 and C1 control characters (terminal escape codes among them) and the Unicode
#: bidirectional controls that reorder how a line reads ("Trojan Source").
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Cell starts a spreadsheet treats as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(text: object) -> str:
    """``text`` safe to print on a terminal: controls, escape codes and bidi overrides removed.

    A file name or feature id read from a stranger's file can hold ``ESC [``
    sequences that recolour, retitle or rewrite the user's terminal; they
    are dropped (newlines and tabs become spaces).

    Examples
    --------
    >>> terminal_text("a\\x1b[31mred\\u202e\\tb")
    'a[31mred b'
    """
    return _UNPRINTABLE.sub(lambda m: " " if m.group() in "\t\n\r" else "", str(text))


def spreadsheet_text(value: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    gets a leading apostrophe (OWASP's advice for CSV injection): LibreOffice
    and Excel then show it as the text it is. Apply to text columns only;
    numbers stay numbers.

    Examples
    --------
    >>> spreadsheet_text('=HYPERLINK("x")'), spreadsheet_text("Aktau")
    ('\\'=HYPERLINK("x")', 'Aktau')
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class SpreadsheetCsvWriter:
    """``csv.writer`` for files people open in spreadsheets (LF line ends).

    Every text cell goes through :func:`spreadsheet_text`. The standard
    writer quotes a cell holding a line feed but not a bare carriage
    return, which a spreadsheet reads as a new row: a row with a CR in some
    text is written with every text cell quoted (numbers stay unquoted, so
    pass them as numbers: ``float``, ``int`` or ``Decimal``).
    """

    def __init__(self, stream: Any) -> None:
        self._plain = csv.writer(stream, lineterminator="\n")
        self._quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, cells: Any) -> None:
        # One pass over the cells: measure --jobs writes millions of rows.
        row: list[Any] = []
        quoted = False
        for cell in cells:
            if isinstance(cell, str):
                cell = spreadsheet_text(cell)
                quoted = quoted or "\r" in cell
            elif cell is None:
                cell = ""
            row.append(cell)
        (self._quoted if quoted else self._plain).writerow(row)

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
