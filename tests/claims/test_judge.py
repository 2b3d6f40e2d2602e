"""Tests of the length check: verdicts, measurement of subjects, the curated
register, the files the build writes, and the ``transcaspian check`` command
(the tables, CSV, JSON and report themselves: test_report.py)."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from transcaspian.claims.judge import (
    FEATURE_COLUMNS,
    RECORD_FIELDS,
    CheckResult,
    Measurement,
    annotate,
    check_claims,
    default_tolerance,
    failed_canonical,
    judge,
    measure_subject,
    spreads,
)
from transcaspian.claims.model import Claim, ClaimContext, Register, Subject, Tolerance
from transcaspian.cli import main
from transcaspian.geo.countries import CountryIndex, country_lengths_km
from transcaspian.geo.geodesy import line_length_km
from transcaspian.measured import check_measured
from transcaspian.network.lines import build_network
from transcaspian.network.loading import default_geodata
from transcaspian.network.records import Geodata, Layer, Leg, Place, Route, Source, Waypoint

SRC = Source("src", "Publisher", "Title", "https://example.org/a", "2025-01-01")


def make_claim(value=100.0, *, subject=None, role="canonical", **kw) -> Claim:
    """A hand-made length claim about a leg 'x' unless told otherwise."""
    fields = dict(
        id=kw.pop("id", "c"),
        subject=subject or Subject("leg", ("x",)),
        metric="length",
        value=value,
        unit="km",
        role=role,
        source="src",
    )
    fields.update(kw)
    return Claim(**fields)


def traced(length_km: float, ends_km: float = 10.0, **kw) -> Measurement:
    return Measurement(length_km, ends_km, kw.pop("route_accuracy", "traced"), **kw)


# --- verdicts on hand-made cases -------------------------------------------------------


def test_judge__consistent():
    chk = judge(make_claim(100), traced(95), SRC)
    assert chk.verdict == "consistent"
    assert chk.ratio == pytest.approx(0.95)
    assert chk.band_km == pytest.approx((92.0, 103.0))
    assert str(chk.tolerance) == "-8%/+3%" and "traced" in chk.tolerance.basis
    assert chk.source is SRC


def test_judge__trace_short():
    chk = judge(make_claim(100), traced(91.9))
    assert chk.verdict == "trace_short"
    assert "below" in chk.reason


def test_judge__trace_long():
    chk = judge(make_claim(100), traced(103.1))
    assert chk.verdict == "trace_long"
    assert "above" in chk.reason


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [(92.0, "consistent"), (91.99, "trace_short"), (103.0, "consistent"), (103.01, "trace_long")],
)
def test_judge__tolerance_edges_traced(measured, verdict):
    # both edges of the band count as consistent, a hair beyond does not
    assert judge(make_claim(100), traced(measured)).verdict == verdict


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [(85.0, "consistent"), (84.99, "trace_short"), (110.0, "consistent"), (110.01, "trace_long")],
)
def test_judge__tolerance_edges_schematic(measured, verdict):
    assert judge(make_claim(100), traced(measured, route_accuracy="schematic")).verdict == verdict


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [(90.0, "consistent"), (89.99, "trace_short"), (105.0, "consistent"), (105.01, "trace_long")],
)
def test_judge__tolerance_edges_part(measured, verdict):
    # a section or country part gets 2 points more on each side
    assert judge(make_claim(100), traced(measured, part=True)).verdict == verdict


def test_judge__claim_tolerance_overrides_default():
    claim = make_claim(100, tolerance=Tolerance(25, 5, "mountain railway"))
    chk = judge(claim, traced(76))
    assert chk.verdict == "consistent"
    assert chk.tolerance.basis == "mountain railway"


def test_judge__impossible():
    # the straight line between the end points is 150 km: no route can be 100 km
    chk = judge(make_claim(100), traced(160, ends_km=150))
    assert chk.verdict == "impossible"
    assert "150.0 km" in chk.reason


def test_judge__impossible_allows_for_end_point_error():
    # 102 km straight against a stated 100 km: within the +3% the end points may be off
    assert judge(make_claim(100), traced(102.5, ends_km=102)).verdict == "consistent"
    assert judge(make_claim(100), traced(103.5, ends_km=103.2)).verdict == "impossible"


def test_judge__impossible_before_trace_long():
    assert judge(make_claim(100), traced(200, ends_km=190)).verdict == "impossible"


def test_judge__not_checkable_illustrative_even_with_tolerance():
    claim = make_claim(100, tolerance=Tolerance(50, 50))
    chk = judge(claim, traced(100, route_accuracy="illustrative"))
    assert chk.verdict == "not_checkable"
    assert chk.ratio is None and chk.tolerance is None
    assert "illustrative" in chk.reason


def test_judge__not_checkable_without_geometry():
    chk = judge(make_claim(100), None)
    assert (chk.verdict, chk.measured_km, chk.ratio) == ("not_checkable", None, None)


def test_judge__not_checkable_layer():
    chk = judge(make_claim(4766, subject=Subject("layer", ("middle_corridor",))), None)
    assert chk.verdict == "not_checkable" and "network" in chk.reason


def test_judge__not_checkable_when_claim_says_so():
    claim = make_claim(298, checkable=False, reason="Zhetygen is not a place")
    chk = judge(claim, traced(1800))
    assert chk.verdict == "not_checkable"
    assert chk.reason == "Zhetygen is not a place"
    assert chk.measured_km is None and chk.ratio is None  # the leg's length says nothing here


def test_judge__over_has_no_upper_bound():
    claim = make_claim(340, qualifier="over")
    assert judge(claim, traced(900, ends_km=800)).verdict == "consistent"
    assert judge(claim, traced(312)).verdict == "trace_short"
    assert judge(claim, traced(313)).verdict == "consistent"


def test_judge__range_spans_both_figures():
    claim = make_claim(380, qualifier="range", value_max=400)
    assert judge(claim, traced(411)).verdict == "consistent"  # 400 * 1.03 = 412
    assert judge(claim, traced(349)).verdict == "trace_short"  # 380 * 0.92 = 349.6
    assert judge(claim, traced(390)).ratio == pytest.approx(390 / 380)


def test_judge__units_convert_to_km():
    claim = make_claim(1_768_000, unit="m")
    assert judge(claim, traced(1700)).ratio == pytest.approx(1700 / 1768)


def test_judge__facts_are_not_judged():
    fact = make_claim(400, metric="capacity", unit="Tbps")
    with pytest.raises(ValueError, match="not a length"):
        judge(fact, traced(1))


def test_default_tolerance__by_accuracy_and_part():
    assert str(default_tolerance("traced")) == "-8%/+3%"
    assert str(default_tolerance("traced", part=True)) == "-10%/+5%"
    assert str(default_tolerance("schematic")) == "-15%/+10%"
    assert str(default_tolerance("schematic", part=True)) == "-17%/+12%"
    assert default_tolerance("illustrative") is None


def test_check_claims__skips_facts_and_keys_by_subject():
    claims = [
        make_claim(100, id="a"),
        make_claim(400, id="fact", metric="capacity", unit="Tbps"),
        make_claim(50, id="b", subject=Subject("leg", ("y",))),
    ]
    checks = check_claims(claims, {"x": traced(97)}, {"src": SRC})
    assert [(c.claim.id, c.verdict) for c in checks] == [("a", "consistent"), ("b", "not_checkable")]


def test_failed_canonical__only_canonical_decides():
    checks = check_claims(
        [make_claim(100, id="canon"), make_claim(200, id="var", role="variant"), make_claim(300, id="head", role="headline")],
        {"x": traced(100)},
    )
    assert [c.claim.id for c in failed_canonical(checks)] == []
    checks = check_claims([make_claim(150, id="canon"), make_claim(100, id="var", role="variant")], {"x": traced(100)})
    assert [c.claim.id for c in failed_canonical(checks)] == ["canon"]


def test_spreads__disagreeing_sources():
    claims = [
        make_claim(1768, id="bp"),
        make_claim(1743, id="hurriyet", role="variant"),
        make_claim(1796, id="outlier", role="variant"),
        make_claim(443, id="other_subject", subject=Subject("leg", ("x",), country="AZE")),
    ]
    checks = check_claims(claims, {"x": traced(1650, ends_km=1200), "x@AZE": traced(420)})
    (spread,) = spreads(checks)
    assert spread.subject == "x"
    assert [c.claim.id for c in spread.checks] == ["hurriyet", "bp", "outlier"]  # by stated length
    assert (spread.low_km, spread.high_km, spread.spread_km) == (1743, 1796, 53)
    assert spread.spread_pct == pytest.approx(100 * 53 / 1743)
    assert spread.supported == ("hurriyet", "bp")  # 1796 * 0.92 = 1652.3 > 1650
    assert spread.closest == "hurriyet"


def test_spreads__agreeing_sources_are_no_spread():
    checks = check_claims([make_claim(380, id="a"), make_claim(380, id="b", role="variant")], {"x": traced(370)})
    assert spreads(checks) == []


# --- measuring subjects on a hand-made network -----------------------------------------


@pytest.fixture()
def toy():
    """Two legs a-b (traced, bent through a waypoint) and b-c (schematic), one route."""
    places = {
        pid: Place(pid, pid.upper(), "city", "KAZ", lon, 40.0, "test")
        for pid, lon in (("a", 50.0), ("b", 51.0), ("m", 51.5), ("c", 52.0))
    }
    legs = {
        "l1": Leg("l1", "L1", "middle_corridor", "rail", "operational", "traced", ("a", Waypoint("w", 50.5, 40.3, "bend"), "b")),
        "l2": Leg("l2", "L2", "middle_corridor", "rail", "operational", "schematic", ("b", "m", "c")),
    }
    routes = {"r": Route("r", "R", "middle_corridor", ("l1", "l2"))}
    layers = {"middle_corridor": Layer("middle_corridor", "MC", "test")}
    gd = Geodata(places, legs, routes, {"src": SRC}, layers)
    countries = CountryIndex(["AAA"], [shapely.box(49.0, 39.0, 50.75, 41.0)])
    return build_network(gd), countries


def test_measure_subject__section_between_two_places(toy):
    network, countries = toy
    coords = network.routes["r"].coords
    m = measure_subject(Subject("route", ("r",), "a", "b"), network, countries)
    assert m.length_km == pytest.approx(line_length_km(coords[:3]))
    assert m.ends_km == pytest.approx(line_length_km([coords[0], coords[2]]))
    assert m.length_km > m.ends_km  # the waypoint bends the line
    assert (m.route_accuracy, m.part) == ("traced", True)  # only l1 lies between a and b
    # order does not matter; a section spanning the schematic leg is schematic
    back = measure_subject(Subject("route", ("r",), "b", "a"), network, countries)
    assert back.length_km == pytest.approx(m.length_km)
    assert measure_subject(Subject("route", ("r",), "a", "m"), network, countries).route_accuracy == "schematic"


def test_measure_subject__section_judged_with_part_tolerance(toy):
    network, countries = toy
    subject = Subject("route", ("r",), "a", "b")
    m = measure_subject(subject, network, countries)
    chk = judge(make_claim(round(m.length_km / 0.91, 3), subject=subject), m)
    assert chk.verdict == "consistent" and str(chk.tolerance) == "-10%/+5%"


def test_measure_subject__whole_route_is_least_accurate(toy):
    network, countries = toy
    m = measure_subject(Subject("route", ("r",)), network, countries)
    assert m.route_accuracy == "schematic" and not m.part
    assert m.length_km == pytest.approx(line_length_km(network.routes["r"].coords))


def test_measure_subject__country_part_matches_country_lengths(toy):
    network, countries = toy
    m = measure_subject(Subject("route", ("r",), country="AAA"), network, countries)
    assert m.length_km == pytest.approx(country_lengths_km(network.routes["r"].coords, countries)["AAA"])
    assert m.part and 0 < m.ends_km < m.length_km


def test_measure_subject__list_of_legs_sums_them(toy):
    network, countries = toy
    m = measure_subject(Subject("legs", ("l1", "l2")), network, countries)
    assert m.length_km == pytest.approx(sum(line_length_km(network.legs[i].coords) for i in ("l1", "l2")))
    # the lower bound is each leg's own end-to-end distance, summed
    ends = sum(line_length_km([network.legs[i].coords[0], network.legs[i].coords[-1]]) for i in ("l1", "l2"))
    assert m.ends_km == pytest.approx(ends)
    assert m.route_accuracy == "schematic"


def test_measure_subject__layer_has_no_length(toy):
    network, countries = toy
    assert measure_subject(Subject("layer", ("middle_corridor",)), network, countries) is None


def test_measurement_from_coords__for_any_polyline():
    m = Measurement.from_coords([(0, 0), (1, 0), (1, 1)], "traced")
    assert m.length_km == pytest.approx(111.319 + 110.574, abs=0.01)
    assert m.ends_km == pytest.approx(line_length_km([(0, 0), (1, 1)]))
    assert Measurement.from_coords(shapely.LineString([(0, 0), (1, 0)])).length_km == pytest.approx(111.319, abs=0.001)


def test_annotate__adds_feature_columns(toy):
    network, countries = toy
    frame = gpd.GeoDataFrame(
        {"id": ["l1", "l2"], "geometry": [shapely.LineString(network.legs[i].coords) for i in ("l1", "l2")]},
        crs="EPSG:4326",
    )
    claims = (
        make_claim(120, id="len", subject=Subject("leg", ("l1",))),
        make_claim(2.2, id="cap", subject=Subject("leg", ("l1",)), metric="capacity", unit="Mt/yr"),
    )
    m = measure_subject(Subject("leg", ("l1",)), network, countries)
    checks = check_claims(claims, {"l1": m}, {"src": SRC})
    out = annotate(frame, CheckResult(Register(claims, {"src": SRC}), tuple(checks), ()))
    assert list(out.columns) == ["id", *FEATURE_COLUMNS, "geometry"]
    row = out.set_index("id").loc["l1"]
    assert row.stated_length_km == 120 and row.stated_source == "src"
    assert row.length_ratio == pytest.approx(m.length_km / 120, abs=1e-4)
    assert row.check == checks[0].verdict
    assert row.facts == [{"claim": "cap", "metric": "capacity", "text": "2.2 Mt/yr", "value": 2.2, "unit": "Mt/yr", "source": "src"}]
    assert pd.isna(out.set_index("id").loc["l2"].check)
    assert "stated_length_km" not in frame.columns  # the input is not changed


# --- the curated register ----------------------------------------------------------------


def _curated_claims() -> list[dict]:
    return tomllib.loads((default_geodata() / "claims.toml").read_text(encoding="utf-8"))["claim"]


CANONICAL_LENGTHS = [c["id"] for c in _curated_claims() if c["metric"] == "length" and c["role"] == "canonical"]


@pytest.fixture(scope="module")
def checked(measured):
    """The curated geodata with the curated claims checked."""
    return check_measured(measured)


def test_curated__every_claim_resolves(checked):
    register = checked.checks.register
    assert len(register.claims) == len(_curated_claims())
    ctx = ClaimContext.from_network(checked.network)
    for claim in register.claims:
        assert claim.source in register.sources, claim.id
        assert claim.says, f"{claim.id}: give a short paraphrase of what the source says"
        if claim.subject is not None and claim.subject.kind != "layer":
            for lid in claim.subject.ids:
                assert lid in ctx.lines, claim.id


def test_curated__every_checkable_length_is_measured(checked):
    for chk in checked.checks.checks:
        subject = chk.claim.subject
        if chk.claim.checkable and subject.kind != "layer":
            assert chk.measured_km and chk.measured_km > 0, chk.claim.id


def test_curated__one_canonical_per_subject(checked):
    keys = [c.subject for c in checked.checks.checks if c.claim.role == "canonical"]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("claim_id", CANONICAL_LENGTHS)
def test_curated__canonical_length_is_consistent_within_its_accuracy_tolerance(checked, claim_id):
    # Schematic lines are held to the wider schematic tolerance, traced ones to the traced one;
    # no case is skipped: an illustrative line has no canonical length to check.
    chk = next(c for c in checked.checks.checks if c.claim.id == claim_id)
    assert chk.route_accuracy in ("traced", "schematic"), f"{claim_id}: {chk.route_accuracy or 'not measured'}"
    assert chk.verdict == "consistent", f"{claim_id}: {chk.reason}"


def test_curated__seed_column_lengths_are_checked(checked):
    by_id = {c.claim.id: c for c in checked.checks.checks}
    fiber, bsec = by_id["seed_fiber_length"], by_id["seed_bsec_length"]
    assert (fiber.claim.value, fiber.subject, fiber.claim.role) == (380, "fiber_aktau_sumgayit", "headline")
    assert (bsec.claim.value, bsec.subject) == (1195, "bsec_subsea")  # as the column states it: subsea
    assert fiber.source.publisher == "News.Az" and fiber.source.date == "2025-10-21"


def test_curated__swapped_btc_figure_is_impossible(checked):
    by_id = {c.claim.id: c for c in checked.checks.checks}
    assert by_id["btc_az_zawya_swapped"].verdict == "impossible"


def test_curated__disagreements_are_spread(checked):
    subjects = {s.subject for s in checked.checks.spreads}
    assert {"btc", "btc@AZE", "btc@GEO", "fiber_aktau_sumgayit", "btk_railway", "bsec_subsea"} <= subjects
    btc = next(s for s in checked.checks.spreads if s.subject == "btc")
    assert (btc.low_km, btc.high_km) == (1743, 1796)


def test_curated__stated_length_on_features(checked):
    btc = checked.legs.loc["btc"]
    assert btc.stated_length_km == 1768 and btc.stated_source == "bp_azerbaijan_btc"
    assert btc.length_ratio == pytest.approx(btc.length_km / 1768, abs=1e-4)
    assert btc.check in ("consistent", "trace_short", "trace_long", "impossible")
    assert any(f["metric"] == "capacity" for f in btc.facts)
    assert checked.routes.loc["btk_railway"].stated_length_km == 826
    assert pd.isna(checked.legs.loc["kz_mangystau_kuryk"].check)  # no published figure


def test_build__writes_checks_csv_and_report(built):
    rows = list(csv.DictReader((built / "checks.csv").open(encoding="utf-8")))
    assert rows and tuple(rows[0]) == RECORD_FIELDS
    assert (built / "report.md").read_text(encoding="utf-8").startswith("# Published figures against the measured geometry")
    layer = json.loads((built / "layers" / "btc_pipeline.geojson").read_text(encoding="utf-8"))
    props = layer["features"][0]["properties"]
    assert props["stated_length_km"] == 1768
    assert {"length_ratio", "check", "stated_source", "facts"} <= set(props)
    routes = json.loads((built / "layers" / "routes.geojson").read_text(encoding="utf-8"))
    assert routes["features"][0]["properties"]["stated_length_km"] == 826


# --- the command -------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def test_check_cli__json_exit_status_matches(checked):
    result = run("--format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == doc["exit_status"] == (0 if checked.checks.ok else 1)
    if not doc["ok"]:
        assert result.stderr.count("\n") == 1 and "not consistent" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_check_cli__formats(checked, fmt):
    result = run("--format", fmt)
    assert result.exit_code == (0 if checked.checks.ok else 1)
    assert "btc_total_bp" in result.stdout


GOOD_SOURCE = """
[[source]]
id = "my_article"
publisher = "Example"
title = "An article"
url = "https://example.org/article"
date = "2025-10"
"""


def _claims_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "my_claims.toml"
    path.write_text(GOOD_SOURCE + body, encoding="utf-8")
    return path


def test_check_cli__user_claims_file(tmp_path):
    path = _claims_file(
        tmp_path,
        """
