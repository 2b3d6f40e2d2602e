"""Maps as HTML, tested without a browser: payloads, styles, safety, modes, sizes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from transcaspian.cli import main
from transcaspian.geo.countries import load_countries
from transcaspian.geo.geodesy import line_length_km
from transcaspian.measured import check_measured
from transcaspian.network.records import LAYERS
from transcaspian.pipeline import write_maps
from transcaspian.styles import LAYER_COLORS, PLACE_STYLES, line_style
from transcaspian.web import assets as render_assets
from transcaspian.web import render

PAYLOADS = ("<img src=x onerror=alert(1)>", "${alert(1)}", "</script><script>alert(1)</script>", "`; alert(1); `")
MAP_PAGES = ["index.html", *(f"{k}.html" for k in LAYERS), "routes.html", "places.html"]


class _Tags(HTMLParser):
    """Collect tags with their attributes, and the text of JSON data scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in_data = tag == "script" and attrs.get("type") == "application/json"

    def handle_endtag(self, tag):
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data.append(data)


def first_leg(frame, layer: str, *, stated: bool = False):
    """The first leg of a layer (ids change as the data is curated)."""
    legs = frame[frame["layer"] == layer]
    if stated:
        legs = legs[legs["stated_length_km"].notna()]
    return legs.iloc[0]


def a_port(measured):
    return measured.places[measured.places["kind"] == "port"].iloc[0]


def country_names() -> dict[str, str]:
    return {f["properties"]["iso_a3"]: f["properties"]["name"] for f in load_countries()["features"]}



def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def payload_of(html: str) -> dict:
    tags = parse(html)
    assert len(tags.data) == 1
    return json.loads(tags.data[0])


@pytest.fixture(scope="module")
def checked(measured):
    """The curated data with the claims checked (stated lengths, verdicts, facts)."""
    return check_measured(measured)


@pytest.fixture(scope="module")
def cdn_pages(measured) -> dict[str, str]:
    return render.network_maps(measured)


@pytest.fixture(scope="module")
def offline_pages(measured) -> dict[str, str]:
    return render.network_maps(measured, offline=True)


@pytest.fixture(scope="module")
def hostile_frame() -> gpd.GeoDataFrame:
    """Features whose names, values and keys are script and markup payloads."""
    rows = [
        {
            "name": PAYLOADS[0],
            PAYLOADS[1]: PAYLOADS[2],
            PAYLOADS[2]: "javascript:alert(1)",
            "link": "https://example.org/a?b=<c>",
            "geometry": shapely.LineString([(49.0, 40.0), (51.0, 43.0)]),
        },
        {"name": PAYLOADS[2], "kind": "port", "geometry": shapely.Point(50.0, 41.0)},
        {"name": PAYLOADS[1], "note": PAYLOADS[3], "geometry": shapely.Polygon([(48, 38), (49, 38), (49, 39), (48, 38)])},
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# -- json_for_script ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=20))
def test_json_for_script__round_trips_and_is_inert(value):
    text = render.json_for_script(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}


def test_json_for_script__escapes_closing_tags():
    assert render.json_for_script("</script>") == '"\\u003c/script\\u003e"'


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.org/x", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org", False),
        ("ftp://example.org", False),
        ("https://", False),
        (None, False),
        (42, False),
    ],
)
def test_is_http_url__only_absolute_http_and_https(url, ok):
    assert render.is_http_url(url) is ok


# -- geometry at display precision ------------------------------------------------


