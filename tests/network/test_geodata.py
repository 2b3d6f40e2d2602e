"""The curated geodata meets the published lengths it is drawn to.

Issue 2's fidelity rule: every leg or route with a published length measures
within -5 % / +3 % of it, waypoints being places the line really passes.
"""

from __future__ import annotations

import pytest

from transcaspian.geo.geodesy import line_length_km

LOW, HIGH = 0.95, 1.03

#: (subject, country or None, published km, publisher)
PUBLISHED = [
    ("btc", None, 1768, "BP"),
    ("btc", "AZE", 443, "BP"),
    ("btc", "GEO", 249, "BP"),
    ("btc", "TUR", 1076, "BP"),
    ("fiber_aktau_sumgayit", None, 380, "Trend 2025"),
    ("bsec_subsea", None, 1100, "CESI 2022"),
    ("btk_railway", None, 826, "Wikipedia"),
    ("caspian_ferry_aktau_alat", None, 508, "TITR"),
]


@pytest.mark.parametrize("subject, country, km, publisher", PUBLISHED, ids=[f"{s}-{c or 'total'}" for s, c, _, _ in PUBLISHED])
def test_curated_lengths__within_band_of_published(measured, subject, country, km, publisher):
    frame = measured.routes if subject in measured.routes.index else measured.legs
    row = frame.loc[subject]
    length = row["country_lengths_km"].get(country, 0.0) if country else row["length_km"]
    assert LOW * km <= length <= HIGH * km, f"{subject} {country or ''}: {length:.1f} km vs {km} km ({publisher})"


def test_curated_lengths__illustrative_cable_has_no_published_length(measured):
    assert measured.geodata.legs["caspian_power_cable"].route_accuracy == "illustrative"


def test_curated_lengths__frame_matches_geometry(measured):
    for row in measured.legs.itertuples():
        assert row.length_km == pytest.approx(line_length_km(row.geometry), rel=1e-12)
