"""Exports read back with GDAL: GeoJSON, GeoPackage, FlatGeobuf, KML, CSV, metadata, checksums."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Geod

from transcaspian import __version__
from transcaspian.cli import main
from transcaspian.errors import OutputError, UsageError
from transcaspian.files import atomic_file, atomic_write
from transcaspian.measured import Measured
from transcaspian.outputs.export import (
    CLAIMS_TABLE,
    EVENTS_TABLE,
    GPKG_NAME,
    KML_NAME,
    STYLES_TABLE,
    build_metadata,
    dumps_geojson,
    feature_collection,
    flat_frame,
    flat_frames,
    kml_description,
    layer_qml,
    line_countries,
    ogr_style,
    sha256sums,
    source_date,
    write_exports,
    write_gpkg,
)
from transcaspian.outputs.fields import FIELDS, describe, undocumented
from transcaspian.outputs.qml import qgis_color
from transcaspian.pipeline import run_build
from transcaspian.styles import LAYER_COLORS, PLACE_STYLES, line_style

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
LINE_LAYERS = ("middle_corridor", "fiber", "power_cables", "btc_pipeline", "routes")


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _expected_layers(measured: Measured) -> dict[str, int]:
    return {name: len(frame) for name, frame in measured.layer_frames().items()}


# --- GeoJSON (RFC 7946) -------------------------------------------------------


def _decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _walk_coords(coords):
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _walk_coords(c)


def test_write_geojson_layers__rfc7946(built: Path, measured: Measured) -> None:
    for name, count in _expected_layers(measured).items():
        text = (built / "layers" / f"{name}.geojson").read_text(encoding="utf-8")
        doc = json.loads(text)
        assert "crs" not in doc
        assert doc["type"] == "FeatureCollection"
        assert len(doc["features"]) == count
        ids = [f["id"] for f in doc["features"]]
        assert len(set(ids)) == len(ids)
        for feature in doc["features"]:
            assert feature["id"] == feature["properties"]["id"]
            assert list(feature) == sorted(feature)
            assert list(feature["properties"]) == sorted(feature["properties"])
            for lon, lat in _walk_coords(feature["geometry"]["coordinates"]):
                assert -180 <= lon <= 180 and -90 <= lat <= 90
                assert _decimals(lon) <= 6 and _decimals(lat) <= 6
        # GDAL reads it as WGS84 longitude/latitude.
        info = pyogrio.read_info(built / "layers" / f"{name}.geojson")
        assert info["crs"] == "EPSG:4326" and info["features"] == count


def test_write_geojson_layers__lengths_are_geodesic_lengths_of_the_geometry(built: Path, measured: Measured) -> None:
    geod = Geod(ellps="WGS84")  # independent of the code under test
    for name in [*measured.geodata.layers, "routes"]:
        for feature in json.loads((built / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))["features"]:
            props = feature["properties"]
            km = geod.geometry_length(shapely.geometry.shape(feature["geometry"])) / 1000
            # coordinates are rounded to 1e-6 degree (about 0.1 m) per vertex, lengths to 1 m
            assert props["length_km"] == pytest.approx(km, abs=0.01), feature["id"]
            assert sum(props["country_lengths_km"].values()) == pytest.approx(props["length_km"], abs=0.01), feature["id"]


def test_dumps_geojson__sorted_keys_and_stable() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["b"], "z": [1.0], "a": ["x"]}, geometry=[shapely.LineString([(49.12345678, 40.1), (50, 41)])], crs=4326
    )
    text = dumps_geojson(feature_collection(frame))
    assert text == dumps_geojson(feature_collection(frame))
    feature = json.loads(text)["features"][0]
    assert feature["geometry"]["coordinates"][0] == [49.123457, 40.1]
    assert '"properties":{"a":"x","id":"b","z":1.0}' in text


# --- the flat attribute table ---------------------------------------------------


def test_flat_frame__country_columns_and_json(measured: Measured) -> None:
    frames = flat_frames(measured.layer_frames())
    countries = line_countries(measured.layer_frames())
    assert countries[-1] == "sea" or "sea" not in countries
    for name in LINE_LAYERS:
        flat = frames[name]
        columns = [f"length_km_{c.lower()}" for c in countries]
        assert all(c in flat.columns for c in columns), name
        for _, row in flat.iterrows():
            nested = json.loads(row["country_lengths_km"])
            assert sum(row[c] for c in columns) == pytest.approx(row["length_km"], abs=0.01)
            for code, km in nested.items():
                assert row[f"length_km_{code.lower()}"] == km
            assert json.loads(row["places"])[0] == row["start_place"]
            assert isinstance(json.loads(row["sources"]), list)
        assert flat["length_km"].dtype == np.float64
        assert flat["capacity_mw"].dtype == np.float64


def test_flat_frame__keeps_and_types_unknown_columns() -> None:
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "stated_length_km": [380.0, None],
            "length_ratio": [0.96, None],
            "check": ["consistent", None],
            "facts": [[{"metric": "capacity", "value": 400}], []],
            "trains": [287, 3],
            "note": ["x", None],
        },
        geometry=[shapely.LineString([(49.1234567, 40), (50, 41)]), shapely.LineString([(51, 40), (52, 41)])],
        crs=4326,
    )
    flat = flat_frame(frame)
    assert flat["stated_length_km"].dtype == np.float64 and np.isnan(flat["stated_length_km"][1])
    assert flat["length_ratio"].tolist()[0] == 0.96
    assert flat["check"].tolist() == ["consistent", None]
    assert json.loads(flat["facts"][0]) == [{"metric": "capacity", "value": 400}]
    assert str(flat["trains"].dtype) == "Int64"
    assert flat["note"].tolist() == ["x", None]
    assert shapely.get_coordinates(flat.geometry.iloc[0])[0].tolist() == [49.123457, 40.0]
    # The input is not changed.
    assert isinstance(frame["facts"][0], list)


def test_flat_frame__same_type_in_every_layer(measured: Measured) -> None:
    frames = flat_frames(measured.layer_frames())
    for column in ("capacity_mw", "capacity_tbps", "length_km"):
        assert {str(frames[n][column].dtype) for n in LINE_LAYERS} == {"float64"}


# --- GeoPackage ------------------------------------------------------------------


def test_write_gpkg__layers_crs_counts(built: Path, measured: Measured) -> None:
    path = built / GPKG_NAME
    layers = {str(name): geom for name, geom in pyogrio.list_layers(path)}
    expected = _expected_layers(measured)
    for name, count in expected.items():
        assert name in layers
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:4326"
        assert info["features"] == count
        assert info["geometry_type"] == ("Point" if name == "places" else "LineString")
    assert layers[STYLES_TABLE] is None
    ids = pyogrio.read_dataframe(path, layer="fiber")["id"].tolist()
    assert ids == measured.layer_frames()["fiber"]["id"].tolist()


def test_write_gpkg__field_types(built: Path) -> None:
    info = pyogrio.read_info(built / GPKG_NAME, layer="btc_pipeline")
    types = dict(zip(info["fields"], info["ogr_types"]))
    for name in ("length_km", "capacity_mw", "capacity_tbps", "length_km_aze", "length_km_geo", "length_km_tur"):
        assert types[name] == "OFTReal", name
    for name in ("id", "name", "mode", "status", "route_accuracy", "country_lengths_km", "places", "sources"):
        assert types[name] == "OFTString", name
    frame = pyogrio.read_dataframe(built / GPKG_NAME, layer="btc_pipeline")
    row = frame.iloc[0]
    assert json.loads(row["country_lengths_km"])["AZE"] == row["length_km_aze"]
    places = pyogrio.read_dataframe(built / GPKG_NAME, layer="places")
    assert places["country"].str.fullmatch(r"[A-Z]{3}").all()


def test_write_gpkg__layer_styles_rows(built: Path, measured: Measured) -> None:
    with sqlite3.connect(built / GPKG_NAME) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault FROM layer_styles ORDER BY id"
        ).fetchall()
        kind = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
    assert kind == ("attributes",)
    assert [r[0] for r in rows] == list(_expected_layers(measured))
    for table, geom_column, style_name, qml, default in rows:
        assert geom_column == "geom" and style_name == table and default == 1
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        assert renderer is not None
        if table == "places":
            assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kind"
        else:
            assert renderer.get("type") == "RuleRenderer"
            colour = qgis_color(LAYER_COLORS[table])
            assert f'value="{colour}"' in qml


def test_layer_qml__rules_match_line_style(measured: Measured) -> None:
    frame = measured.layer_frames()["middle_corridor"]
    qml = layer_qml("middle_corridor", frame)
    root = ET.fromstring(qml.split("\n", 1)[1])
    symbols = {s.get("name"): s for s in root.iter("symbol")}
    combos = set(zip(frame["mode"], frame["status"], frame["route_accuracy"]))
    rules = [r for r in root.iter("rule") if r.get("filter") != "ELSE"]
    assert len(rules) == len(combos)
    for rule in rules:
        values = dict(re.findall(r'"(\w+)" = \'(\w+)\'', rule.get("filter")))
        style = line_style("middle_corridor", values["mode"], values["status"], values["route_accuracy"])
        options = {o.get("name"): o.get("value") for o in symbols[rule.get("symbol")].iter("Option") if o.get("name")}
        assert options["line_color"] == qgis_color(style.color)
        assert float(options["line_width"]) == style.width
        assert options["line_width_unit"] == "Pixel"  # the same pixels as the web maps
        if style.dash:
            assert options["use_custom_dash"] == "1"
            assert options["customdash"] == ";".join(f"{d * style.width:g}" for d in style.dash)
        else:
            assert options["use_custom_dash"] == "0"
    assert any(r.get("filter") == "ELSE" for r in root.iter("rule"))


def test_layer_qml__places_by_kind(measured: Measured) -> None:
    places = measured.layer_frames()["places"]
    qml = layer_qml("places", places)
    root = ET.fromstring(qml.split("\n", 1)[1])
    symbols = {s.get("name"): s for s in root.find("renderer-v2/symbols")}
    categories = root.findall("renderer-v2/categories/category")
    assert {c.get("value") for c in categories} == set(places["kind"])
    for category in categories:
        color, radius = PLACE_STYLES[category.get("value")]
        options = {o.get("name"): o.get("value") for o in symbols[category.get("symbol")].iter("Option") if o.get("name")}
        assert options["color"] == qgis_color(color)
        assert float(options["size"]) == 2 * radius


def test_layer_qml__none_for_tables() -> None:
    assert layer_qml(CLAIMS_TABLE, pd.DataFrame({"claim": ["a"]})) is None


def test_write_gpkg__claims_table_and_timestamps(tmp_path: Path, measured: Measured) -> None:
    frames = flat_frames({"fiber": measured.layer_frames()["fiber"]})
    claims = pd.DataFrame({"claim": ["fiber_380"], "value": [380.0], "verdict": ["trace_short"]})
    date = source_date({"SOURCE_DATE_EPOCH": "1700000000"})
    path = write_gpkg(tmp_path / "t.gpkg", frames, {CLAIMS_TABLE: claims}, date=date)
    layers = {str(n): g for n, g in pyogrio.list_layers(path)}
    assert layers[CLAIMS_TABLE] is None
    table = pyogrio.read_dataframe(path, layer=CLAIMS_TABLE, read_geometry=False)
    assert table["claim"].tolist() == ["fiber_380"] and table["value"].tolist() == [380.0]
    with sqlite3.connect(path) as db:
        stamps = {r[0] for r in db.execute("SELECT last_change FROM gpkg_contents")}
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
        updated = {r[0] for r in db.execute("SELECT update_time FROM layer_styles")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
    # GeoPackage 1.2: no version warning in GIS releases with an older GDAL.
    assert version == 10200
    assert stamps == {"2023-11-14T22:13:20.000Z"}
    assert kinds[CLAIMS_TABLE] == "attributes" and kinds["fiber"] == "features"
    assert updated == {"2023-11-14T22:13:20.000Z"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.gpkg"]


def test_write_exports__claims_table_from_checks(tmp_path: Path, measured: Measured) -> None:
    from transcaspian.claims.judge import annotate, run_checks
    from transcaspian.claims.model import ClaimContext
    from transcaspian.claims.parsing import load_curated_claims

    result = run_checks(load_curated_claims(None, ClaimContext.from_network(measured.network)), measured.network, measured.countries)
    checked = dataclasses.replace(measured, legs=annotate(measured.legs, result), routes=annotate(measured.routes, result), checks=result)
    write_exports(tmp_path, checked)
    path = tmp_path / GPKG_NAME
    info = pyogrio.read_info(path, layer=CLAIMS_TABLE)
    assert info["features"] == len(result.register.claims)
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["claim"] == "OFTString" and types["stated_km"] == "OFTReal" and types["ratio"] == "OFTReal"
    table = pyogrio.read_dataframe(path, layer=CLAIMS_TABLE, read_geometry=False)
    assert table["claim"].tolist() == [c.id for c in result.register.claims]
    assert set(table["verdict"].dropna()) <= {"", "consistent", "trace_short", "trace_long", "impossible", "not_checkable"}
    fields = pyogrio.read_info(path, layer="fiber")["fields"]
    assert {"stated_length_km", "length_ratio", "check"} <= set(fields)
    text = (tmp_path / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert "(not documented yet)" not in text and "| `claims` |" in text
    assert undocumented({**flat_frames(checked.layer_frames()), CLAIMS_TABLE: table}) == []


def test_write_gpkg__unwritable_folder_is_output_error(tmp_path: Path, measured: Measured) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_gpkg(blocker / "t.gpkg", flat_frames({"fiber": measured.layer_frames()["fiber"]}))


# --- FlatGeobuf -------------------------------------------------------------------


def test_write_fgb_layers__index_crs_counts(built: Path, measured: Measured) -> None:
    for name, count in _expected_layers(measured).items():
        info = pyogrio.read_info(built / "fgb" / f"{name}.fgb")
        assert info["crs"] == "EPSG:4326"
        assert info["features"] == count
        assert info["layer_name"] == name
        # Only a file with its packed R-tree index supports fast spatial filters.
        assert info["capabilities"]["fast_spatial_filter"] is True
        types = dict(zip(info["fields"], info["ogr_types"]))
        if name != "places":
            assert types["length_km"] == "OFTReal" and types["sources"] == "OFTString"
    fiber = pyogrio.read_dataframe(built / "fgb" / "fiber.fgb", bbox=(49, 40, 52, 44))
    assert set(fiber["id"]) <= set(measured.layer_frames()["fiber"]["id"])


# --- KML ---------------------------------------------------------------------------


def test_write_kml__folders_placemarks_styles(built: Path, measured: Measured) -> None:
    path = built / KML_NAME
    expected = _expected_layers(measured)
    assert [str(n) for n, _ in pyogrio.list_layers(path)] == list(expected)
    root = ET.parse(path).getroot()
    folders = root.findall("k:Document/k:Folder", KML_NS)
    assert [f.findtext("k:name", namespaces=KML_NS) for f in folders] == list(expected)
    frames = measured.layer_frames()
    for folder in folders:
        name = folder.findtext("k:name", namespaces=KML_NS)
        placemarks = folder.findall("k:Placemark", KML_NS)
        assert len(placemarks) == expected[name]
        assert [p.get("id") for p in placemarks] == frames[name]["id"].tolist()
        for placemark, (_, row) in zip(placemarks, frames[name].iterrows()):
            assert placemark.findtext("k:name", namespaces=KML_NS) == row["name"]
            assert placemark.findtext("k:description", namespaces=KML_NS)
            if name == "places":
                colour = placemark.findtext("k:Style/k:IconStyle/k:color", namespaces=KML_NS)
                hex_rgb = PLACE_STYLES[row["kind"]][0]
            else:
                style = line_style(name, row["mode"], row["status"], row["route_accuracy"])
                colour = placemark.findtext("k:Style/k:LineStyle/k:color", namespaces=KML_NS)
                assert float(placemark.findtext("k:Style/k:LineStyle/k:width", namespaces=KML_NS)) == style.width
                hex_rgb = style.color
            # KML colours are aabbggrr.
            r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
            assert colour.lower() == f"ff{b}{g}{r}".lower()
    frame = pyogrio.read_dataframe(path, layer="btc_pipeline")
    assert frame["length_km"].dtype == np.float64


def test_kml_description__escapes_markup() -> None:
    row = {
        "mode": "rail",
        "operator": "<img src=x onerror=alert(1)>",
        "length_km": 12.5,
        "notes": "${alert(1)} & <b>",
        "facts": json.dumps([{"metric": "capacity", "text": "<svg onload=alert(1)> Tbps"}]),
        "sources": json.dumps([{"publisher": "<script>", "title": "t", "url": "javascript:alert(1)", "date": ""}, {"publisher": "P", "title": "T", "url": "https://example.org/?a=1&b=\"2\"", "date": "2024"}]),
    }
    text = kml_description(row, "Layer <i>")
    # The only markup is the description's own.
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", text)) <= {"b", "br", "ul", "li", "a"}
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;script&gt;" in text and "&lt;svg" in text and "Layer &lt;i&gt;" in text
    assert "javascript:" not in text
    assert text.count("<a href=") == 1
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in text


def test_ogr_style__lines_and_places() -> None:
    from transcaspian.styles import LAYER_COLORS, MODE_WIDTHS

    width = f"{MODE_WIDTHS['subsea_cable']:g}"
    assert ogr_style("fiber", {"mode": "subsea_cable", "status": "operational", "route_accuracy": "traced"}) == f"PEN(c:{LAYER_COLORS['fiber']},w:{width}px)"
    assert ogr_style("places", {"kind": "port"}).startswith("SYMBOL(c:#0072B2,")


# --- CSV ---------------------------------------------------------------------------------


def test_write_csv_layers__wkt_types_counts(built: Path, measured: Measured) -> None:
    for name, count in _expected_layers(measured).items():
        path = built / "csv" / f"{name}.csv"
        assert path.read_bytes()[:4] == b"WKT,"
        assert b"\r\n" not in path.read_bytes()
        frame = pyogrio.read_dataframe(path)
        assert len(frame) == count
        assert frame["id"].tolist() == measured.layer_frames()[name]["id"].tolist()
        geom = frame.geometry.iloc[0]
        assert geom.geom_type == ("Point" if name == "places" else "LineString")
        csvt = (built / "csv" / f"{name}.csvt").read_text().strip().split(",")
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        types = dict(zip(header, csvt))
        assert types["WKT"] == "WKT" and types["id"] == "String"
        if name != "places":
            assert types["length_km"] == "Real"
            assert frame["length_km"].dtype == np.float64


# --- data dictionary, metadata, checksums --------------------------------------------------


def test_data_dictionary__documents_every_field(built: Path, measured: Measured) -> None:
    text = (built / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert "(not documented yet)" not in text
    frames = flat_frames(measured.layer_frames())
    assert undocumented(frames) == []
    for name, frame in frames.items():
        assert f"| `{name}` |" in text
        for column in frame.columns:
            if column != frame.geometry.name:
                assert f"| `{column}` |" in text, column
    for column in ("description", "OGR_STYLE", "WKT"):
        assert f"| `{column}` |" in text
    gpkg_info = pyogrio.read_info(built / GPKG_NAME, layer="routes")
    for column in gpkg_info["fields"]:
        assert describe(column, "routes") is not None, column


def test_fields__every_entry_complete() -> None:
    for name, field in FIELDS.items():
        assert field.name == name and field.type and field.meaning
        if name.endswith("_km"):
            assert field.unit == "km"


def test_build_metadata__content(built: Path, measured: Measured) -> None:
    meta = json.loads((built / "metadata.json").read_text(encoding="utf-8"))
    assert meta["tool"]["version"] == __version__
    assert meta["source_data"]["digest"] == f"sha256:{measured.geodata.digest}"
    assert meta["crs"]["id"] == "EPSG:4326"
    assert "WGS84" in meta["length_measurement"]["method"]
    date = source_date()
    assert meta["build_date"] == (None if date is None else date.strftime("%Y-%m-%dT%H:%M:%SZ"))
    licences = " ".join(json.dumps(entry) for entry in meta["licences"])
    assert "Natural Earth" in licences and "public domain" in licences and "MIT" in licences
    assert "ODbL-1.0" in licences and "OpenStreetMap contributors" in licences
    counts = {layer["name"]: layer["features"] for layer in meta["layers"]}
    assert {k: v for k, v in counts.items() if k not in (CLAIMS_TABLE, EVENTS_TABLE)} == _expected_layers(measured)
    assert counts[EVENTS_TABLE] == sum(len(leg.events) for leg in measured.geodata.legs.values())
    if CLAIMS_TABLE in counts:
        assert counts[CLAIMS_TABLE] == len(pyogrio.read_dataframe(built / GPKG_NAME, layer=CLAIMS_TABLE, read_geometry=False))
    assert len(meta["sources"]) == len(measured.geodata.sources)


def test_build_metadata__date_from_source_date_epoch(measured: Measured) -> None:
    date = source_date({"SOURCE_DATE_EPOCH": "1700000000"})
    meta = build_metadata(measured, measured.layer_frames(), date=date)
    assert meta["build_date"] == "2023-11-14T22:13:20Z"


def test_source_date__unset_and_invalid() -> None:
    assert source_date({}) is None
    assert source_date({"SOURCE_DATE_EPOCH": ""}) is None
    with pytest.raises(UsageError):
        source_date({"SOURCE_DATE_EPOCH": "yesterday"})


def test_sha256sums__covers_every_output(built: Path) -> None:
    lines = (built / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    assert list(listed) == sorted(listed)
    files = {k for k in _all_files(built) if k != "SHA256SUMS" and not any(p.startswith(".") for p in k.split("/"))}
    assert set(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((built / rel).read_bytes()).hexdigest() == digest
    for required in (GPKG_NAME, KML_NAME, "metadata.json", "DATA_DICTIONARY.md", "fgb/fiber.fgb", "csv/places.csv", "layers/routes.geojson"):
        assert required in listed


def test_sha256sums__skips_itself_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    (tmp_path / "SHA256SUMS").write_text("old")
    (tmp_path / ".staging-x").mkdir()
    (tmp_path / ".staging-x" / "b").write_text("b")
    assert sha256sums(tmp_path) == f"{hashlib.sha256(b'a').hexdigest()}  a\n"


def test_atomic_write__leaves_no_temporary_file(tmp_path: Path) -> None:
    atomic_write(tmp_path / "sub" / "x.txt", "one")
    atomic_write(tmp_path / "sub" / "x.txt", "two")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.txt"]
    assert (tmp_path / "sub" / "x.txt").read_text() == "two"


def test_atomic_write__under_a_file_names_it(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(OutputError, match=r"cannot write, .*taken is a file, not a folder"):
        atomic_write(tmp_path / "taken" / "sub" / "x.txt", "data")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_atomic_file__failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(target, text=True) as stream:
            stream.write("half")
            raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]
    assert target.read_text() == "old"


def test_atomic_file__a_folder_is_no_target(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        atomic_write(tmp_path, "data")


# --- reproducibility and the command line ----------------------------------------------------


def test_run_build__byte_identical(built: Path, tmp_path: Path) -> None:
    run_build(None, tmp_path)
    first, second = _all_files(built), _all_files(tmp_path)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    # No temporaries left; the one hidden file is the build's manifest (outputs/folder.py).
    assert [p.name for p in tmp_path.rglob(".*")] == [".transcaspian-build.json"]
    assert (tmp_path / ".transcaspian-build.json").read_bytes() == (built / ".transcaspian-build.json").read_bytes()


def test_run_build__source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    run_build(None, tmp_path)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["build_date"] == "2023-11-14T22:13:20Z"
    with sqlite3.connect(tmp_path / GPKG_NAME) as db:
        assert {r[0] for r in db.execute("SELECT last_change FROM gpkg_contents")} == {"2023-11-14T22:13:20.000Z"}


def test_export__one_format_and_layers(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "fgb", "--layers", "fiber,places", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # Besides the layers, only the folder's manifest (outputs/folder.py), so a second export is allowed.
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [".transcaspian-build.json", "fgb/fiber.fgb", "fgb/places.fgb"]
    assert result.stdout.split() == [str(tmp_path / "fgb" / "fiber.fgb"), str(tmp_path / "fgb" / "places.fgb")]


def test_export__gpkg_columns_same_as_build(tmp_path: Path, built: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "gpkg", "--layers", "fiber", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # The per-country columns do not depend on which layers are chosen.
    assert list(pyogrio.read_info(tmp_path / GPKG_NAME, layer="fiber")["fields"]) == list(pyogrio.read_info(built / GPKG_NAME, layer="fiber")["fields"])


def test_export__unknown_layer_is_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--format", "kml", "--layers", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown layer 'nope'" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("fmt", ["geojson", "fgb", "kml", "csv"])
def test_export__claims_only_in_the_geopackage(tmp_path: Path, fmt: str) -> None:
    # Asked for the claims in a format that has no tables: say so, write nothing.
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--layers", "claims", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "GeoPackage only" in result.stderr
    assert not list(tmp_path.iterdir())
