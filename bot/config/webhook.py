"""Webhook mode: where Telegram posts the updates, where this process listens, what it checks."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.config.base import Section, load_secret

# What Telegram accepts as a webhook's secret_token (setWebhook): 1-256 of these characters.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}", re.ASCII)


class WebhookSettings(Section):
    """Telegram posts each update to `url` (a reverse proxy) which forwards it to host:port/path."""

    # The public address Telegram posts to, e.g. https://desk.example.gov.vn/telegram.
    url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(8444, ge=0, le=65535)
    # The path this process serves; by default the path of `url` (a proxy that keeps it).
    path: str | None = None
    secret_token: SecretStr | None = None
    secret_token_file: Path | None = None
    # Telegram's own default: it opens at most this many connections at once to the proxy.
    max_connections: int = Field(40, ge=1, le=100)
    # An update is a few kilobytes; a request far larger is not from Telegram.
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # The body must arrive this long after the headers, so a stalled client holds no connection.
    read_timeout_seconds: float = Field(10.0, gt=0, le=600)

    @field_validator("url")
    @classmethod
    def _public_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        # http only reaches a local Bot API server (or the emulator); Telegram's needs https.
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment:
            raise ValueError(
                "expected the public address Telegram posts to, e.g. "
                "https://desk.example.gov.vn/telegram"
            )
        return url

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith("/"):
            raise ValueError("expected a path starting with /, e.g. /telegram")
        return path

    @model_validator(mode="after")
    def _read_secret_token(self) -> WebhookSettings:
        load_secret(self, "secret_token", "secret_token_file")
        if self.secret_token is not None and not SECRET_TOKEN.fullmatch(
            self.secret_token.get_secret_value()
        ):
            key = "secret_token" if self.secret_token_file is None else "secret_token_file"
            # The value itself is never repeated: it is a secret even when it is wrong.
            raise ValueError(
                f"{key}: Telegram accepts 1 to 256 characters A-Z, a-z, 0-9, _ and - "
                "(e.g. the output of: openssl rand -hex 32)"
            )
        return self

    def listen_path(self) -> str:
        """The path this process answers on: `path`, else the public URL's, else /."""
        if self.path is not None:
            return self.path
        return urlsplit(self.url or "").path or "/"

    def secret_value(self) -> str | None:
        """The secret token Telegram sends with every update, or None when none is set."""
        return self.secret_token.get_secret_value() if self.secret_token else None
