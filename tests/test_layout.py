"""The package layout: dependencies point one way (import-linter contract in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts__kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("import-linter is not installed; `pip install '.[test]'` installs it")
    proc = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_import_contracts__catch_an_upward_import(tmp_path: Path) -> None:
    # The contract must be able to fail: a copy of the package whose geodesy imports the web layer breaks it.
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None
    copy = tmp_path / "transcaspian"
    shutil.copytree(ROOT / "src" / "transcaspian", copy)
    geodesy = copy / "geo" / "geodesy.py"
    geodesy.write_text(geodesy.read_text(encoding="utf-8") + "\nimport transcaspian.web.render  # noqa\n", encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    proc = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "transcaspian.geo.geodesy -> transcaspian.web.render" in proc.stdout


def test_quick_start__outputs_folder_is_not_in_the_repository() -> None:
    # `transcaspian build` refuses a non-empty folder it did not write: a file tracked under
    # outputs/ would make the README's quick start fail on a fresh clone.
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "outputs"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert tracked == []