def test_display_geometry__densifies_long_segments_along_the_geodesic():
    line = shapely.LineString([(49.44, 39.945), (28.66, 44.17)])  # ~1,800 km, one segment
    geom = render.display_geometry(line)
    coords = np.asarray(geom["coordinates"])
    assert len(coords) > 80
    assert coords[0].tolist() == [49.44, 39.945] and coords[-1].tolist() == [28.66, 44.17]
    # The drawn line has the geodesic's length, within rounding.
    assert line_length_km(coords) == pytest.approx(line_length_km(line), rel=1e-5)
    # ... and bows north of the straight lon/lat chord, as a geodesic does here.
    mid = coords[len(coords) // 2]
    chord_lat = 39.945 + (44.17 - 39.945) * (49.44 - mid[0]) / (49.44 - 28.66)
    assert mid[1] > chord_lat + 0.5


def test_display_geometry__rounds_to_display_precision_and_drops_repeats():
    line = shapely.LineString([(1.123456789, 2.987654321), (1.1234561, 2.9876541), (1.2, 3.0)])
    geom = render.display_geometry(line, spacing_km=None)
    assert geom["coordinates"] == [[1.12346, 2.98765], [1.2, 3.0]]


@pytest.mark.parametrize(
    "geom, kind",
    [
        (shapely.Point(1.0, 2.0, 3.0), "Point"),
        (shapely.MultiPoint([(0, 0), (1, 1)]), "MultiPoint"),
        (shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]), "MultiLineString"),
        (shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 0)], [[(0.2, 0.1), (0.8, 0.1), (0.8, 0.7), (0.2, 0.1)]]), "Polygon"),
        (shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]), "MultiPolygon"),
        (shapely.GeometryCollection([shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])]), "GeometryCollection"),
    ],
)
def test_display_geometry__keeps_each_geometry_type(geom, kind):
    out = render.display_geometry(geom)
    assert out["type"] == kind
    shapely.from_geojson(json.dumps(out))  # valid GeoJSON geometry


def test_display_geometry__point_drops_z():
    assert render.display_geometry(shapely.Point(1.0, 2.0, 3.0))["coordinates"] == [1.0, 2.0]


@pytest.mark.parametrize("geom", [None, shapely.LineString(), shapely.Polygon(), shapely.GeometryCollection()])
def test_display_geometry__empty_is_none(geom):
    assert render.display_geometry(geom) is None


# -- popups --------------------------------------------------------------------


def rows_by_key(rows):
    return {r["key"]: r for r in rows}


def test_line_popup_rows__mode_status_operator_capacity_length(measured):
    leg = first_leg(measured.legs, "btc_pipeline")
    row = leg.to_dict()
    row.update(operator="BTC Co.", capacity="1.2 million barrels/day")
    rows = rows_by_key(render.line_popup_rows(row))
    assert rows["mode"]["text"] == "pipeline" and rows["mode"]["detail"]
    assert rows["status"]["text"].split(" · ")[0] == "operational" and "detail" not in rows["status"]
    assert rows["operator"]["text"] == "BTC Co."
    assert rows["capacity"]["text"] == "1.2 million barrels/day"
    assert rows["length_km"]["text"] == f"{leg['length_km']:,.1f} km"
    assert rows["sources"]["items"][0]["links"][0]["href"].startswith("https://")


def test_line_popup_rows__capacity_from_numbers():
    rows = rows_by_key(render.line_popup_rows({"capacity_mw": 1000.0, "capacity_tbps": 400.0}))
    assert rows["capacity"]["text"] == "1,000 MW, 400 Tbps"


def test_line_popup_rows__stated_length_source_link_and_check(measured):
    source = next(iter(measured.geodata.sources.values()))
    row = {
        "length_km": 363.242,
        "stated_length_km": 380.0,
        "stated_source": source.id,
        "length_ratio": 0.9559,
        "check": "trace_short",
    }
    rows = rows_by_key(render.line_popup_rows(row, sources=measured.geodata.sources))
    assert rows["stated_length_km"]["text"] == "380 km"
    publisher = source.publisher + (f", {source.date}" if source.date else "")
    assert rows["stated_length_km"]["links"] == [{"text": publisher, "href": source.url, "title": source.title}]
    assert rows["check"]["text"] == "drawn line shorter than stated · ratio 0.96"
    assert not any(rows[k].get("detail") for k in ("length_km", "stated_length_km", "check"))


