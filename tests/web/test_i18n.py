"""The maps' words in every language."""

from __future__ import annotations

import pytest

from transcaspian.web import i18n


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_tables__every_word_in_every_language(lang):
    table = i18n._TABLES[lang]
    assert set(table) == set(i18n._EN), set(i18n._EN) ^ set(table)
    assert all(isinstance(v, str) and v.strip() for v in table.values())
    # placeholders survive translation
    assert "{n}" in table["results"] and "{date}" in table["caption_data"]


def test_text__falls_back_to_english_then_to_the_key():
    assert i18n.text("kk", "ferry") == "паром"
    assert i18n.text("xx", "ferry") == "ferry"
    assert i18n.text("en", "multimodal") == "multimodal"


def test_check_language__names_the_choices():
    with pytest.raises(ValueError, match="en, ru, az, kk, tr"):
        i18n.check_language("de")


def test_ui_strings__only_what_map_js_reads():
    ui = i18n.ui_strings("tr")
    assert ui["search"] == "Adla ara" and "title" not in ui
