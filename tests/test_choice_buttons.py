"""The chat-only buttons: a guided question's "dr:<value>" choices and /lang's "lang:<code>"."""

from __future__ import annotations

import pytest

from bot.handlers.flows import choice_data, read_choice
from bot.handlers.language import language_button, parse_language
from bot.i18n import LOCALES


@pytest.mark.parametrize("value", ["cancel", "kind:camera", "cam:C01", "skip"])
def test_a_choice_reads_back_as_built(value: str) -> None:
    data = choice_data(value)
    assert data == f"dr:{value}"
    assert read_choice(data) == value


@pytest.mark.parametrize("data", ["", "dr", "dr:", "xx:cancel", "dr" + ":x" * 40, "cancel"])
def test_what_is_no_choice_reads_as_none(data: str) -> None:
    assert read_choice(data) is None


def test_a_choice_too_long_for_telegram_cannot_be_built() -> None:
    with pytest.raises(ValueError):
        choice_data("x" * 62)
    with pytest.raises(ValueError):
        choice_data("")


@pytest.mark.parametrize("code", LOCALES)
def test_each_language_reads_back(code: str) -> None:
    assert parse_language(language_button(code)) == code


@pytest.mark.parametrize("data", ["lang:xx", "lang:", "lang:vi:en", "lang", "dr:vi", "LANG:vi"])
def test_unknown_languages_are_no_press(data: str) -> None:
    assert parse_language(data) is None


def test_a_language_the_bot_does_not_speak_cannot_be_offered() -> None:
    with pytest.raises(ValueError):
        language_button("fr")
