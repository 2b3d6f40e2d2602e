"""tomltext.loads gives exactly what tomli gives: the same document, or the same error."""

from __future__ import annotations

import datetime
import math
import pickle
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian import tomltext
from transcaspian.network.loading import default_geodata

GEODATA = Path(str(default_geodata()))


def _outcome(text: str) -> tuple[str, Any]:
    """What a parser made of ``text``: ("ok", document with NaN made comparable) or ("error", type)."""
    try:
        return "ok", _comparable(tomltext.loads(text))
    except (tomli.TOMLDecodeError, RecursionError) as error:
        return "error", type(error)


def _reference(text: str) -> tuple[str, Any]:
    try:
        return "ok", _comparable(tomli.loads(text))
    except (tomli.TOMLDecodeError, RecursionError) as error:
        return "error", type(error)


def _comparable(value: Any) -> Any:
    """The document with NaN as a marker (NaN != NaN) and each value's type kept, so 1 and 1.0 differ."""
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return ("nan", math.copysign(1.0, value))
    if isinstance(value, datetime.datetime):
        return (type(value).__name__, value, type(value.tzinfo).__name__)
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", sorted(GEODATA.rglob("*.toml")), ids=lambda p: str(p.relative_to(GEODATA)))
def test_every_curated_file_reads_as_tomli_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _outcome(text) == _reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffa = 1",  # a byte-order mark: the Rust parser skips it, TOML (and tomli) refuse it
        "a = 1e400",  # tomli reads infinity; the Rust parser refuses
        "a = nan\nb = -nan\nc = +inf",
        "a = 1\na = 2",
        "[a]\n[[a]]",
        'a = "x\x01y"',
        "a = 1\rb = 2",
        "a = 99999999999999999999",
        "a = {\n b = 1,\n}",  # TOML 1.1
        'a = "\\e"',
        "a = 12:30",
        "a = 1979-05-27",
        "a = 1979-05-27T07:32:00.999999",
        "a = 1979-05-27T07:32:00Z",
        "a = 1979-05-27T07:32:00+05:30",
        "a = 1979-05-27 07:32Z",
        'url = "https://example.org:8080/x"\nn = 1',
        "a = " + "[" * 20_000 + "]" * 20_000,
        "a = " + "{b=" * 3_000 + "1" + "}" * 3_000,
        "",
        "# only a comment",
        '"" = 1',
        "ключ = 1",
    ],
)
def test_edge_cases_read_as_tomli_reads_them(text: str) -> None:
    assert _outcome(text) == _reference(text)


def test_offset_date_times_pickle_as_tomli_makes_them() -> None:
    # The measured data goes to the map-writing process pickled: an rtoml time zone would not survive.
    doc = tomltext.loads("when = 2024-05-01T10:00:00+04:00\n")
    assert doc["when"].tzinfo == datetime.timezone(datetime.timedelta(hours=4))
    assert pickle.loads(pickle.dumps(doc)) == doc


def test_whatever_the_fast_parser_raises_tomli_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    import rtoml

    class Panic(BaseException):  # how a panic in Rust code reaches Python: not an Exception
        pass

    def panic(text: str) -> dict[str, Any]:
        raise Panic("explicit panic")

    monkeypatch.setattr(rtoml, "loads", panic)
    assert tomltext.loads("a = 1") == {"a": 1}
    with pytest.raises(tomli.TOMLDecodeError):
        tomltext.loads("a = = 1")


def test_a_bad_file_raises_tomlis_error_with_line_and_column() -> None:
    with pytest.raises(tomli.TOMLDecodeError, match=r"line 2, column"):
        tomltext.loads("a = 1\nb = = 2\n")


_KEYS = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), st.text(max_size=6).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'))
_SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # inf, -inf, nan are TOML too
    st.text(max_size=12).map(lambda s: '"' + s + '"'),  # raw: control characters, quotes and backslashes left in
    st.text(max_size=12).map(lambda s: "'" + s + "'"),
    st.sampled_from(["true", "false", "1979-05-27", "07:32:00", "1979-05-27T07:32:00", "1979-05-27T07:32:00Z", "0x1F", "0o17", "0b101", "1_000", "+1.5e3"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"), max_leaves=10)
_LINES = st.one_of(
    st.tuples(_KEYS, _VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    _KEYS.map(lambda k: f"[{k}]"),
    _KEYS.map(lambda k: f"[[{k}]]"),
    st.text(max_size=20),  # anything at all
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=8).map("\n".join))
def test_any_text_reads_as_tomli_reads_it(text: str) -> None:
    assert _outcome(text) == _reference(text)
