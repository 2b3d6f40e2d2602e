"""Write geodata/published_coverage.toml: every published length figure, in the register or left out.

Reads the survey of published statements (``shared/reference/published_figures.jsonl``:
URL, publisher, date, subject and figures of 220 statements) and the claims register,
and lists each length figure once, with either the register claim that holds it
(``claim``: same source URL and value, or ``repeats``: the same figure for the same
subject from another source already in the register) or the reason it is left out
(``left_out``). A figure with neither stops the script: write its reason in
:data:`LEFT_OUT` or add the claim to ``geodata/claims.toml``.

``tests/claims/test_published_coverage.py`` holds the written file to the register.

Usage::

    python scripts/published_coverage.py ../shared/reference/published_figures.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geodata" / "published_coverage.toml"
UNITS = {"km": 1.0, "m": 0.001, "mi": 1.609344}

#: Which register subjects a survey subject may match (substrings of the claim's subject key).
FAMILIES = {
    "btc": ("btc",),
    "fiber": ("fiber_",),
    "bsec": ("bsec_",),
    "btk_railway": ("btk_railway", "ge_marabda_akhalkalaki"),
    "ge_tr_akhalkalaki_kars": ("btk_railway",),
    "ge_marabda_akhalkalaki": ("btk_railway", "ge_marabda_akhalkalaki"),
    "kz_dostyk_moyynty": ("kz_dostyk_moyynty", "dostyk..moyynty", "balkhash..moyynty"),
    "kz_altynkol_zhetygen": ("kz_altynkol_zhetygen",),
    "kz Zhezkazgan": ("zhezkazgan..beineu",),
    "caspian_ferry_aktau_alat": ("caspian_ferry_aktau_alat",),
    "middle_corridor": ("middle_corridor",),
    "ge_tbilisi_poti_railway": ("ge_tbilisi_poti_railway",),
    "tr_kars_ankara": ("kars..ankara",),
    "tr_kars_istanbul_railway": ("tr_kars_istanbul_railway",),
}

NOT_A_LINE = "not the length of a mapped line: a distance saved against another route"
OTHER_ROUTE = "a through distance of a train service over lines the map does not hold end to end"
#: (statement index, value) -> why the figure is not in the register.
LEFT_OUT: dict[tuple[int, float], str] = {
    (3, 1093): "1,093 miles (1,759 km) in a photographer's gallery caption, undated and unsourced; the register holds the operator's 1,768 km and the sourced variants",
    (8, 1760): "a c. 2004 Wikipedia mirror (fact-index.com); the same 1,760 km is in the register from Turkish Press 2006",
    (14, 1099): "1,099 mi is the blog's conversion of the 1,768 km it also gives",
    (15, 1000): "'over 1,000 km' in Türkiye is a rounded lower bound of BP's 1,076 km, which is in the register",
    (24, 1773): "the 2007 Azerbaijani Wikipedia copies the Heydar Aliyev Heritage Library figures (1,773 = 449 + 235 + 1,059), which are in the register and flagged parts_disagree",
    (25, 449): "as above: the Heritage Library figure, in the register",
    (25, 235): "as above: the Heritage Library figure, in the register",
    (25, 1059): "as above: the Heritage Library figure, in the register",
    (38, 1075366): "the Turkish page's 1,075,366 m is a typo of the English page's 1,075,336 m, which is in the register (btc_tr_turinsaat notes both)",
    (63, 400): "ServerNews 2025 retells the 2019 plan's 'about 400 km', which is in the register from Total Telecom 2019",
    (75, 1155): "ACE Consultants 2025 citing renewables.az: in the register as bsec_total_gnerc_2025 (subject: the three BSEC legs)",
    (82, 1200): "a repost of IEEE Spectrum (futuretechstocks.com); the 1,200 km is in the register from Romania Insider 2024",
    (88, 1100): "SEE Energy News 2022 repeats CESI's 1,100 km subsea figure, which is in the register",
    (92, 1200): "Antena 3 2026 rounds the 1,195 km of Transelectrica's filing to 'about 1,200 km'; both figures are in the register",
    (93, 1200): "Capital.ro 2026 rounds the 1,195 km of Transelectrica's filing to 'about 1,200 km'; both figures are in the register",
    (94, 1195): "Libertatea 2026 quotes Transelectrica's filing: 1,195 km = 1,100 + 95, CESI's 2022 figures, in the register",
    (94, 1100): "as above: CESI's 2022 subsea figure, in the register",
    (97, 2000): NOT_A_LINE,
    (100, 2000): NOT_A_LINE,
    (99, 11000): "the 11,000 km network figure is in the register from The Times of Central Asia (titr_network_11000); MENAFN repeats it",
    (101, 6000): "'about 6,000 km' for the whole corridor from China, on a sourcing blog; not a figure of the mapped TITR legs",
    (104, 4766): "Business Investor Guide repeats the 4,766 km of Caspian News 2017, which is in the register",
    (106, 4256): "the 4,256 km rail part of Caspian News 2017 is in the register from railway-technology.com (titr_rail_4256)",
    (106, 508): "the 508 km sea part of Caspian News 2017 is in the register from railway-technology.com (titr_sea_508)",
    (109, 4250): "a rounded retelling ('over 4,250 km') of the 4,256 km in the register",
    (109, 500): "a rounded retelling ('about 500 km') of the 508 km in the register",
    (126, 7000): OTHER_ROUTE + " (China-Europe via the corridor)",
    (127, 10000): "the Northern route, which the map does not hold",
    (130, 9000): OTHER_ROUTE + " (Xi'an-Altynkol-Aktau-Mersin container route)",
    (131, 9000): OTHER_ROUTE + " (Xi'an-Altynkol-Aktau-Mersin container route)",
    (133, 421): "construction progress of the second track (km built), not a length of the line",
    (136, 463): "construction progress of the second track (km built), not a length of the line",
    (139, 166): "Dostyk-Beskol: Beskol is not a place of the map, so the section cannot be measured",
    (144, 1000): NOT_A_LINE,
    (145, 350): NOT_A_LINE,
    (147, 1000): NOT_A_LINE,
    (149, 1000): "Eurailpress rounds the Zhezkazgan-Beineu new build to 'about 1,000 km'; the 988 km is in the register (not checkable: the new build is not a mapped section)",
    (149, 200): "the 200 km Arkalyk-Shubarkol line, which the map does not hold",
    (150, 600): NOT_A_LINE,
    (153, 500): NOT_A_LINE,
    (155, 50): "50 miles from Baku to the Alat ferry port in a travel blog: a road distance between places, like alat_port_location",
    (156, 370): "threadly.ru's 'about 370 km' and '400 km' Baku-Aktau are a straight-line and a rounded distance on a travel page, not a lane length; the register holds 470 km (encyclopedia) and 508 km (TITR)",
    (156, 400): "as above",
    (157, 370): "as above (the same page's table)",
    (165, 13): "the Ersai-Kuryk port access line (13 km, 9 km of track panels laid by 2016) is a part of kz_mangystau_kuryk that starts at Ersai station, a waypoint, not a place: noted in the leg and its sources",
    (165, 9): "track laid by August 2016, construction progress",
    (175, 70): "Baku to Alat is a distance between places (road), like alat_port_location in the register",
    (178, 70): "Baku to Alat is a distance between places (road), like alat_port_location in the register",
    (188, 105): "RaillyNews 2012 prints '105 miles' (sic) for the 105 km new line; the km figure is in the register (btk_kars_akhalkalaki_105, EGTRE)",
    (190, 30): "'about 30 km' of new line in Georgia is RaillyNews's rounding of the 29 km in the register",
    (195, 850): "Freight Business Journal repeats Aliyev's 'about 850 km', in the register",
    (196, 105): "Trans.INFO repeats the 105 km new line, in the register from EGTRE",
    (197, 29): "Trans.INFO repeats the 29 km Georgian new build, in the register from RailTurkey",
    (199, 5): "the border tunnel's length ('about 5 km', 4.47 km published), not a line length the map checks",
    (202, 79): "Takvim's 'about 79 km' in Türkiye is Ekolekspertiz's 79 km, in the register (btk_tr_section_79)",
    (205, 4700): OTHER_ROUTE + " (the first Kazakhstan-Türkiye haul via BTK)",
    (208, 7000): NOT_A_LINE,
    (213, 1323.9): "the length of the whole Georgian main-line network, which the map does not hold",
    (214, 1310): "DHA's 1,310 km, the same paragraph as sondakika 2021 (tr_ankara_kars_1310, in the register)",
    (217, 1933): "Ekovitrin gives 1,933 km for a Kars trip described as the Doğu Ekspresi; it is neither Ankara-Kars (1,310-1,360 km) nor the 1,944 km Istanbul-Kars in the register: an unexplained figure",
    (219, 1208): "1,208 miles is the page's conversion of its 1,944 km, which is in the register",
}


def family(subject: str) -> tuple[str, ...]:
    """The register subject keys a survey subject text may match."""
    head = subject.split(" — ")[0].split(" (")[0].strip()
    for key, keys in FAMILIES.items():
        if head.startswith(key):
            return keys
    return ()


def norm(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.").removeprefix("en.").rstrip("/")


def load_register() -> tuple[list[dict], dict[str, str]]:
    claims = tomllib.loads((ROOT / "geodata" / "claims.toml").read_text(encoding="utf-8"))["claim"]
    urls = {}
    for f in sorted((ROOT / "geodata" / "sources").glob("*.toml")):
        for s in tomllib.loads(f.read_text(encoding="utf-8"))["source"]:
            urls[s["id"]] = s["url"]
    return [c for c in claims if c["metric"] == "length"], urls


def subject_key(c: dict) -> str:
    subject = c.get("subject", "")
    base = "+".join(subject) if isinstance(subject, list) else subject
    if c.get("from"):
        return f"{base}:{c['from']}..{c['to']}"
    return f"{base}@{c['country']}" if c.get("country") else base


def km(value: float, unit: str) -> float:
    return value * UNITS[unit.split(" ")[0]]


def match(row: dict, fig: dict, claims: list[dict], urls: dict[str, str]) -> tuple[str, str]:
    """(claim id, how) for a figure, ``("", "")`` when the register lacks it."""
    want = km(fig["value"], fig["unit"])
    same = [c for c in claims if abs(km(c["value"], c["unit"]) - want) <= max(0.0005 * want, 0.05)]
    for c in same:
        if norm(urls[c["source"]]) == norm(row["url"]):
            return c["id"], "claim"
    keys = family(row["subject"])
    for c in same:
        if any(k in subject_key(c) for k in keys):
            return c["id"], "repeats"
    return "", ""


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("survey", type=Path, help="published_figures.jsonl")
    args = ap.parse_args(argv)
    claims, urls = load_register()
    rows = [json.loads(line) for line in args.survey.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = [
        "# Every length figure of the published-figures survey (shared/reference/published_figures.jsonl,",
        "# 220 statements), with the register claim that holds it or why it is left out.",
        "# Written by scripts/published_coverage.py; held to claims.toml by tests/claims/test_published_coverage.py.",
        "# claim: the register holds this figure from this source; repeats: the register holds the same figure",
        "# for the same subject from another source; left_out: why it is not a claim.",
        "",
    ]
    missing = []
    counts = {"claim": 0, "repeats": 0, "left_out": 0}
    for i, row in enumerate(rows):
        for fig in row["figures"]:
            if fig["kind"] != "length":
                continue
            cid, how = match(row, fig, claims, urls)
            reason = LEFT_OUT.get((i, fig["value"]), "")
            if not cid and not reason:
                missing.append(f"{i}: {row['subject']} {fig['value']} {fig['unit']} ({row['url']})")
                continue
            out += [
                "[[figure]]",
                f"statement = {i}",
                f"url = {q(row['url'])}",
                f"publisher = {q(row['publisher'])}",
                f"subject = {q(row['subject'])}",
                f"value = {fig['value']}",
                f"unit = {q(fig['unit'])}",
            ]
            if cid and not (how == "repeats" and reason):
                out.append(f"{how} = {q(cid)}")
                counts[how] += 1
            else:
                out.append(f"left_out = {q(reason)}")
                counts["left_out"] += 1
            out.append("")
    if missing:
        print("figures neither in the register nor left out with a reason:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
