"""TOML: tomli for any file a user gives; rtoml, faster, only for the package's own files, where it equals tomli."""

from __future__ import annotations

import datetime
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import tomli

from transcaspian import tomltext
from transcaspian.errors import DataError
from transcaspian.network.loading import default_geodata, load_geodata, read_toml

GEODATA = Path(str(default_geodata()))
TEXTCHECK_DATA = Path(tomltext.__file__).parent / "textcheck" / "data"
SHIPPED = sorted(GEODATA.rglob("*.toml")) + sorted(TEXTCHECK_DATA.glob("*.toml"))


def _exact(value: Any) -> Any:
    """The document with key order, value types and NaN made comparable (== on dicts ignores order, NaN != NaN)."""
    if isinstance(value, dict):
        return ("table", [(key, _exact(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [_exact(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan", math.copysign(1.0, value))
    if isinstance(value, datetime.datetime):
        return (type(value).__name__, value, type(value.tzinfo).__name__)
    return (type(value).__name__, value)


def test_the_shipped_files_are_all_found():
    names = {p.name for p in SHIPPED}
    assert {"routes.toml", "claims.toml", "btc_pipeline.toml", "middle_corridor.toml", "gazetteer.toml", "patterns.toml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name if p.parent == TEXTCHECK_DATA else str(p.relative_to(GEODATA)))
def test_every_shipped_file_reads_as_tomli_reads_it_keys_in_order_types_and_all(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _exact(tomltext.loads_shipped(text)) == _exact(tomli.loads(text))


# Where rtoml and tomli part (found by a fuzzer over the shipped files): none may reach a user's file.
DIVERGING = {
    "a line break after = in an inline table": "a = {b=\n1}\n",
    "a comment inside an inline table": "a = {b= # c\n1}\n",
    "a table defined after its sub-table": "[a.b]\nx = 1\n[c]\n[a]\ny = 2\n",
    "CRLF in a multi-line string": 'a = """x\r\ny"""\n',
    "a byte-order mark": "\ufeffa = 1\n",
}


@pytest.mark.parametrize("text", DIVERGING.values(), ids=DIVERGING.keys())
def test_a_users_file_reads_exactly_as_tomli_reads_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_bytes(text.encode("utf-8"))
    try:
        expected: Any = _exact(tomli.loads(path.read_text(encoding="utf-8")))
    except tomli.TOMLDecodeError as error:
        with pytest.raises(DataError, match="is not valid TOML") as info:
            read_toml(path, "mine.toml")
        assert str(error) in str(info.value)
        return
    assert _exact(read_toml(path, "mine.toml")) == expected


def test_a_user_geodata_folder_is_parsed_by_tomli_the_shipped_one_by_rtoml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rtoml

    calls: list[int] = []
    real = rtoml.loads

    def counted(text: str) -> dict[str, Any]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(rtoml, "loads", counted)
    mine = tmp_path / "geodata"
    shutil.copytree(GEODATA, mine)
    assert load_geodata(mine) == load_geodata(None)  # the same data, whichever parser
    shipped_calls = len(calls)
    calls.clear()
    load_geodata(mine)
    assert calls == [] and shipped_calls >= 5


def test_a_line_break_after_equals_in_a_users_geodata_is_refused_as_before(tmp_path: Path) -> None:
    mine = tmp_path / "geodata"
    shutil.copytree(GEODATA, mine)
    fiber = mine / "layers" / "fiber.toml"
    text = fiber.read_text(encoding="utf-8")
    assert "{ date = " in text
    fiber.write_text(text.replace("{ date = ", "{ date =\n ", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"layers/fiber.toml: is not valid TOML \(Invalid value"):
        load_geodata(mine)


def test_should_rtoml_fail_on_a_shipped_file_tomli_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    import rtoml

    class Panic(BaseException):  # how a panic in Rust code reaches Python: not an Exception
        pass

    def panic(text: str) -> dict[str, Any]:
        raise Panic("explicit panic")

    monkeypatch.setattr(rtoml, "loads", panic)
    assert tomltext.loads_shipped("a = 1") == {"a": 1}
    with pytest.raises(tomli.TOMLDecodeError, match=r"line 1, column"):
        tomltext.loads_shipped("a = = 1")