def test_line_popup_rows__unknown_source_is_text_not_link():
    rows = rows_by_key(render.line_popup_rows({"stated_length_km": 1768.0, "stated_source": "javascript:alert(1)"}))
    assert "links" not in rows["stated_length_km"]
    assert rows["stated_length_km"]["text"] == "1,768 km (javascript:alert(1))"


def test_line_popup_rows__facts_with_their_sources(measured):
    source = next(iter(measured.geodata.sources.values()))
    facts = [{"claim": "c1", "metric": "capacity", "text": "400 Tbps", "value": 400, "unit": "Tbps", "source": source.id}]
    rows = rows_by_key(render.line_popup_rows({"facts": facts}, sources=measured.geodata.sources))
    assert rows["facts"]["label"] == "Published figures and verdicts" and rows["facts"]["detail"]
    assert rows["facts"]["items"][0]["text"] == "Capacity: 400 Tbps"
    assert rows["facts"]["items"][0]["links"][0]["href"] == source.url


def test_network_payload__popups_show_the_check(checked):
    payload = render.network_payload(checked)
    features = {f["id"]: f for layer in payload["layers"] for f in layer["features"]}
    for fid, leg in checked.legs.iterrows():
        rows = rows_by_key(features[fid]["rows"])
        if leg["stated_length_km"] == leg["stated_length_km"]:  # not NaN
            assert rows["stated_length_km"]["text"] == f"{leg['stated_length_km']:,.3f}".rstrip("0").rstrip(".") + " km"
            assert rows["stated_length_km"]["links"][0]["href"].startswith("http")
            assert rows["check"]["text"].startswith(leg["check"].replace("_", " "))
            assert f"ratio {leg['length_ratio']:.2f}" in rows["check"]["text"]
        else:
            assert "stated_length_km" not in rows


def test_place_popup_rows__kind_and_country(measured):
    row = a_port(measured).to_dict()
    rows = rows_by_key(render.place_popup_rows(row, {row["country"]: "Somewhere"}))
    assert rows["kind"]["text"] == "port"
    assert rows["country"]["text"] == f"Somewhere ({row['country']})"
    assert rows["coordinates"]["text"].endswith("E")


def test_attribute_popup_rows__lists_keys_and_values_as_text(hostile_frame):
    row = hostile_frame.iloc[0].to_dict()
    rows = render.attribute_popup_rows(row)
    by_label = {r["label"]: r for r in rows}
    assert by_label["name"]["text"] == PAYLOADS[0]
    assert by_label[PAYLOADS[1]]["text"] == PAYLOADS[2]
    assert by_label[PAYLOADS[2]]["text"] == "javascript:alert(1)" and "links" not in by_label[PAYLOADS[2]]
    assert by_label["link"]["links"] == [{"text": "https://example.org/a?b=<c>", "href": "https://example.org/a?b=<c>"}]
    assert rows[0]["label"] == "Measured length"


def test_attribute_popup_rows__skips_missing_and_formats_numbers():
    rows = render.attribute_popup_rows({"a": None, "b": float("nan"), "c": 1.5, "d": np.int64(3), "e": [1, "x"], "geometry": None})
    assert [(r["label"], r["text"]) for r in rows] == [("c", "1.5"), ("d", "3"), ("e", '[1, "x"]')]


# -- payloads of the curated maps ----------------------------------------------------


def test_network_payload__layers_in_fixed_order(measured):
    payload = render.network_payload(measured)
    titles = {k: v.title for k, v in measured.geodata.layers.items()}
    assert [layer["id"] for layer in payload["layers"]] == [*LAYERS, "routes", "places"]
    assert [layer["title"] for layer in payload["layers"]][:4] == [titles[k] for k in LAYERS]


def test_network_payload__every_feature_once_with_its_id(measured):
    payload = render.network_payload(measured)
    by_layer = {layer["id"]: [f["id"] for f in layer["features"]] for layer in payload["layers"]}
    for key in LAYERS:
        assert by_layer[key] == list(measured.legs[measured.legs["layer"] == key]["id"])
    assert by_layer["routes"] == list(measured.routes["id"])
    assert by_layer["places"] == list(measured.places["id"])


