"""Webhook mode's settings: what it needs is named when missing, and the secret never repeated."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

URL = "https://desk.example.gov.vn/telegram"


def problems(tmp_path: Path, text: str) -> str:
    path = tmp_path / "duty-desk.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return "\n".join(caught.value.problems)


def test_polling_stays_the_default_and_needs_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "duty-desk.yaml"
    path.write_text("telegram:\n  token: '1:x'\n", encoding="utf-8")
    assert load_settings(path).telegram.mode == "polling"


@pytest.mark.parametrize(
    ("webhook", "named"),
    [
        ({}, "telegram: webhook.url: webhook mode needs the public address"),
        ({"url": URL}, "telegram: webhook.secret_token: webhook mode needs a secret token"),
        ({"url": "desk.example.gov.vn", "secret_token": "abc"}, "telegram.webhook.url:"),
        ({"url": URL, "secret_token": "a" * 257}, "telegram.webhook: secret_token: Telegram"),
        ({"url": URL, "secret_token": "abc", "path": "telegram"}, "telegram.webhook.path:"),
        ({"url": URL, "secret_token": "abc", "max_connections": 0}, "max_connections"),
    ],
)
def test_a_bad_webhook_configuration_names_the_key(
    tmp_path: Path, webhook: dict[str, object], named: str
) -> None:
    items = "".join(f"    {key}: {value!r}\n" for key, value in webhook.items())
    text = "telegram:\n  mode: webhook\n" + ("  webhook:\n" + items if items else "")
    assert named in problems(tmp_path, text)


def test_a_secret_telegram_would_refuse_is_refused_without_being_repeated(
    tmp_path: Path,
) -> None:
    said = problems(
        tmp_path,
        f"telegram:\n  mode: webhook\n  webhook:\n    url: {URL}\n    secret_token: 'my secret!'\n",
    )
    assert "secret_token: Telegram accepts 1 to 256 characters A-Z, a-z, 0-9, _ and -" in said
    assert "my secret" not in said
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text("wrong secret\n", encoding="utf-8")
    said = problems(
        tmp_path,
        f"telegram:\n  mode: webhook\n  webhook:\n    url: {URL}\n"
        f"    secret_token_file: {secret_file}\n",
    )
    assert "secret_token_file: Telegram accepts" in said and "wrong secret" not in said


def test_the_secret_comes_from_a_file_and_the_path_from_the_url(tmp_path: Path) -> None:
    secret_file = tmp_path / "webhook-secret"
    secret_file.write_text("from-the-file_0123\n", encoding="utf-8")
    path = tmp_path / "duty-desk.yaml"
    path.write_text(
        f"telegram:\n  mode: webhook\n  webhook:\n    url: {URL}\n"
        f"    secret_token_file: {secret_file}\n",
        encoding="utf-8",
    )
    webhook = load_settings(path).telegram.webhook
    assert webhook.secret_value() == "from-the-file_0123"
    assert webhook.listen_path() == "/telegram"
    assert "from-the-file" not in repr(webhook)
