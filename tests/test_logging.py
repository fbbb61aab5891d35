"""The bot token never reaches a log line."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import RedactTokens, configure_logging


def test_tokens_are_masked_in_messages_and_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    log = logging.getLogger("duty-desk-test")
    log.warning(
        "POST https://api.telegram.org/bot%s/getUpdates",
        "123456789:AAHk-abcdefghijklmnopqrstuvwxyz012",
    )
    log.warning("token in text 987654321:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ here")
    err = capsys.readouterr().err
    assert "AAHk-abcdefghijklmnopqrstuvwxyz012" not in err and "ZZZZZZZZZZ" not in err
    assert "bot<token>/getUpdates" in err and "token in text <token> here" in err


def test_ordinary_numbers_are_left_alone() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, "f", 1, "chat %s at 12:30", (-1001234567890,), None
    )
    assert RedactTokens().filter(record)
    assert record.getMessage() == "chat -1001234567890 at 12:30"


def test_a_webhook_secret_token_is_masked_wherever_it_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG")
    log = logging.getLogger("duty-desk-test")
    # python-telegram-bot logs each call's parameters at DEBUG, setWebhook's secret among them.
    log.debug(
        "Calling Bot API endpoint `%s` with parameters `%s`",
        "setWebhook",
        {"url": "https://desk.example/telegram", "secret_token": "Hook_s3cret-abc"},
    )
    log.debug("X-Telegram-Bot-Api-Secret-Token: Other_s3cret-def")
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert "'secret_token': '<secret>'" in err and "Secret-Token: <secret>" in err