def test_network_payload__styles_follow_styles_module(measured):
    payload = render.network_payload(measured)
    fiber = next(layer for layer in payload["layers"] if layer["id"] == "fiber")
    for feature in fiber["features"]:
        leg = measured.legs.loc[feature["id"]]
        expected = line_style(leg["layer"], leg["mode"], leg["status"], leg["route_accuracy"])
        style = payload["styles"][feature["s"]]
        assert (style["color"], style["weight"], style["dash"]) == (expected.color, expected.width, expected.dasharray())
    places = next(layer for layer in payload["layers"] if layer["id"] == "places")
    aktau = next(f for f in places["features"] if f["id"] == a_port(measured)["id"])
    assert payload["styles"][aktau["s"]]["fill"] == PLACE_STYLES["port"][0]
    assert payload["styles"][aktau["s"]]["radius"] == PLACE_STYLES["port"][1]


def test_network_payload__ferries_dashed_and_illustrative_dotted(measured):
    payload = render.network_payload(measured)
    styles = payload["styles"]
    for layer in payload["layers"][:4]:
        for feature in layer["features"]:
            leg = measured.legs.loc[feature["id"]]
            if leg.route_accuracy == "illustrative":
                assert styles[feature["s"]].get("dotted") is True
            elif leg["mode"] == "ferry" or leg["status"] in ("planned", "proposed", "under_construction"):
                assert styles[feature["s"]]["dash"]


def test_network_payload__lengths_are_the_full_resolution_lengths(measured):
    payload = render.network_payload(measured)
    for layer in payload["layers"][:4]:
        for feature in layer["features"]:
            row = rows_by_key(feature["rows"])["length_km"]
            assert row["text"] == f"{measured.legs.loc[feature['id'], 'length_km']:,.1f} km"


def test_network_payload__one_layer_map_keeps_its_places(measured):
    payload = render.network_payload(measured, ["fiber"])
    assert [layer["id"] for layer in payload["layers"]] == ["fiber", "places"]
    place_ids = {f["id"] for f in payload["layers"][1]["features"]}
    expected = {p for places in measured.legs[measured.legs["layer"] == "fiber"]["places"] for p in places}
    assert place_ids == expected
    assert payload["title"] == measured.geodata.layers["fiber"].title


def test_network_payload__legend_samples_are_the_styles_drawn(measured):
    payload = render.network_payload(measured)
    legend = {s["title"]: s["items"] for s in payload["legend"]}
    assert list(legend)[:4] == [measured.geodata.layers[k].title for k in LAYERS]
    # every sample is a style the map draws, and every drawn style has a sample
    samples = [json.dumps(i.get("line") or i.get("circle"), sort_keys=True) for items in legend.values() for i in items]
    drawn = {json.dumps(s, sort_keys=True) for s in payload["styles"]}
    assert set(samples) == drawn
    ferries = [i for i in legend[measured.geodata.layers["middle_corridor"].title] if i["label"].startswith("ferry")]
    assert ferries and all(i["line"]["dash"] for i in ferries)  # ferries dashed in the legend as on the map
    assert {i["label"] for i in legend["Places"]} == {k.replace("_", " ") for k in measured.places["kind"]}


def test_network_payload__routes_drawn_from_their_legs(measured):
    layers = {layer["id"]: layer for layer in render.network_payload(measured)["layers"]}
    lines = {f["id"]: f["g"]["coordinates"] for k in LAYERS for f in layers[k]["features"]}
    for feature in layers["routes"]["features"]:
        route = measured.routes.loc[feature["id"]]
        assert feature["legs"] == list(route["legs"]) and "g" not in feature
        expected = render.display_geometry(route.geometry)["coordinates"]
        assert render.chain_coords([lines[leg] for leg in feature["legs"]]) == expected


