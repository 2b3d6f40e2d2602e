"""`transcaspian check-text`: exit statuses, formats, stdin, claim records, one-line errors."""

from __future__ import annotations

import json
import tomllib

import pytest
from click.testing import CliRunner

from transcaspian.cli import main

GOOD = "The Baku–Tbilisi–Ceyhan pipeline is 1,768 km long, 443 km of it in Azerbaijan."
BAD = "The BTC pipeline is 900 km long."


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, ["check-text", *args], input=input)


def test_consistent_article_exits_0(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "btc_total_bp" in result.output


def test_failed_figure_exits_1_and_says_why():
    result = run("-", input=BAD)
    assert result.exit_code == 1
    assert "impossible" in result.output or "trace_short" in result.output
    assert "not consistent" in result.stderr


def test_figures_without_subject_do_not_fail():
    assert run("-", input="Some railway is 123 km long.").exit_code == 0


@pytest.mark.parametrize(
    "args, code, text",
    [
        (["nope.txt"], 2, "no such file"),
        (["-", "--format", "pdf"], 2, "--format"),
        (["-", "--save-claims", "x.toml"], 2, "--source-url"),
        (["-", "--source-url", "https://x.org"], 2, "--save-claims"),
    ],
)
def test_usage_errors_exit_2(args, code, text):
    result = run(*args, input=GOOD)
    assert result.exit_code == code
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("data, text", [(b"\xff\xfe\x00bad", "not UTF-8"), (b"   \n", "empty")])
def test_unreadable_input_exits_3(data, text):
    result = run("-", input=data)
    assert result.exit_code == 3
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_directory_is_a_usage_error(tmp_path):
    assert run(str(tmp_path)).exit_code == 2


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_formats(fmt, tmp_path):
    result = run("-", "--format", fmt, input=GOOD)
    assert result.exit_code == 0
    if fmt == "json":
        doc = json.loads(result.stdout)
        assert [f["subject"] for f in doc["figures"]] == ["btc", "btc@AZE"]
    if fmt == "html":
        assert result.stdout.startswith("<!DOCTYPE html>")


def test_html_input_and_output_file(tmp_path):
    page = tmp_path / "article.html"
    page.write_text("<html><body><script>var s='9 km';</script><p>The BTC is <b>1,768 km</b> long.</p></body></html>", encoding="utf-8")
    out = tmp_path / "annotated.html"
    result = run(str(page), "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "9 km" not in text and "1,768 km" in text


def test_save_claims(tmp_path):
    saved = tmp_path / "claims.toml"
    result = run("-", "--save-claims", str(saved), "--source-url", "https://example.org/a", "--publisher", "Example", input=GOOD)
    assert result.exit_code == 0, result.stderr
    doc = tomllib.loads(saved.read_text(encoding="utf-8"))
    assert [c["subject"] for c in doc["claim"]] == ["btc", "btc"]
    assert doc["claim"][1]["country"] == "AZE"
    assert doc["source"][0]["publisher"] == "Example"
    # the saved file checks with `transcaspian check --claims`
    check = CliRunner().invoke(main, ["check", "--claims", str(saved)])
    assert check.exit_code in (0, 1), check.stderr
    assert "article_1" in check.output


def test_save_claims_never_overwrites(tmp_path):
    saved = tmp_path / "claims.toml"
    saved.write_text("mine", encoding="utf-8")
    result = run("-", "--save-claims", str(saved), "--source-url", "https://example.org/a", input=GOOD)
    assert result.exit_code == 2
    assert saved.read_text(encoding="utf-8") == "mine"


def test_language_option_forces_conventions():
    # "1.100" is 1.1 in English, 1,100 in Turkish
    result = run("-", "--language", "tr", "--format", "json", input="Karadeniz kablosu 1.100 km olacak.")
    assert json.loads(result.stdout)["figures"][0]["value"] == 1100


def test_help_points_to_the_readme():
    result = CliRunner().invoke(main, ["check-text", "--help"])
    assert "README" in result.output


def test_curators_extend_the_gazetteer_and_patterns(tmp_path):
    gazetteer = tmp_path / "extra_gazetteer.toml"
    gazetteer.write_text('[[system]]\nid = "fiber_aktau_sumgayit"\nsubject = "fiber_aktau_sumgayit"\nnames = ["Digital Silk Way cable"]\nkinds = ["fiber"]\n', encoding="utf-8")
    patterns = tmp_path / "extra_patterns.toml"
    patterns.write_text("[length_units.km]\nfactor = 1.0\nforms = ['klicks']\n", encoding="utf-8")
    text = "The Digital Silk Way cable will be 380 klicks long."
    before = json.loads(run("-", "--format", "json", input=text).stdout)
    assert before["figures"] == []
    after = run("-", "--format", "json", "--gazetteer", str(gazetteer), "--patterns", str(patterns), input=text)
    assert after.exit_code == 0, after.stderr
    (fig,) = json.loads(after.stdout)["figures"]
    assert (fig["value"], fig["subject"], fig["verdict"]) == (380, "fiber_aktau_sumgayit", "consistent")


@pytest.mark.parametrize(
    "option, body, text",
    [
        ("--gazetteer", "[[system]\n", "not valid TOML"),
        ("--gazetteer", '[[system]]\nid = "x"\nsubject = "no_such_leg"\nnames = ["X"]\n', "not a leg, route or layer"),
        ("--patterns", "[length_units.km]\nfactor = 1.0\nforms = ['(unclosed']\n", "not a valid regular expression"),
    ],
)
def test_a_bad_curator_file_is_one_line_and_exit_3(tmp_path, option, body, text):
    path = tmp_path / "extra.toml"
    path.write_text(body, encoding="utf-8")
    result = run("-", option, str(path), input=GOOD)
    assert result.exit_code == 3, result.stderr
    assert text in result.stderr and len(result.stderr.strip().splitlines()) == 1
