"""Export processing zones (247): the enterprises with their camera maps, and the rotation."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from bot.config.base import Section
from bot.customs.references import normalise_tax_code


class EnterpriseCamera(Section):
    """A camera on an EPZ enterprise's camera map."""

    number: str = Field(min_length=1)
    name: str = ""
    kind: Literal["gate", "storage", "other"] = "other"


class Enterprise(Section):
    """An export-processing enterprise whose cameras Customs watches (247 I.1.1e)."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    tax_code: str
    address: str = ""
    branch: str | None = Field(None, description="the managing customs branch (a unit key)")
    officer: int | None = Field(None, description="the assigned officer (a person id)")
    cameras: list[EnterpriseCamera] = Field(default_factory=list)
    # 247 Annex II is signed by the enterprise's legal representative; when not configured,
    # the contact is asked for the name at enrolment.
    legal_representative: str = ""
    # The place before the date on the enterprise's notices; else the address's last part.
    place: str = ""

    def notice_place(self) -> str:
        """Where the enterprise dates its notices: configured, else its address's province."""
        if self.place:
            return self.place
        last = self.address.rsplit(",", 1)[-1].strip() if "," in self.address else ""
        return last.removeprefix("tỉnh ").removeprefix("Tỉnh ")

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, code: str) -> str:
        normalised = normalise_tax_code(code)
        if normalised is None:
            raise ValueError(
                "a tax code has 10 digits, or 10-3 for a branch (e.g. 0312345678 or 0312345678-001)"
            )
        return normalised


class RotationSettings(Section):
    """The monthly rotation of camera checks over every EPZ enterprise (247 II.1a)."""

    enabled: bool = True
    # The set time of day each check is made at; an officer's second check on one day
    # comes check_spacing_minutes later.
    check_at: dt.time = dt.time(9, 30)
    check_spacing_minutes: int = Field(30, ge=5)
    remind_before_minutes: int = Field(15, ge=0)
    # The plan is made on this working day of the month, at plan_at (or at start-up when the
    # month has no plan yet and that moment has passed).
    plan_on_working_day: int = Field(1, ge=1, le=15)
    plan_at: dt.time = dt.time(8, 0)
    # Enterprises without an assigned officer are spread over these (person ids).
    officers: list[int] = Field(default_factory=list)


class EpzSettings(Section):
    """EPZ supervision beyond the enterprises' registry."""

    rotation: RotationSettings = RotationSettings()