def test_network_payload__routes_map_keeps_route_geometry(measured):
    routes = render.network_payload(measured, ["routes"])["layers"][0]
    assert all("g" in f and "legs" not in f for f in routes["features"])


def test_chain_coords__keeps_shared_junctions_once():
    assert render.chain_coords([[[0, 0], [1, 1]], [[1, 1], [2, 2]], [[3, 3], [4, 4]]]) == [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]


def unpack(packed: dict) -> list[list[dict]]:
    """Rows of each feature, unpacked as map.js does."""
    links = [dict(zip(("text", "href", "title"), link)) for link in packed["links"]]

    def link(i):
        out = dict(links[i])
        if not out["title"]:
            del out["title"]
        return out

    out = []
    for layer in packed["layers"]:
        for feature in layer["features"]:
            rows = []
            for row in feature["rows"]:
                key, label, note, detail = packed["fields"][row[0]]
                r = {"key": key, "label": label, "text": row[1]}
                if len(row) > 2 and row[2]:
                    r["links"] = [link(i) for i in row[2]]
                if len(row) > 3:
                    r["items"] = [{"text": t, "links": [link(i) for i in ls]} for t, ls in row[3]]
                if note:
                    r["note"] = note
                if detail:
                    r["detail"] = True
                rows.append(r)
            out.append(rows)
    return out


def test_pack_payload__unpacks_to_the_same_rows(checked, hostile_frame):
    for payload in (render.network_payload(checked), render.user_payload([("a.geojson", hostile_frame)])):
        packed = render.pack_payload(payload)
        expected = [f["rows"] for layer in payload["layers"] for f in layer["features"]]
        assert unpack(packed) == expected
        assert len(render.json_for_script(packed)) < len(render.json_for_script(payload))


def test_legend__each_sample_once_in_order():
    legend = render.Legend()
    legend.add("A", "rail · planned", line={"color": "#000000", "weight": 4, "dash": "16 16"})
    legend.add("A", "rail · planned", line={"color": "#000000", "weight": 4, "dash": "16 16"})
    legend.add("B", "port", circle={"radius": 5})
    assert [(s["title"], [i["label"] for i in s["items"]]) for s in legend.as_list()] == [("A", ["rail · planned"]), ("B", ["port"])]


# -- the pages -----------------------------------------------------------------


def test_network_maps__index_per_layer_and_embed(cdn_pages, offline_pages):
    leaflet = [f"leaflet-{render_assets.LEAFLET_VERSION}.js", f"leaflet-{render_assets.LEAFLET_VERSION}.css"]
    assert sorted(cdn_pages) == sorted([*MAP_PAGES, "embed.html", *leaflet])  # Leaflet beside the pages, for when the CDN fails
    assert sorted(offline_pages) == sorted([*MAP_PAGES, "embed.html"])
    assert f'<script src="{leaflet[0]}">' in cdn_pages["index.html"]


def test_map_html__deterministic(measured):
    first = render.network_maps(measured)
    second = render.network_maps(measured)
    assert first == second
    for name in MAP_PAGES:
        # folium names elements <kind>_<uuid4 hex>, e.g. map_0f3c...; ours end in _tc<n>.
        assert not re.search(r"\b[a-z_]+_[0-9a-f]{32}\b", first[name]), "a random folium id leaked into the page"
        assert re.search(r"\bmap_tc\d+\b", first[name])


def test_map_html__offline_deterministic_too(measured, offline_pages):
    assert render.network_maps(measured, offline=True) == offline_pages


def test_map_html__fills_its_container_with_a_mobile_viewport(cdn_pages):
    html = cdn_pages["index.html"]
    assert re.search(r'<meta name="viewport" content="width=device-width', html)
    assert re.search(r"#map_tc\d+ \{\s*position: relative;\s*width: 100.0%;\s*height: 100.0%;", html)
    assert re.search(r"html, body \{\s*width: 100%;\s*height: 100%;\s*margin: 0;", html)


