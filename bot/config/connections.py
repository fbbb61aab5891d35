"""How the desk reaches Telegram and its database, and how alert senders reach the desk."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from sqlalchemy.engine import make_url

from bot.config.base import Section, load_secret, read_secret
from bot.config.webhook import WebhookSettings

TELEGRAM_BOT_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"


class ForumTopics(Section):
    """Forum topic ids of the duty group, per kind of message (none: the main thread)."""

    logbook: int | None = None
    alerts: int | None = None
    approvals: int | None = None
    reports: int | None = None


class RateLimits(Section):
    """Outgoing pace, within Telegram's published limits."""

    overall_per_second: float = Field(30.0, gt=0)
    group_per_minute: float = Field(20.0, gt=0)
    private_per_second: float = Field(1.0, gt=0)
    max_attempts: int = Field(8, ge=1)


class TelegramSettings(Section):
    """How to reach the Bot API and where the duty group is."""

    token: SecretStr | None = None
    token_file: Path | None = None
    base_url: str = TELEGRAM_BOT_API
    base_file_url: str = TELEGRAM_FILE_API
    duty_group_id: int | None = None
    topics: ForumTopics = ForumTopics()
    rate_limits: RateLimits = RateLimits()
    poll_timeout_seconds: int = Field(30, ge=0, le=50)
    # How updates arrive: this process asks for them (polling), or Telegram posts them to
    # webhook.url, a reverse proxy in front of every process (webhook).
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()
    # The ✍ that confirms a message was filed is worth something only while the message is
    # fresh on the officers' screens; one still unsent this long after the message is dropped.
    reaction_fresh_minutes: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _read_token_file(self) -> TelegramSettings:
        load_secret(self, "token", "token_file")
        return self

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        if self.mode == "webhook":
            if self.webhook.url is None:
                raise ValueError(
                    "webhook.url: webhook mode needs the public address Telegram posts to "
                    "(the reverse proxy), e.g. https://desk.example.gov.vn/telegram"
                )
            if self.webhook.secret_token is None:
                raise ValueError(
                    "webhook.secret_token: webhook mode needs a secret token (or "
                    "webhook.secret_token_file) so that only Telegram's requests are handled"
                )
        return self

    def token_value(self) -> str | None:
        """Return the bot token, or None when none is configured."""
        return self.token.get_secret_value() if self.token else None


class DatabaseSettings(Section):
    """Where the records live."""

    url: str = "sqlite:///duty-desk.db"
    # The server's password kept apart from the URL (a container secret, a systemd credential):
    # the URL names the user and the server, this file holds only the password.
    password_file: Path | None = None
    echo: bool = False

    @model_validator(mode="after")
    def _read_password_file(self) -> DatabaseSettings:
        if self.password_file is None:
            return self
        given = make_url(self.url)
        if given.get_backend_name() == "sqlite":
            raise ValueError("password_file is for a database server; an SQLite file has none")
        if given.password is not None:
            raise ValueError("the password is given twice: in url and in password_file")
        password = read_secret(self.password_file, "password_file")
        url = given.set(password=password).render_as_string(hide_password=False)
        # The sections are frozen once validated; this runs inside validation.
        object.__setattr__(self, "url", url)
        return self


class IntakeSettings(Section):
    """The HTTP endpoint NVRs, VMSs and analytics systems post alerts to (247 II.2.2)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8443, ge=0, le=65535)
    secret: SecretStr | None = None
    secret_file: Path | None = None
    max_body_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    replay_window_seconds: int = Field(300, ge=10)
    # A sender has this long to deliver its body once its headers are in; a slow or stalled
    # one is answered 408 and cut off, so it cannot hold a connection open.
    read_timeout_seconds: float = Field(10.0, gt=0, le=600)
    # Where cameras can reach this server (e.g. http://10.0.0.5:8443); when set, cameras are
    # asked to push their events (ONVIF base notification), falling back to PullPoint.
    camera_notify_base_url: str | None = None

    @model_validator(mode="after")
    def _read_secret_file(self) -> IntakeSettings:
        load_secret(self, "secret", "secret_file")
        if self.enabled and not self.secret:
            raise ValueError(
                "an enabled intake needs a secret (or secret_file) to check signatures"
            )
        return self
