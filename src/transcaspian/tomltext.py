"""Parsing TOML text: the Rust ``toml`` parser where it agrees with tomli, tomli everywhere else.

The curated geodata is a megabyte of TOML, most of it coordinate arrays, read
by every build before anything else can start: tomli (compiled) takes about
70 ms over it, rtoml (the Rust ``toml`` crate) about 12 ms (issue 13). tomli
stays the reference. Text goes to tomli instead when rtoml refuses it (tomli
then either reads a form rtoml lacks, or raises its :class:`TOMLDecodeError`
with line and column, the error every message of ours quotes), when it starts
with a byte-order mark (rtoml skips one; TOML forbids it and tomli refuses it),
and when it may hold an offset date-time (rtoml gives those a time zone class
of its own that does not pickle; tomli gives :class:`datetime.timezone`).
"""

from __future__ import annotations

import re
from typing import Any

import rtoml
import tomli

TOMLDecodeError = tomli.TOMLDecodeError

# A time followed by an offset (07:32Z, 07:32:00.5+05:00): the text is given to tomli.
# It starts with ":" so that the search skips ahead by that literal (0.4 ms a megabyte);
# a false match (a URL, a quoted time) only costs tomli's speed.
_MAYBE_OFFSET_TIME = re.compile(r":\d\d(?::\d\d(?:\.\d+)?)?[Zz+-]")


def loads(text: str) -> dict[str, Any]:
    """The TOML document in ``text``: what :func:`tomli.loads` returns, faster.

    Raises
    ------
    TOMLDecodeError
        When ``text`` is not TOML (tomli's error, with line and column).
    RecursionError
        From tomli, on arrays or tables nested thousands of levels deep.
    """
    if not text.startswith("\ufeff") and _MAYBE_OFFSET_TIME.search(text) is None:
        try:
            parsed: dict[str, Any] = rtoml.loads(text)
            return parsed
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - a refusal, or a panic in the Rust code (not an Exception): tomli decides
            pass  # tomli says why, in the words our messages quote (or reads a TOML 1.1 form)
    return tomli.loads(text)
