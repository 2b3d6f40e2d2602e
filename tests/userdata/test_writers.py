"""Writing measured rows: the table for people, atomic outputs, the progress bar."""

from __future__ import annotations

import io

import pytest

from transcaspian.userdata.writers import FeatureRow, FileSummary, Progress, TableWriter, atomic_open


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
    assert len(lines) == 1 + 3 + 1
    # every row puts the length in the same column as the header's "length_km"
    end = lines[0].index("length_km") + len("length_km")
    assert all(line[:end].endswith("12.500") for line in lines[1:4])
    assert "n" * (TableWriter._FEATURE - 1) + "…" in lines[2]
    assert "two lines" in lines[3]