def test_cdn_mode__leaflet_from_folium_cdn_with_integrity_and_default_tiles(cdn_pages):
    import base64
    import hashlib

    js_url, css_url = render_assets.leaflet_cdn_urls()
    base = Path(render_assets.xleaflet.BASE_DIR)
    for name in MAP_PAGES:
        html = cdn_pages[name]
        tags = parse(html).tags
        scripts = [a for t, a in tags if t == "script" and a.get("src")]
        links = [a for t, a in tags if t == "link"]
        assert [a["src"] for a in scripts] == [js_url]
        assert [a["href"] for a in links] == [css_url]
        for attrs, file in ((scripts[0], "leaflet.js"), (links[0], "leaflet.css")):
            digest = base64.b64encode(hashlib.sha384((base / file).read_bytes()).digest()).decode()
            assert attrs["integrity"] == f"sha384-{digest}" and attrs["crossorigin"] == "anonymous"
        assert "tile.openstreetmap.org" not in html  # its policy does not allow heavy publishing
        assert "server.arcgisonline.com" in html and "Esri" in html  # the default provider and its attribution
        assert 'id="tc-failed"' in html  # said in words when the scripts cannot load
        for unwanted in ("jquery", "bootstrap", "awesome-markers", "font-awesome", "fontawesome"):
            assert unwanted not in html.lower()


def test_cdn_mode__leaflet_is_the_version_xstatic_ships(cdn_pages):
    js_url, css_url = render_assets.leaflet_cdn_urls()
    assert f"leaflet@{render_assets.LEAFLET_VERSION}/" in js_url
    assert f"leaflet@{render_assets.LEAFLET_VERSION}/" in css_url


def test_cdn_mode__sizes_within_budget(cdn_pages):
    # the page carries the coarse world basemap as its fallback when tiles fail
    for name in MAP_PAGES:
        assert len(cdn_pages[name].encode()) <= 450_000


def test_offline_mode__everything_inline(offline_pages):
    for name in MAP_PAGES:
        html = offline_pages[name]
        tags = parse(html).tags
        assert not [a for t, a in tags if t == "script" and a.get("src")], name
        assert not [a for t, a in tags if t == "link"], name
        assert not [a for t, a in tags if t in ("img", "iframe", "source", "video", "audio") and a.get("src")], name
        assert "tile.openstreetmap.org" not in html
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", html), "a stylesheet loads something"
        assert not re.search(r"@import", html)
        assert "sourceMappingURL" not in html
        assert f"Leaflet {render_assets.LEAFLET_VERSION}" in html
        assert "data:image/png;base64," in html
        payload = payload_of(html)
        assert [level["z"] for level in payload["basemap"]["levels"]] == [0, 4, 6]


def test_offline_mode__under_one_megabyte(offline_pages):
    for name in MAP_PAGES:
        assert len(offline_pages[name].encode()) < 1_000_000


def test_embed_page__snippet_as_text_and_live_iframe(cdn_pages):
    html = cdn_pages["embed.html"]
    tags = parse(html).tags
    iframes = [a for t, a in tags if t == "iframe"]
    assert len(iframes) == 1
    assert iframes[0]["src"] == "index.html"
    # allowfullscreen alone grants fullscreen to the frame whatever its origin
    # (an allow="fullscreen" beside it would narrow that to the src origin).
    assert "allowfullscreen" in iframes[0] and "allow" not in iframes[0]
    assert "width:100%" in iframes[0]["style"]
    snippet = re.search(r'<code id="snippet">(.*?)</code>', html, re.S).group(1)
    assert snippet.startswith("&lt;iframe ") and "allowfullscreen" in snippet


def test_embed_page__escapes_the_title():
    html = render.embed_page("index.html", title=PAYLOADS[2])
    assert "<script>alert(1)" not in html


