"""KML stays valid and complete whatever the text (issue 9, item 6).

Found: a ``]]>`` in any text made GDAL's LIBKML output invalid, and with
several layers whole layers vanished from ``transcaspian.kml`` (exit 0,
certified by SHA256SUMS). Expected: the text comes back as it was, and the
build reads every KML back and fails loudly on a placemark count mismatch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from hostile import CASPIAN, HTML_PAYLOADS, OTHER_PAYLOADS, TEMPLATE_PAYLOADS, assert_ok, cli

from transcaspian.errors import OutputError
from transcaspian.outputs import kml as kml_module
from transcaspian.outputs.export import write_kml

CDATA_PAYLOADS = ["]]>", "a]]>b", "]]><script>alert(1)</script>", "<![CDATA[x]]>", "]]]]><![CDATA[>", "x]]>]]>y<", kml_module.MARKER, kml_module.MARKER + "1", kml_module.MARKER + "0]]>"]


def frame(values: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"f{i}" for i in range(len(values))], "name": values, "notes": values},
        geometry=[shapely.LineString(CASPIAN)] * len(values),
        crs=4326,
    )


@pytest.mark.parametrize("payload", CDATA_PAYLOADS + HTML_PAYLOADS + TEMPLATE_PAYLOADS[:3])
def test_cdata_end_in_text_keeps_every_layer_and_the_text(tmp_path: Path, payload: str):
    path = tmp_path / "t.kml"
    write_kml(path, {"first": frame([payload, "plain"]), "second": frame(["other"])})
    ET.parse(path)  # well-formed
    assert {str(r[0]) for r in pyogrio.list_layers(path)} == {"first", "second"}
    back = pyogrio.read_dataframe(path, layer="first")
    assert back["notes"].tolist() == [payload, "plain"]
    assert back["Name"].tolist() == [payload, "plain"]


def test_build_kml_with_cdata_end_in_geodata(tmp_path: Path, mini_geodata: Path):
    layer = mini_geodata / "layers" / "middle_corridor.toml"
    layer.write_text(layer.read_text().replace('name = "Aktau-Alat ferry"', 'name = "ferry ]]> <b>bold</b>"'))
    out = tmp_path / "out"
    assert_ok(cli("build", "--geodata", mini_geodata, "--out", out))
    path = out / "transcaspian.kml"
    ET.parse(path)
    layers = {str(r[0]): pyogrio.read_info(path, layer=str(r[0]))["features"] for r in pyogrio.list_layers(path)}
    geojson_counts = {p.stem: pyogrio.read_info(p)["features"] for p in (out / "layers").glob("*.geojson")}
    for name, count in geojson_counts.items():
        if count:
            assert layers.get(name) == count, (name, layers)
    names = pyogrio.read_dataframe(path, layer="middle_corridor")["Name"].tolist()
    assert "ferry ]]> <b>bold</b>" in names


def test_a_kml_that_loses_placemarks_fails_loudly(tmp_path: Path):
    path = tmp_path / "t.kml"
    write_kml(path, {"only": frame(["a", "b"])})
    with pytest.raises(OutputError, match="placemarks"):
        kml_module.verify_kml(path, {"only": 3})
    broken = tmp_path / "broken.kml"
    broken.write_text(path.read_text().replace("<name>a</name>", "<name><![CDATA[a]]>]]></name>"))
    with pytest.raises(OutputError, match="well-formed|placemarks"):
        kml_module.verify_kml(broken, {"only": 2})


def test_a_kml_that_lost_a_whole_layer_names_it(tmp_path: Path):
    path = tmp_path / "t.kml"
    write_kml(path, {"first": frame(["a"]), "second": frame(["b", "c"])})
    with pytest.raises(OutputError, match=r"layer 'third' has 0 placemarks \(GDAL reads 0\) after writing 4 features"):
        kml_module.verify_kml(path, {"first": 1, "second": 2, "third": 4})


@pytest.mark.parametrize("name", ["it's", "a; DROP TABLE b", "усть", "x' UNION SELECT 'y"])
def test_gdal_counts_layers_whatever_their_names(tmp_path: Path, name: str):
    # The counts come from one SQL query over every layer: the names are quoted, never spliced in.
    path = tmp_path / "t.kml"
    pyogrio.write_dataframe(frame(["a", "b"]), path, layer=name, driver="LIBKML")
    pyogrio.write_dataframe(frame(["c"]), path, layer="plain", driver="LIBKML", append=True)
    assert kml_module._gdal_counts(path, [name, "plain"]) == {name: 2, "plain": 1}
    assert kml_module._gdal_counts(path, [name, "plain", "gone"]) == {name: 2, "plain": 1}


@pytest.mark.parametrize("payload", OTHER_PAYLOADS)
def test_other_hostile_text_survives_kml(tmp_path: Path, payload: str):
    path = tmp_path / "t.kml"
    write_kml(path, {"only": frame([payload])})
    ET.parse(path)
    back = pyogrio.read_dataframe(path, layer="only")["notes"].tolist()
    # XML 1.0 cannot hold C0 controls other than tab, LF, CR: those are dropped, the rest comes back.
    expected = "".join(c for c in payload if c >= " " or c in "\t\n")
    assert [v.replace("\r", "") for v in back] == [expected.replace("\r", "")]
