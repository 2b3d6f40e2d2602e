"""Shared fixtures: the curated data measured once, and one full build."""

from __future__ import annotations

from pathlib import Path

import pytest

from transcaspian.pipeline import Measured, measure_geodata, run_build


@pytest.fixture(scope="session")
def measured() -> Measured:
    """The curated geodata, read, built, validated and measured."""
    return measure_geodata()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder written by one full ``run_build`` of the curated data."""
    out = tmp_path_factory.mktemp("outputs")
    run_build(None, out)
    return out


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
