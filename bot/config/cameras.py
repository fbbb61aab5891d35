"""The camera map (888 Art. 14): cameras, how to reach them over ONVIF, how alerts are folded."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from bot.config.base import Section, load_secret


class OnvifAccess(Section):
    """How to reach a camera over ONVIF; the password comes from the environment or a file."""

    host: str
    port: int = Field(80, ge=1, le=65535)
    username: str = "admin"
    password: SecretStr | None = None
    password_file: Path | None = None

    @model_validator(mode="after")
    def _read_password_file(self) -> OnvifAccess:
        load_secret(self, "password", "password_file")
        return self

    def password_value(self) -> str:
        """Return the camera password ('' when none is configured)."""
        return self.password.get_secret_value() if self.password else ""


class PtzPreset(Section):
    """The position the camera map gives a PTZ camera; drift beyond tolerance is flagged."""

    pan: float
    tilt: float
    zoom: float = 0.0
    tolerance: float = Field(0.05, gt=0)


class Camera(Section):
    """A camera as on the camera map (888 Art. 14; 247 Annex I)."""

    number: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1)
    place: str = ""
    area: str = ""
    kind: Literal["surveillance", "recognition"] = "surveillance"
    unit: str | None = None
    onvif: OnvifAccess | None = None
    neighbours: list[str] = Field(default_factory=list)
    enterprise: str | None = None
    preset: PtzPreset | None = None


class AlertSettings(Section):
    """How camera alerts are folded so a storm stays readable and within Telegram's limits."""

    fold_window_seconds: int = Field(300, ge=1)
    digest_after_per_minute: int = Field(8, ge=1)
    # Post at once (with a placeholder image) if the snapshot takes longer than this...
    post_within_seconds: float = Field(1.5, gt=0)
    # ...and swap the real snapshot in if it arrives before this.
    snapshot_timeout_seconds: float = Field(10.0, gt=0)
    health_every_seconds: int = Field(300, ge=10)
    health_concurrency: int = Field(10, ge=1)
    # An alert with a card of its own that nobody has seen, opened or called false: the
    # officers on shift are reminded after this long, the shift leader this long after them.
    remind_after_minutes: int = Field(10, ge=1)
    leader_after_minutes: int = Field(10, ge=1)