def test_write_maps__writes_every_page(tmp_path, measured):
    paths = write_maps(tmp_path, measured)
    leaflet = [f"leaflet-{render_assets.LEAFLET_VERSION}.js", f"leaflet-{render_assets.LEAFLET_VERSION}.css"]
    assert sorted(p.name for p in paths) == sorted([*MAP_PAGES, "embed.html", "index.png", "index.svg", *leaflet])
    assert all((tmp_path / "maps" / p.name).read_bytes() for p in paths)


def test_build__maps_written(built):
    # Byte-identical builds are tested across two processes in tests/cli/test_cli.py.
    for name in [*MAP_PAGES, "embed.html"]:
        assert (built / "maps" / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>"), name
    for name in ("index.png", "index.svg"):
        assert (built / "maps" / name).stat().st_size > 0, name


# -- safety in the HTML ------------------------------------------------------------


def test_user_map__payloads_only_inside_escaped_json(hostile_frame):
    html = render.user_map_html([(PAYLOADS[0] + ".geojson", hostile_frame)], title=PAYLOADS[2])
    # Outside the JSON data (where they are inert strings), no payload appears.
    rest = re.sub(r'(<script type="application/json" id="tc-data">).*?(</script>)', r"\1\2", html, flags=re.S)
    rest = rest.replace(render_assets.map_js(), "")
    for payload in PAYLOADS:
        assert payload not in rest
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert f"<title>{escape(PAYLOADS[2])}</title>" in html
    payload = payload_of(html)
    assert payload["title"] == PAYLOADS[2]
    assert payload["layers"][0]["title"] == PAYLOADS[0] + ".geojson"
    names = [f["name"] for f in payload["layers"][0]["features"]]
    assert names == [PAYLOADS[0], PAYLOADS[2], PAYLOADS[1]]
    # Folium's own template keeps only our one line of glue code.
    assert "bindTooltip" not in html.split("</body>")[1]


def test_user_map__styles_fall_back_to_one_colour_per_file(hostile_frame):
    payload = render.user_payload([("a.geojson", hostile_frame), ("b.geojson", hostile_frame)])
    colours = [payload["styles"][layer["features"][0]["s"]]["color"] for layer in payload["layers"]]
    assert colours == list(render.USER_COLORS[:2])
    port = payload["styles"][payload["layers"][0]["features"][1]["s"]]
    assert port["fill"] == PLACE_STYLES["port"][0]


def test_user_map__curated_attributes_get_curated_styles(measured):
    frame = measured.legs[measured.legs["layer"] == "fiber"][["id", "name", "layer", "mode", "status", "route_accuracy", "geometry"]]
    payload = render.user_payload([("fiber.geojson", frame)])
    style = payload["styles"][payload["layers"][0]["features"][0]["s"]]
    assert style["color"] == LAYER_COLORS["fiber"]


def test_user_map__reprojects_to_wgs84(hostile_frame):
    projected = hostile_frame.to_crs(32639)
    payload = render.user_payload([("p.geojson", projected)])
    point = payload["layers"][0]["features"][1]["g"]["coordinates"]
    assert point == pytest.approx([50.0, 41.0], abs=1e-5)


def test_user_map__duplicate_file_names_get_distinct_ids(hostile_frame):
    payload = render.user_payload([("a.geojson", hostile_frame), ("a.geojson", hostile_frame)])
    ids = [f["id"] for layer in payload["layers"] for f in layer["features"]]
    assert len(ids) == len(set(ids))


# -- the `transcaspian map` command -------------------------------------------------


def write_geojson(path: Path, frame: gpd.GeoDataFrame) -> Path:
    path.write_text(frame.to_json(), encoding="utf-8")
    return path


def test_map_command__writes_one_page(tmp_path, hostile_frame):
    src = write_geojson(tmp_path / "cables.geojson", hostile_frame)
    out = tmp_path / "out" / "map.html"
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--title", "My cables"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert payload_of(html)["title"] == "My cables"
    assert payload_of(html)["layers"][0]["title"] == "cables.geojson"


def test_map_command__offline(tmp_path, hostile_frame):
    src = write_geojson(tmp_path / "cables.geojson", hostile_frame)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(out), "--offline"])
    assert result.exit_code == 0, result.output
    tags = parse(out.read_text(encoding="utf-8")).tags
    assert not [a for t, a in tags if t == "script" and a.get("src")]


