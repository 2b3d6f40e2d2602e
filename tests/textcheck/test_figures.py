"""Finding figures: numbers in each language's conventions, words, ranges, qualifiers, units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transcaspian.textcheck.figures import find_figures
from transcaspian.textcheck.numbers import digits_value, evaluate
from transcaspian.textcheck.patterns import shipped_patterns
from transcaspian.textcheck.reading import detect_language, html_text, markdown_text, sentences

P = shipped_patterns()


def figures(text: str, language: str | None = None):
    return find_figures(text, sentences(text, language), P)


@pytest.mark.parametrize(
    "text, value, unit, qualifier",
    [
        ("The pipeline is 1,768 km long.", 1768, "km", "about"),
        ("Длина трубопровода — 1 768 км.", 1768, "km", "about"),
        ("Длина трубопровода — 1\u00a0768 км.", 1768, "km", "about"),
        ("Длина трубопровода — 1\u202f768 км.", 1768, "km", "about"),
        ("Hattın uzunluğu 1.768 kilometredir.", 1768, "km", "about"),
        ("Karadeniz kablosu 1.100 km olacak.", 1100, "km", "about"),
        ("Kəmərin uzunluğu 1768 km-dir.", 1768, "km", "about"),
        ("Құбырдың ұзындығы 1768 шақырым.", 1768, "km", "about"),
        ("Протяженность БТД составляет 1 тыс.767 км.", 1767, "km", "about"),
        ("В Турции - 1 тыс. 076 км.", 1076, "km", "about"),
        ("Hattın uzunluğu bin 768 kilometre.", 1768, "km", "about"),
        ("Kəmərin uzunluğu min yeddi yüz altmış səkkiz kilometrdir.", 1768, "km", "about"),
        ("The corridor is about two thousand kilometres long.", 2000, "km", "about"),
        ("Длина около тысячи семисот шестидесяти восьми километров.", 1768, "km", "about"),
        ("Құбырдың ұзындығы бір мың жеті жүз алпыс сегіз шақырым.", 1768, "km", "about"),
        ("The cable is over 340 km long.", 340, "km", "over"),
        ("Маршрут протяженностью более 340 км.", 340, "km", "over"),
        ("Kablo yaklaşık 380 km olacak.", 380, "km", "about"),
        ("Kabelin uzunluğu təxminən 380 km olacaq.", 380, "km", "about"),
        ("Hat 1700 km'den fazla.", 1700, "km", "over"),
        ("Xəttin uzunluğu 1700 km-dən çox.", 1700, "km", "over"),
        ("A line of up to 840 km.", 840, "km", "under"),
        ("Photographs along the 1,093-mile BTC oil pipeline.", 1093, "mi", "about"),
        ("The Turkish part is 1,075,336 m long.", 1075336, "m", "about"),
        ("A route of 200 nautical miles.", 200, "nmi", "about"),
    ],
)
def test_finds_one_length(text, value, unit, qualifier):
    found = [f for f in figures(text) if f.is_length]
    assert len(found) == 1, found
    fig = found[0]
    assert (fig.value, fig.unit, fig.qualifier) == (value, unit, qualifier)
    assert text[fig.start : fig.end] == fig.text


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("The line will be 380–400 km long.", 380, 400),
        ("The line will be 380-400 km long.", 380, 400),
        ("It will be between 380 and 400 km long.", 380, 400),
        ("Длина кабеля — от 400 до 450 км.", 400, 450),
        ("The route is 380 to 400 km.", 380, 400),
    ],
)
def test_ranges(text, low, high):
    (fig,) = [f for f in figures(text) if f.is_length]
    assert (fig.value, fig.value_max, fig.qualifier) == (low, high, "range")


def test_miles_keep_their_unit_and_convert_like_the_register():
    (fig,) = figures("The pipeline is 1,099 miles long.")
    assert fig.unit == "mi" and fig.value == 1099
    assert fig.stated_km == pytest.approx(1099 * 1.609344)


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("It carries 1.2 million barrels a day.", "oil volume", 1_200_000),
        ("It cost $4 billion.", "money", 4e9),
        ("Стоимость — 4 миллиарда долларов.", "money", 4e9),
        ("Capacity of up to 400 Tbps.", "data_rate", 400),
        ("Пропускная способность - до 400 Тбит/с.", "data_rate", 400),
        ("The cable will carry 1 GW.", "power", 1),
        ("Gücü 1.000 MW olacak.", "power", 1000),
        ("Transit takes 12 days.", "time", 12),
        ("Volumes grew 39%.", "percent", 39),
        ("Yüzde olarak %35 arttı.", "percent", 35),
        ("Пропускная способность - 50 млн. тонн нефти в год.", "mass", 50e6),
        ("Ildə 50 milyon ton neft.", "mass", 50e6),
    ],
)
def test_other_figures_are_told_apart(text, kind, value):
    found = figures(text)
    assert [f.kind for f in found] == [kind], found
    assert found[0].value == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "Trains run at 80 km/h.",
        "Поезда идут со скоростью 80 км/ч.",
        "The port covers 117 sq km.",
        "Площадь 117 кв. км.",
        "In 2006 the line opened.",
        "С 2006 по 2024 год работала линия.",
        "2006-cı ildə açılıb.",
    ],
)
def test_not_lengths(text):
    assert not [f for f in figures(text) if f.is_length]
    assert not [f for f in figures(text) if f.kind == "time" and f.value > 1800]


@pytest.mark.parametrize(
    "raw, lang, value",
    [
        ("1,768", "en", 1768), ("1.768", "en", 1.768), ("1.768", "tr", 1768), ("2,5", "tr", 2.5), ("1,768", "ru", 1768),
        ("2,5", "ru", 2.5), ("1 768", "kk", 1768), ("1.768,5", "tr", 1768.5), ("1,768.5", "en", 1768.5), ("1.100", "az", 1100),
    ],
)  # fmt: skip
def test_digit_conventions(raw, lang, value):
    assert digits_value(raw, P.conventions[lang]) == pytest.approx(value)


def test_a_scale_word_keeps_the_decimal_reading():
    assert digits_value("1,768", P.conventions["ru"], scaled=True) == pytest.approx(1.768)


def test_evaluate_reads_words_and_digits_alike():
    assert evaluate([("num", 1.0), ("scale", 1000.0), ("num", 767.0)]) == 1767
    assert evaluate([("num", 2.0), ("scale", 1000.0)]) == 2000
    assert evaluate([("num", 7.0), ("hundred", 100.0), ("num", 60.0), ("num", 8.0)]) == 768


@pytest.mark.parametrize(
    "text, lang",
    [("The pipeline is long.", "en"), ("Длина трубопровода.", "ru"), ("Kəmərin uzunluğu.", "az"), ("Hattın uzunluğu.", "tr"), ("Құбырдың ұзындығы.", "kk")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_html_and_markdown_are_read_as_their_visible_text():
    html = "<html><head><title>T</title><script>var x = '380 km';</script></head><body><p>The BTC is <b>1,768 km</b> long.</p></body></html>"
    assert html_text(html) == "The BTC is 1,768 km long."
    assert markdown_text("# Title\n\nThe **BTC** is [1,768 km](https://x) long. <b>raw</b>") == "Title\n\nThe BTC is 1,768 km long. <b>raw</b>"


def test_a_cut_after_an_abbreviation_is_mended():
    text = "Пропускная способность - 50 млн. тонн нефти в год. Вторая фраза."
    assert len(sentences(text)) == 2


_LANGS = {
    "en": lambda n: f"{n:,}",
    "ru": lambda n: f"{n:,}".replace(",", "\u00a0"),
    "kk": lambda n: f"{n:,}".replace(",", " "),
    "tr": lambda n: f"{n:,}".replace(",", "."),
    "az": lambda n: f"{n:,}".replace(",", " "),
}
_UNITS = {"en": "km", "ru": "км", "kk": "шақырым", "tr": "kilometre", "az": "kilometr"}


@given(n=st.integers(min_value=1, max_value=9_999_999), lang=st.sampled_from(sorted(_LANGS)))
@settings(max_examples=300, deadline=None)
def test_any_number_in_each_convention_reads_back(n, lang):
    text = f"{_LANGS[lang](n)} {_UNITS[lang]}"
    (fig,) = [f for f in figures(text, lang) if f.is_length]
    assert fig.value == n


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_well_formed_figures(text):
    found = figures(text)
    for fig in found:
        assert 0 <= fig.start < fig.end <= len(text)
        assert text[fig.start : fig.end] == fig.text
        assert fig.value > 0
        assert fig.value_max is None or fig.value_max > fig.value
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start  # no two figures overlap


def test_length_factors_are_the_registers():
    from transcaspian.claims.model import LENGTH_UNITS

    assert {u.name: u.factor for u in P.length_units} == LENGTH_UNITS
