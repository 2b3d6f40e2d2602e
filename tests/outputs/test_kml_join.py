"""The KML is written layer by layer and joined: the same bytes LIBKML writes when it appends the layers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transcaspian.outputs import kml as kml_module
from transcaspian.outputs import placemarks
from transcaspian.outputs.columns import geometry_type
from transcaspian.outputs.export import write_kml
from transcaspian.outputs.gdal import write_frame

HOSTILE = ["<Folder id=\"x\">", "</Document>", "<Schema id=\"y\">", "]]></Folder></Document>", "\n    <Folder id=\"z\">", "<![CDATA[", "plain"]


def _lines(values: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"l{i}" for i in range(len(values))], "name": values, "notes": values, "length_km": [1.5] * len(values)},
        geometry=[shapely.LineString([(49.0 + i, 40.0), (51.0, 41.0 + i)]) for i in range(len(values))],
        crs=4326,
    )


def _points(values: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"p{i}" for i in range(len(values))], "name": values}, geometry=[shapely.Point(50.0, 40.0 + i) for i in range(len(values))], crs=4326)


def _appended(path: Path, frames: dict[str, gpd.GeoDataFrame]) -> str:
    """The file as LIBKML writes it when each layer is appended to it (how write_kml wrote it before)."""
    about = {"NAME": "transcaspian", "DESCRIPTION": "Measured, source-checked lines across the Caspian; see metadata.json."}
    for i, (name, frame) in enumerate(frames.items()):
        ready = kml_module.protect_frame(placemarks.kml_frame(name, frame, name))
        write_frame(ready, path, layer=name, driver="LIBKML", geometry_type=geometry_type(frame), layer_options={"FOLDER": "YES"}, dataset_options=None if i else about)
    kml_module.restore_file(path)
    return path.read_text(encoding="utf-8")


CASES = {
    "lines and places": {"first": _lines(["a", "b"]), "places": _points(["p", "q", "r"])},
    "hostile text": {"first": _lines(HOSTILE), "second": _points(HOSTILE)},
    "an empty layer between two": {"first": _lines(["a"]), "empty": _lines([]), "last": _lines(["b"])},
    "one layer": {"only": _lines(["a"])},
    "no attributes": {"first": _lines(["a"]), "bare": gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)], crs=4326)},
}


@pytest.mark.parametrize("frames", CASES.values(), ids=CASES.keys())
def test_joined_kml_is_byte_for_byte_what_libkml_appends(tmp_path: Path, frames: dict[str, gpd.GeoDataFrame]):
    joined = write_kml(tmp_path / "joined" / "t.kml", frames, titles={name: (name, "") for name in frames})
    assert joined.read_text(encoding="utf-8") == _appended(tmp_path / "t.kml", frames)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=30), min_size=1, max_size=4))
def test_joined_kml_equals_appended_whatever_the_text(tmp_path_factory: pytest.TempPathFactory, values: list[str]):
    tmp = tmp_path_factory.mktemp("kml")
    frames = {"first": _lines(values), "second": _points(values)}
    joined = write_kml(tmp / "joined" / "t.kml", frames, titles={name: (name, "") for name in frames})
    assert joined.read_text(encoding="utf-8") == _appended(tmp / "t.kml", frames)


def test_when_the_layout_is_unexpected_libkml_appends_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    frames = CASES["lines and places"]
    expected = write_kml(tmp_path / "a" / "t.kml", frames).read_bytes()

    def refuse(texts: list[str]) -> str:
        raise ValueError("not laid out as expected")

    monkeypatch.setattr(kml_module, "join_documents", refuse)
    assert write_kml(tmp_path / "b" / "t.kml", frames).read_bytes() == expected


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["<kml><Document></Document></kml>"],  # no Folder
        ["<Folder id=\"a\"></Folder></Document>"],  # no head
        ["<kml>\n<Document>\n<name>a</name>\n<Folder id=\"a\">\n</Folder>\n</Document>\n</kml>", "<kml>\n<Document>\n<name>b</name>\n<Folder id=\"b\">\n</Folder>\n</Document>\n</kml>"],
        ["<kml>\n<Document>\n</Document>\n<Folder id=\"a\">\n</Folder>\n</kml>"],  # the Folder outside the Document
    ],
    ids=["none", "no folder", "no head", "different heads", "folder after the document"],
)
def test_join_documents_refuses_what_it_cannot_join(texts: list[str]):
    with pytest.raises(ValueError):
        kml_module.join_documents(texts)
