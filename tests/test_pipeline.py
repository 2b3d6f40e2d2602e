"""The stages strung together: measure, check and build a geodata set."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.errors import DataError, UsageError
from transcaspian.measured import measure_geodata
from transcaspian.pipeline import run_build, run_check


def test_run_build__bad_source_date_epoch_writes_nothing(tmp_path: Path, mini_geodata: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        run_build(mini_geodata, out)
    assert not out.exists()


def test_measure_geodata__each_problem_names_the_file_of_its_leg(mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    text = layer.read_text()
    # the ferry cuts across the Absheron peninsula, the rail crosses the Caspian
    text = text.replace("lon = 50.65, lat = 40.6", "lon = 49.9, lat = 40.45")
    text = text.replace('path = ["ganja", "tbilisi"]', 'path = ["ganja", "aktau", "tbilisi"]')
    layer.write_text(text)
    with pytest.raises(DataError) as info:
        measure_geodata(mini_geodata)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("layers/middle_corridor.toml: leg 'ferry': point (")
    assert lines[1].startswith("layers/middle_corridor.toml: leg 'rail_ganja_tbilisi': point (")


def test_run_check__judges_the_claims_file(tmp_path: Path, mini_geodata: Path):
    claims = tmp_path / "claims.toml"
    claims.write_text(
        '[[claim]]\nid = "ferry_len"\nsubject = "ferry"\nmetric = "length"\nvalue = 1\nunit = "km"\n'
        'role = "canonical"\nsource = "src"\n',
        encoding="utf-8",
    )
    result = run_check(mini_geodata, claims)
    (check,) = result.checks
    assert (check.claim.id, check.verdict) == ("ferry_len", "impossible")
    assert not result.ok


def test_run_check__geodata_without_claims_checks_nothing(mini_geodata: Path):
    result = run_check(mini_geodata)
    assert result.checks == () and result.ok


def test_run_build__same_files_whether_the_second_half_is_forked_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The maps (pages and images) come from a second process when it can fork; the bytes must not depend on it."""
    import transcaspian.background as background

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764633600")
    if not background.can_fork():
        pytest.skip("forking needs Linux and a process running one thread")
    run_build(None, tmp_path / "forked")
    monkeypatch.setattr(background, "can_fork", lambda: False)
    run_build(None, tmp_path / "inline")
    sums = [(tmp_path / name / "SHA256SUMS").read_text() for name in ("forked", "inline")]
    assert sums[0] == sums[1]
    assert "transcaspian.kml" in sums[0] and "maps/index.png" in sums[0] and "maps/index.svg" in sums[0]
