"""The bot token never reaches a log line."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

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


TOKEN = "123456789:AAHk-abcdefghijklmnopqrstuvwxyz012"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the root logger back as it was: the formats tried here must not leak into others."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def fail_with_token() -> None:
    raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")


def test_json_lines_parse_and_carry_no_token(
    capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging("INFO", "json")
    log = logging.getLogger("bot.sender.workers")
    log.info("Camera %s: Người lạ trèo rào", "12")
    log.warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        fail_with_token()
    except ConnectionError:
        log.exception("Sending to chat %s failed; retrying later", -1001234567890)
    lines = capsys.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    first, second, third = records
    assert list(first) == ["time", "level", "logger", "message"]
    assert first["level"] == "INFO" and first["logger"] == "bot.sender.workers"
    # Vietnamese as written, not escaped.
    assert first["message"] == "Camera 12: Người lạ trèo rào" and "Người" in lines[0]
    assert dt.datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["message"] == "POST https://api.telegram.org/bot<token>/getUpdates"
    assert third["level"] == "ERROR"
    assert third["message"] == "Sending to chat -1001234567890 failed; retrying later"
    assert "ConnectionError" in third["exception"] and "bot<token>/getMe" in third["exception"]
    assert "AAHk" not in "\n".join(lines)


def test_a_traceback_in_text_lines_carries_no_token(
    capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging("INFO")
    try:
        fail_with_token()
    except ConnectionError:
        logging.getLogger("duty-desk-test").exception("getMe failed")
    err = capsys.readouterr().err
    assert "bot<token>/getMe" in err and "AAHk" not in err


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
