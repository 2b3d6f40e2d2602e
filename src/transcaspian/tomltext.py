"""Parsing TOML: tomli for any text, the Rust ``toml`` parser for the files shipped in the package.

The curated geodata is a megabyte of TOML, most of it coordinate arrays, read
by every build before anything else can start: tomli (compiled) takes about
70 ms over it, rtoml (the Rust ``toml`` crate) about 12 ms (issue 13).

rtoml is not a drop-in for tomli on text from elsewhere: it accepts some text
that TOML forbids (a line break right after ``=`` in an inline table), keeps
CRLF inside multi-line strings, and orders a table defined after its
sub-tables differently. So :func:`loads`, for any file a user gives, is
tomli's, errors (with line and column) included; :func:`loads_shipped`, for
our own files only, is rtoml's, and the tests hold it equal to tomli's on
every shipped file: the same keys in the same order, the same values of the
same types.
"""

from __future__ import annotations

from typing import Any

import rtoml
import tomli

TOMLDecodeError = tomli.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """The TOML document in ``text`` (any source): :func:`tomli.loads`.

    Raises
    ------
    TOMLDecodeError
        When ``text`` is not TOML, with line and column.
    RecursionError
        On arrays or tables nested thousands of levels deep.
    """
    return tomli.loads(text)


def loads_shipped(text: str) -> dict[str, Any]:
    """The TOML document of a file shipped in the package, parsed by rtoml, six times faster.

    Only for the package's own files (the curated geodata, the check-text
    data), on which the tests hold it equal to :func:`loads`. Should rtoml
    refuse one (a file edited since), tomli parses it and says why.
    """
    try:
        parsed: dict[str, Any] = rtoml.loads(text)
        return parsed
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a refusal, or a panic in the Rust code (not an Exception): tomli decides
        return tomli.loads(text)