[[claim]]
id = "fiber_wide"
subject = "fiber_aktau_sumgayit"
metric = "length"
value = 380
unit = "km"
role = "canonical"
tolerance = { short_pct = 40, long_pct = 40, why = "a test" }
source = "my_article"
""",
    )
    result = run("--claims", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["checks"]
    assert (row["claim"], row["verdict"], row["source_publisher"]) == ("fiber_wide", "consistent", "Example")


def test_check_cli__canonical_inconsistent_exits_1(tmp_path):
    path = _claims_file(
        tmp_path,
        """
[[claim]]
id = "fiber_far_too_long"
subject = "fiber_aktau_sumgayit"
metric = "length"
value = 1000
unit = "km"
role = "canonical"
source = "my_article"

[[claim]]
id = "headline_only"
subject = "btc"
metric = "length"
value = 10
unit = "km"
role = "headline"
source = "my_article"
""",
    )
    result = run("--claims", str(path))
    assert result.exit_code == 1
    assert "fiber_far_too_long" in result.stderr and "headline_only" not in result.stderr


BASE = """
[[claim]]
id = "bad"
metric = "length"
role = "canonical"
source = "my_article"
"""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('subject = "no_such_leg"\nvalue = 10\nunit = "km"', "subject"),
        ('subject = "btc"\nvalue = 10', "unit"),
        ('subject = "btc"\nvalue = -10\nunit = "km"', "value"),
        ('subject = "btc"\nvalue = "ten"\nunit = "km"', "value"),
        ('subject = "btc"\nvalue = 10\nunit = "furlong"', "unit"),
        ('subject = "btc"\nvalue = 10\nunit = "km"\nfrom = "tbilisi"\nto = "sangachal_terminal"', "from"),
        ('subject = "btc"\nvalue = 10\nunit = "km"\ncountry = "KAZ"', "country"),
        ('subject = "btc"\nvalue = 10\nunit = "km"\ntolerance = { short_pct = 8 }', "tolerance"),
    ],
)
def test_check_cli__bad_claim_gives_one_line_error(tmp_path, body, field):
    path = _claims_file(tmp_path, BASE + body + "\n")
    result = run("--claims", str(path))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"transcaspian: error: {path}: claim 'bad': field '{field}': ")
    assert "Traceback" not in result.stderr


def test_check_cli__unknown_source_names_the_record(tmp_path):
    path = _claims_file(tmp_path, BASE.replace("my_article", "nowhere") + 'subject = "btc"\nvalue = 10\nunit = "km"\n')
    result = run("--claims", str(path))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert "claim 'bad': field 'source': unknown source 'nowhere'" in result.stderr


def test_check_cli__not_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[[claim]\nid = ", encoding="utf-8")
    result = run("--claims", str(path))
    assert result.exit_code == 3  # bad input, told apart from a failed check (1)
    assert len(result.stderr.splitlines()) == 1 and str(path) in result.stderr


def test_check_cli__missing_claims_file_is_a_usage_error(tmp_path):
    result = run("--claims", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr
