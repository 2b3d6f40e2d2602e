"""The claims workflow of a new user: every problem at once, typos caught, messages about their own features, exit codes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcaspian.claims.model import MAX_PROBLEMS, ClaimContext
from transcaspian.claims.parsing import parse_claims
from transcaspian.cli import main
from transcaspian.errors import DataError

SOURCE = """
[[source]]
id = "survey"
publisher = "My survey"
title = "Field notes"
url = "https://example.org/survey"
"""


def ctx() -> ClaimContext:
    from transcaspian.network.loading import load_sources

    return ClaimContext({"btc": ("sangachal_terminal", "ceyhan_marine_terminal"), "fiber_aktau_sumgayit": ()}, frozenset(), frozenset(), load_sources())


def parse(body: str, context: ClaimContext | None = None):
    return parse_claims(tomllib.loads(SOURCE + body), "mine.toml", context or ctx())


def test_metric_defaults_to_length_and_role_to_variant():
    (claim,) = parse('[[claim]]\nid = "a"\nsubject = "btc"\nvalue = 1768\nunit = "km"\nsource = "survey"\n').claims
    assert claim.is_length and claim.role == "variant"


def test_a_typo_in_a_key_is_an_error_with_did_you_mean():
    with pytest.raises(DataError) as err:
        parse('[[claim]]\nid = "a"\nsubject = "btc"\ncountr = "AZE"\nvalue = 443\nunit = "km"\nsource = "survey"\n')
    assert "claim 'a': field 'countr': unknown key 'countr'; did you mean 'country'?" in str(err.value)


def test_every_problem_in_one_run_one_line_each():
    body = "".join(f'[[claim]]\nid = "c{i}"\nsubject = "nope{i}"\nvalue = 10\nunit = "km"\nsource = "survey"\n' for i in range(3))
    body += '[[claim]]\nid = "ok"\nsubject = "btc"\nvalue = 10\nunit = "furlong"\nsource = "survey"\n'
    with pytest.raises(DataError) as err:
        parse(body)
    lines = str(err.value).splitlines()
    assert len(lines) == 4
    assert [line.split(": ")[1] for line in lines] == ["claim 'c0'", "claim 'c1'", "claim 'c2'", "claim 'ok'"]
    assert all(line.startswith("mine.toml: ") for line in lines)


def test_problems_are_capped():
    body = "".join(f'[[claim]]\nid = "c{i}"\nsubject = "nope"\nvalue = 10\nunit = "km"\nsource = "survey"\n' for i in range(MAX_PROBLEMS + 5))
    with pytest.raises(DataError) as err:
        parse(body)
    lines = str(err.value).splitlines()
    assert len(lines) == MAX_PROBLEMS + 1 and lines[-1].endswith("... and 5 more problems; fix these and run again")


def test_unknown_curated_subject_suggests_the_nearest_id():
    with pytest.raises(DataError) as err:
        parse('[[claim]]\nid = "a"\nsubject = "fiber_aktau_sumgait"\nvalue = 380\nunit = "km"\nsource = "survey"\n')
    assert "did you mean 'fiber_aktau_sumgayit'?" in str(err.value)


def test_user_layer_messages_speak_of_its_features():
    layer = ClaimContext({"cable_main": (), "cable_spur": (), "rail": ()}, sources=ctx().sources, user_layer=True)
    with pytest.raises(DataError) as err:
        parse('[[claim]]\nid = "a"\nsubject = "cable_mian"\nvalue = 380\nunit = "km"\nsource = "survey"\n', layer)
    assert "no feature of the layer has id 'cable_mian'; the nearest feature ids: 'cable_main'" in str(err.value)
    with pytest.raises(DataError) as err:
        parse('[[claim]]\nid = "a"\nsubject = "rail"\nfrom = "x"\nto = "y"\nvalue = 38\nunit = "km"\nsource = "survey"\n', layer)
    assert "feature 'rail' has no named places to cut it at" in str(err.value) and "country" in str(err.value)


# -- the command -------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(SOURCE + body, encoding="utf-8")
    return path


def test_exit_1_is_a_failed_check_and_3_is_bad_input(tmp_path):
    failed = _file(tmp_path, '[[claim]]\nid = "short"\nsubject = "btc"\nvalue = 900\nunit = "km"\nrole = "canonical"\nsource = "survey"\n')
    assert run("--claims", str(failed)).exit_code == 1
    broken = _file(tmp_path, '[[claim]]\nid = "short"\nsubject = "btc"\nvalue = 900\nunit = "km"\nsourc = "survey"\n')
    result = run("--claims", str(broken))
    assert result.exit_code == 3 and "did you mean 'source'?" in result.stderr


def test_a_file_without_canonical_claims_is_judged_on_all(tmp_path):
    path = _file(tmp_path, '[[claim]]\nid = "short"\nsubject = "btc"\nvalue = 900\nunit = "km"\nsource = "survey"\n'
                 '[[claim]]\nid = "fine"\nsubject = "btc"\nvalue = 1768\nunit = "km"\nrole = "headline"\nsource = "survey"\n')
    result = run("--claims", str(path), "--format", "json")
    assert result.exit_code == 1
    assert "short" in result.stderr and "no canonical claim" in result.stderr
    assert json.loads(result.stdout)["failed_canonical"] == ["short"]


def test_the_readme_example_checks(tmp_path, repo_root):
    """The minimal example of the README runs as shown."""
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- claims-example-layer -->")
    layer = readme[readme.index("```json", start) + 7 : readme.index("```", readme.index("```json", start) + 7)]
    start = readme.index("<!-- claims-example-claims -->")
    claims = readme[readme.index("```toml", start) + 7 : readme.index("```", readme.index("```toml", start) + 7)]
    (tmp_path / "my_cables.geojson").write_text(layer, encoding="utf-8")
    (tmp_path / "my_claims.toml").write_text(claims, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--file", str(tmp_path / "my_cables.geojson"), "--claims", str(tmp_path / "my_claims.toml")])
    assert result.exit_code == 0, result.output + result.stderr
    assert "consistent" in result.stdout


def test_help_points_to_the_claims_format():
    assert "README" in CliRunner().invoke(main, ["check", "--help"]).output
