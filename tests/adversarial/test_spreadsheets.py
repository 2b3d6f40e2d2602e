"""Spreadsheet formula injection in every CSV the tool writes (issue 9, item 5).

Found: cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR were written
as they are to ``measure --format csv``, ``check --format csv``,
``checks.csv`` and ``csv/<layer>.csv``; LibreOffice ran ``=HYPERLINK(...)``.
Expected: text cells get a leading ``'`` (OWASP); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hostile import CASPIAN, FORMULA_PAYLOADS, assert_ok, cli, line_feature, write_geojson


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def is_inert(cell: str) -> bool:
    return not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_measure_csv_neutralises_text_cells(tmp_path: Path, payload: str):
    src = write_geojson(tmp_path / "in.geojson", [line_feature(CASPIAN, id=payload)])
    run = cli("measure", src, "--format", "csv", "--by-country")
    assert_ok(run)
    (row,) = rows(run.stdout)
    assert row["feature"] == "'" + payload
    assert all(is_inert(v) for v in row.values())
    assert float(row["length_km"]) > 0  # the number is still a number


def test_measure_csv_file_name_is_neutralised(tmp_path: Path):
    src = write_geojson(tmp_path / "=cmd.geojson", [line_feature(CASPIAN, id="a")])
    run = cli("measure", src, "--format", "csv")
    assert_ok(run)
    (row,) = rows(run.stdout)
    assert is_inert(row["file"])


def _claims_with(tmp_path: Path, payload: str) -> Path:
    claims = tmp_path / "claims.toml"
    claims.write_text(
        "[[source]]\n"
        f"id = \"s\"\npublisher = {json.dumps(payload)}\ntitle = {json.dumps(payload)}\nurl = \"https://example.org/\"\ndate = \"2025-01-01\"\n"
        "[[claim]]\n"
        f"id = \"c1\"\nsubject = \"ferry\"\nmetric = \"length\"\nvalue = 500\nunit = \"km\"\nrole = \"canonical\"\nsource = \"s\"\n"
        f"notes = {json.dumps(payload)}\n",
        encoding="utf-8",
    )
    return claims


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_check_csv_neutralises_text_cells(tmp_path: Path, mini_geodata: Path, payload: str):
    claims = _claims_with(tmp_path, payload)
    run = cli("check", "--geodata", mini_geodata, "--claims", claims, "--format", "csv")
    assert run.exception is None, run.exception
    assert run.exit_code in (0, 1), run.stderr
    table = rows(run.stdout)
    assert table, run.stderr
    for row in table:
        assert all(is_inert(v) for v in row.values()), row


def test_build_csvs_neutralise_text_and_keep_numbers(tmp_path: Path, mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    layer.write_text(layer.read_text().replace('name = "Aktau-Alat ferry"', 'name = "=HYPERLINK(\\"http://x.invalid\\",\\"click\\")"'))
    claims = _claims_with(tmp_path, "@SUM(A1)")
    (mini_geodata / "claims.toml").write_text(claims.read_text())
    out = tmp_path / "out"
    assert_ok(cli("build", "--geodata", mini_geodata, "--out", out))
    legs = rows((out / "csv" / "middle_corridor.csv").read_text(encoding="utf-8"))
    ferry = next(r for r in legs if r["id"] == "ferry")
    assert ferry["name"] == "'=HYPERLINK(\"http://x.invalid\",\"click\")"
    float(ferry["length_km"])  # still a plain number
    assert not ferry["length_km"].startswith("'")
    for path in [*(out / "csv").glob("*.csv"), out / "checks.csv"]:
        for row in rows(path.read_text(encoding="utf-8")):
            assert all(is_inert(v) for v in row.values() if v), (path.name, row)
    # The GIS formats keep the text as it is.
    geo = json.loads((out / "layers" / "middle_corridor.geojson").read_text(encoding="utf-8"))
    assert any(f["properties"]["name"].startswith("=HYPERLINK") for f in geo["features"])
    assert "formula" in (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
