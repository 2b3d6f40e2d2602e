"""Writing measured rows: the table for people, atomic outputs, the progress bar."""

from __future__ import annotations

import io

import pytest
import shapely

from transcaspian.userdata.writers import WRITERS, FeatureRow, FileSummary, Progress, TableWriter, atomic_open


def test_atomic_open__failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with atomic_open(target) as stream:
            stream.write("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_progress__drawn_only_on_a_terminal_after_the_delay():
    class Tty(list):
        def write(self, text):
            self.append(text)

        def flush(self):
            pass

        def isatty(self):
            return True

    tty = Tty()
    bar = Progress(100, "big.fgb", tty, delay=0.0)
    bar(50)
    bar.close()
    assert "50%" in "".join(tty) and tty[-1] == "\r\033[K"
    quiet = Tty()
    late = Progress(100, "big.fgb", quiet, delay=3600)
    late(50)
    late.close()
    assert quiet == []


# -- the table for people -----------------------------------------------------------


def test_table_writer__long_or_multiline_names_keep_the_columns():
    stream = io.StringIO()
    writer = TableWriter(stream, file_width=len("f.geojson"))
    for name in ("short", "n" * 60, "two\nlines"):
        writer.row(FeatureRow("f.geojson", name, "LineString", 12.5))
    summary = FileSummary("f.geojson", "f", "EPSG:4326", features=3, measured=3, length_km=37.5)
    writer.close([summary])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 + 3 + 1 + 1  # header, rows, total, the note on the clipped id
    assert lines[-1].startswith("(1 feature id longer than 24 characters clipped")
    # every row puts the length in the same column as the header's "length_km"
    end = lines[0].index("length_km") + len("length_km")
    assert all(line[:end].endswith("12.500") for line in lines[1:4])
    assert "n" * (TableWriter._FEATURE - 1) + "…" in lines[2]
    assert "two lines" in lines[3]


# -- rows rendered in batches (measure --jobs) --------------------------------------

_ROWS = [
    FeatureRow("f.gpkg", "=1+1", "LineString", 12.3456, {"AZE": 10.0, "sea": 2.3456}, {"name": "a"}, shapely.LineString([(50, 40), (51, 40)])),
    FeatureRow("f.gpkg", "cr\rinside", "MultiLineString", 0.0005, None, {"name": None}, shapely.LineString([(50, 40), (50, 41)])),
    FeatureRow("f.gpkg", "#3", "Point", None, None, {}, shapely.Point(50, 40)),
    FeatureRow("f.gpkg", "n" * 40, "Polygon", 1234567.891, {"KAZ": 1234567.891}, {"name": "long"}, shapely.box(50, 40, 51, 41)),
    FeatureRow("f.gpkg", "-minus, comma", "LineString", 7.0, {"RUS": 7.0}, {"name": "b"}, shapely.LineString([(50, 40), (52, 40)])),
]


@pytest.mark.parametrize("by_country", [False, True])
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_render__batches_write_the_same_bytes_as_rows_one_by_one(fmt, by_country):
    # measure --jobs renders each batch's rows in a worker thread and writes the text in order.
    one_by_one, batched = io.StringIO(), io.StringIO()
    single = WRITERS[fmt](one_by_one, by_country=by_country, file_width=6)
    for row in _ROWS:
        single.row(row)
    several = WRITERS[fmt](batched, by_country=by_country, file_width=6)
    for chunk in ([], _ROWS[:2], [], _ROWS[2:3], _ROWS[3:]):  # empty batches too: all features without geometry
        several.write_rendered(several.render(chunk))
    summary = FileSummary("f.gpkg", "f", "EPSG:4326", features=5, measured=4, not_measured=1, length_km=1.0)
    single.close([summary])
    several.close([summary])
    assert batched.getvalue() == one_by_one.getvalue()
    text = one_by_one.getvalue()
    assert "'=1+1" in text or fmt != "csv"  # the formula cell is still neutralised
    assert ("clipped" in text) == (fmt == "table")  # the table's note counts the batches' clipped ids


def test_render__empty_writes_nothing():
    for fmt, writer_class in WRITERS.items():
        stream = io.StringIO()
        writer = writer_class(stream)
        head = stream.getvalue()
        writer.write_rendered(writer.render([]))
        assert stream.getvalue() == head, fmt
