"""The report's sections on places (references, distances) and on status and history."""

from __future__ import annotations

from pathlib import Path

from transcaspian.network.loading import load_geodata
from transcaspian.report.network import places_markdown, status_markdown


def test_places_markdown__every_place_with_its_references_and_distance():
    gd = load_geodata()
    text = places_markdown(gd)
    assert text.startswith("## Places and their references")
    for pid in gd.places:
        assert f"`{pid}`" in text
    assert "OSM node 11910129790" in text or "`kuryk_port`" in text
    assert "| `kuryk_port` | 43.16480, 51.44160 |" in text
    assert places_markdown(gd) == text  # deterministic


def test_status_markdown__status_dates_and_timeline_in_date_order():
    gd = load_geodata()
    text = status_markdown(gd)
    assert "| `blacksea_ferry_poti_constanta` | operational | 2026-12-01 |" in text
    timeline = text.split("### Timeline", 1)[1]
    dates = [line.split(" | ")[0].lstrip("| ") for line in timeline.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    assert dates == sorted(dates) and len(dates) == sum(len(leg.events) for leg in gd.legs.values())


def test_data_text_cannot_become_markup(mini_geodata: Path):
    path = mini_geodata / "places" / "places.toml"
    evil = "<script>alert(1)</script> | {{ x }} ]]>"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'source = "test"\n',
            'source = "test"\nreferences = [ { kind = "geonames", title = "' + evil + '", lat = 40.0, lon = 49.0, '
            'distance_km = 99.0, independent = true, why = "' + evil + '" } ]\n',
            1,
        ),
        encoding="utf-8",
    )
    text = places_markdown(load_geodata(mini_geodata))
    assert "<script>" not in text and "&lt;script&gt;" in text
    row = next(line for line in text.splitlines() if "alert(1)" in line)
    assert row.count(" | ") == 6  # the | in the data did not add a cell


def test_built_report_has_both_sections(built: Path):
    text = (built / "report.md").read_text(encoding="utf-8")
    assert "## Places and their references" in text and "## Status and history" in text


def test_built_report_lists_the_figures_that_contradict_themselves(built: Path):
    text = (built / "report.md").read_text(encoding="utf-8")
    section = text.split("### Figures that contradict themselves", 1)[1].split("\n## ", 1)[0]
    assert "btk\\_total\\_757\\_superhaber" in section or "btk_total_757_superhaber" in section
    assert "728 km" in section and "misprint: corrected to 504 km" in section
