"""Template syntax in any text never reaches a template engine (issue 9, item 1).

Data reached branca/folium elements whose text was compiled as a Jinja2
template: ``{{ 6*7 }}`` showed as 42, ``{{ cycler.__init__.__globals__.os
.popen(...) }}`` ran a shell command during ``map`` and ``build``, and ``{#``
or ``{%`` crashed with a traceback. Each case below tries it through the CLI:
in attribute values, attribute keys, the file name, ``--title`` and the
curated geodata (leg name, source title), and checks the page carries the
text as text.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import jinja2
import pytest
from hostile import CASPIAN, TEMPLATE_PAYLOADS, assert_ok, cli, line_feature, write_geojson


def _marker_payload(marker: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"


def _data_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="tc-data">(.*?)</script>', page, re.S)
    assert match, "no data element in the page"
    return json.loads(match.group(1))


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def _title(page: str) -> str:
    match = re.search(r"<title>(.*?)</title>", page, re.S)
    assert match
    return html.unescape(match.group(1))


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_map__template_syntax_in_values_keys_and_title_is_text(tmp_path: Path, payload: str):
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN, name=payload, **{payload: payload, "note": payload})])
    out = tmp_path / "out.html"
    run = cli("map", src, "-o", out, "--title", payload)
    assert_ok(run)
    page = out.read_text(encoding="utf-8")
    assert _title(page) == payload
    strings = _strings(_data_json(page))
    assert payload in strings
    if "6*7" in payload:
        assert "42" not in strings


def test_map__shell_command_in_data_does_not_run(tmp_path: Path):
    marker = tmp_path / "ran"
    payload = _marker_payload(marker)
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN, name=payload, **{payload: payload})])
    run = cli("map", src, "-o", tmp_path / "out.html", "--title", payload, "--offline")
    assert_ok(run)
    assert not marker.exists(), "a shell command in the data ran"
    assert payload in _strings(_data_json((tmp_path / "out.html").read_text(encoding="utf-8")))


def test_map__template_syntax_in_the_file_name(tmp_path: Path):
    name = "{{ 6*7 }}{% b.geojson"
    src = write_geojson(tmp_path / name, [line_feature(CASPIAN, id="a")])
    out = tmp_path / "out.html"
    assert_ok(cli("map", src, "-o", out))
    page = out.read_text(encoding="utf-8")
    assert _title(page) == name
    assert name in _strings(_data_json(page))


def _poison_geodata(root: Path, payload: str) -> None:
    layer = root / "layers" / "middle_corridor.toml"
    layer.write_text(layer.read_text().replace('name = "Aktau-Alat ferry"', f"name = {json.dumps(payload)}"))
    sources = root / "sources" / "sources.toml"
    sources.write_text(sources.read_text().replace('title = "A test source"', f"title = {json.dumps(payload)}"))


def test_build__template_syntax_in_geodata_is_text_everywhere(tmp_path: Path, mini_geodata: Path):
    marker = tmp_path / "ran"
    payload = "{{ 6*7 }} {# {% b " + _marker_payload(marker)
    _poison_geodata(mini_geodata, payload)
    out = tmp_path / "out"
    run = cli("build", "--geodata", mini_geodata, "--out", out)
    assert_ok(run)
    assert not marker.exists(), "a shell command in the geodata ran"
    index = (out / "maps" / "index.html").read_text(encoding="utf-8")
    assert payload in _strings(_data_json(index))
    layer = json.loads((out / "layers" / "middle_corridor.geojson").read_text(encoding="utf-8"))
    assert payload in [f["properties"]["name"] for f in layer["features"]]


class _CompileSpy:
    """Records the source of every Jinja2 template compiled while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sources: list[str] = []
        original = jinja2.Environment.compile

        def compile(env, source, *args, **kwargs):
            self.sources.append(source if isinstance(source, str) else "<ast>")
            return original(env, source, *args, **kwargs)

        monkeypatch.setattr(jinja2.Environment, "compile", compile)


def _render(features: list[dict], tmp_path: Path, title: str) -> None:
    src = write_geojson(tmp_path / f"in{len(features)}.geojson", features)
    assert_ok(cli("map", src, "-o", tmp_path / "o.html", "--title", title))


def test_no_data_string_is_ever_compiled_as_a_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    marker = "UNIQUE-MARKER-7f3a"
    _render([line_feature(CASPIAN, name="warm up")], tmp_path, "warm up")  # import and compile class templates
    spy = _CompileSpy(monkeypatch)
    _render([line_feature(CASPIAN, name=f"{marker} {{{{ 1 }}}}", note=marker)], tmp_path, marker)
    assert not [s for s in spy.sources if marker in s]


def test_template_compilations_do_not_grow_with_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _render([line_feature(CASPIAN, name="warm up")], tmp_path, "warm up")
    spy = _CompileSpy(monkeypatch)
    _render([line_feature(CASPIAN, name="a")], tmp_path, "one")
    one = len(spy.sources)
    spy.sources.clear()
    _render([line_feature(CASPIAN, name=str(i), value=str(i)) for i in range(50)], tmp_path, "fifty")
    assert len(spy.sources) == one
