"""The shared styles: legible on the basemap, told apart, the same in QGIS."""

from __future__ import annotations

import itertools

import pytest

from transcaspian.styles import (
    BASEMAP_LAND,
    BASEMAP_SEA,
    LAYER_COLORS,
    MODE_WIDTHS,
    PLACE_STYLES,
    contrast_ratio,
    line_style,
)


@pytest.mark.parametrize("color", [*LAYER_COLORS.values(), *(c for c, _ in PLACE_STYLES.values())])
def test_colors__three_to_one_against_land_and_sea(color):
    assert contrast_ratio(color, BASEMAP_LAND) >= 3.0
    assert contrast_ratio(color, BASEMAP_SEA) >= 3.0


def test_layer_colors__distinct_for_colour_blind_readers():
    # Okabe–Ito hues: simulate deuteranopia (Machado et al. 2009, severity 1) and
    # require every pair of layer colours to stay apart.
    m = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]

    def simulate(color):
        rgb = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        return [sum(m[r][c] * rgb[c] for c in range(3)) for r in range(3)]

    for a, b in itertools.combinations(LAYER_COLORS.values(), 2):
        distance = sum((x - y) ** 2 for x, y in zip(simulate(a), simulate(b))) ** 0.5
        assert distance > 0.1, (a, b)


def test_mode_widths__modes_of_one_layer_a_pixel_apart():
    assert MODE_WIDTHS["rail"] - MODE_WIDTHS["ferry"] >= 1
    assert MODE_WIDTHS["subsea_cable"] - MODE_WIDTHS["land_cable"] >= 1
    assert MODE_WIDTHS["pipeline"] - MODE_WIDTHS["rail"] >= 1


def test_line_style__ferries_dashed_even_when_operational():
    assert line_style("middle_corridor", "ferry", "operational", "traced").dash
    assert line_style("middle_corridor", "rail", "operational", "traced").dash is None


def test_contrast_ratio__known_answers():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_qml__uses_the_shared_colours_and_widths():
    from transcaspian.outputs.qml import line_layer_qml

    qml = line_layer_qml("fiber", [("subsea_cable", "operational", "traced")])
    r, g, b = (int(LAYER_COLORS["fiber"][i : i + 2], 16) for i in (1, 3, 5))
    assert f"{r},{g},{b}" in qml
    assert f'name="line_width" type="QString" value="{MODE_WIDTHS["subsea_cable"]:g}"' in qml
    assert 'name="line_width_unit" type="QString" value="Pixel"' in qml
