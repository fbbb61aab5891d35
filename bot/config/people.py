"""Who the desk knows: people, units and the roster of shifts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator

from bot.config.base import Section, phone_number


class Person(Section):
    """Someone the bot knows: a Telegram account with a name, title and unit."""

    id: int = Field(description="Telegram user id")
    name: str = Field(min_length=1)
    title: str = ""
    unit: str | None = None
    admin: bool = False
    # Printed after the name where a form names a contact (888 Annexes II and V).
    phone: str = ""

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, number: str) -> str:
        return phone_number(number)


class Unit(Section):
    """A unit the desk may ask to act (Chi cục, Đội, Cục HQ tỉnh)."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    chat_id: int | None = None
    # 247 I.2.3c: the branch head (Chi cục trưởng) decides an EPZ outage's interim measure.
    head: int | None = Field(None, description="the unit's head (a person id)")
    # 888 Annex IV's heading: the body the unit belongs to ("ĐƠN VỊ CHỦ QUẢN"), e.g. the
    # provincial Customs Department of a branch; and the place its reports are dated at.
    parent: str = ""
    place: str = ""


class RosterDay(Section):
    """The composition of one shift (888 Art. 5.2)."""

    shift_leader: int | None = None
    section_leader: int | None = None
    clerk: int | None = None
    officers: list[int] = Field(default_factory=list)


class RosterSettings(Section):
    """Shift compositions by the date the shift starts; a CSV file may add more."""

    file: Path | None = None
    days: dict[dt.date, RosterDay] = Field(default_factory=dict)


def roster_people(day: RosterDay) -> list[tuple[str, int]]:
    """The people a shift names, with the role each is named in."""
    named = [
        ("shift_leader", day.shift_leader),
        ("section_leader", day.section_leader),
        ("clerk", day.clerk),
    ]
    found = [(role, pid) for role, pid in named if pid is not None]
    return found + [("officers", pid) for pid in day.officers]