def test_map_command__bad_file_one_line_error_and_no_output(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("not json", encoding="utf-8")
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["map", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("transcaspian: error:") and "bad.geojson" in lines[0]
    assert not out.exists()


def test_map_command__needs_output(tmp_path, hostile_frame):
    src = write_geojson(tmp_path / "a.geojson", hostile_frame)
    result = CliRunner().invoke(main, ["map", str(src)])
    assert result.exit_code == 2


def test_map_js__never_writes_html_from_data():
    js = render_assets.map_js()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"", "`"):
        assert sink not in js, sink
    # The Leaflet APIs that take HTML (overlay names, attribution) get escaped text.
    assert "control.addOverlay(group, swatch + escapeHtml(layerData.title))" in js


def test_assets__inline_safely():
    js, css = render_assets.leaflet_inline()
    assert render_assets.script_tag(js).startswith("<script>")
    assert render_assets.style_tag(css).startswith("<style>")
    with pytest.raises(ValueError):
        render_assets.script_tag("var a = '</script>';")
    with pytest.raises(ValueError):
        render_assets.style_tag("a { } </style>")


@pytest.mark.parametrize("suffix, driver", [(".gpkg", "GPKG"), (".fgb", "FlatGeobuf"), (".shp", "ESRI Shapefile")])
def test_map_command__any_format_any_crs(tmp_path, suffix, driver):
    frame = gpd.GeoDataFrame(
        {"name": ["a line", "b line"], "operator": ["X", "Y"]},
        geometry=[shapely.LineString([(49.0, 40.0), (51.0, 43.0)]), shapely.LineString([(46.0, 41.0), (48.0, 42.0)])],
        crs="EPSG:4326",
    ).to_crs(32639)
    src = tmp_path / f"lines{suffix}"
    frame.to_file(src, driver=driver)
    out = tmp_path / "map.html"
    result = CliRunner().invoke(main, ["map", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    layer = payload_of(out.read_text(encoding="utf-8"))["layers"][0]
    assert [f["name"] for f in layer["features"]] == ["a line", "b line"]
    assert layer["features"][0]["g"]["coordinates"][0] == pytest.approx([49.0, 40.0], abs=1e-5)


# -- the page's data: the shared basemap serialised once ------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "layers", "x</script>", "lang"]), st.text(), max_size=4), st.booleans())
def test_payload_json__the_same_data_as_serialising_it_whole(rest, with_basemap):
    from transcaspian.web.display import json_for_script
    from transcaspian.web.page import _payload_json

    payload = {**rest, **({"basemap": {"levels": [{"box": None, "p": [[[1, 2, 3]]]}], "labels": [["sea", 1, 2, 0, 99, "<b>&"]]}} if with_basemap else {})}
    text = _payload_json(payload)
    assert json.loads(text) == json.loads(json_for_script(payload)) == payload
    assert "<" not in text and ">" not in text and "&" not in text


def test_payload_json__a_new_basemap_object_is_serialised_anew():
    """The basemap's JSON is kept for the object it was made from: another basemap, even one
    that replaced the first in memory, is never given the first one's JSON."""
    from transcaspian.web.page import _payload_json

    first = {"levels": [], "labels": [["sea", 1, 2, 0, 99, "Caspian"]]}
    assert json.loads(_payload_json({"basemap": first}))["basemap"] == first
    second = {"levels": [], "labels": [["sea", 1, 2, 0, 99, "Black"]]}
    assert json.loads(_payload_json({"title": "t", "basemap": second}))["basemap"] == second
    assert json.loads(_payload_json({"basemap": first}))["basemap"] == first
