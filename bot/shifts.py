"""Shifts from the clock and the roster, and the rights each role gives (888 Art. 5, 10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.config import Person, RosterDay, Settings


class Role(StrEnum):
    """A place in a shift's composition."""

    SHIFT_LEADER = "shift_leader"
    SECTION_LEADER = "section_leader"
    CLERK = "clerk"
    OFFICER = "officer"


class Right(StrEnum):
    """Something a person may do."""

    VIEW = "view"
    WRITE_LOGBOOK = "write_logbook"
    CORRECT_LOGBOOK = "correct_logbook"
    REMIND_UNITS = "remind_units"
    APPROVE = "approve"
    ACCEPT_HANDOVER = "accept_handover"
    # The official documents (888 Annexes I-V, 247 Annex II) for the records.
    EXPORT = "export"
    ADMINISTER = "administer"


ROLE_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.SHIFT_LEADER: frozenset(
        {Right.VIEW, Right.WRITE_LOGBOOK, Right.APPROVE, Right.ACCEPT_HANDOVER, Right.EXPORT}
    ),
    Role.SECTION_LEADER: frozenset(
        {Right.VIEW, Right.WRITE_LOGBOOK, Right.REMIND_UNITS, Right.EXPORT}
    ),
    Role.CLERK: frozenset({Right.VIEW, Right.WRITE_LOGBOOK, Right.CORRECT_LOGBOOK, Right.EXPORT}),
    Role.OFFICER: frozenset({Right.VIEW, Right.WRITE_LOGBOOK, Right.EXPORT}),
}

# The order in which a composition is listed, leader first (as in Annex I).
ROLE_ORDER = (Role.SHIFT_LEADER, Role.SECTION_LEADER, Role.CLERK, Role.OFFICER)


@dataclass(frozen=True)
class ShiftWindow:
    """A shift: the date it starts on and its bounds."""

    shift_date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Member:
    """A person in a role of a shift."""

    role: Role
    person: Person


class Roster:
    """Answers who is on duty when, and what they may do, from the configured roster."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._tz = settings.tz
        self._start = settings.shift.start
        self._people = {person.id: person for person in settings.people}
        self._days = settings.roster.days

    def shift_date_at(self, when: dt.datetime) -> dt.date:
        """Return the date of the shift running at an aware moment."""
        local = when.astimezone(self._tz)
        start_today = dt.datetime.combine(local.date(), self._start, tzinfo=self._tz)
        return local.date() if local >= start_today else local.date() - dt.timedelta(days=1)

    def window(self, shift_date: dt.date) -> ShiftWindow:
        """Return the start and end of the shift of a date."""
        starts = dt.datetime.combine(shift_date, self._start, tzinfo=self._tz)
        ends = dt.datetime.combine(shift_date + dt.timedelta(days=1), self._start, tzinfo=self._tz)
        return ShiftWindow(shift_date, starts.astimezone(dt.UTC), ends.astimezone(dt.UTC))

    def window_at(self, when: dt.datetime) -> ShiftWindow:
        """Return the shift running at an aware moment."""
        return self.window(self.shift_date_at(when))

    def day(self, shift_date: dt.date) -> RosterDay | None:
        """Return the roster of a shift, or None when nobody is rostered."""
        return self._days.get(shift_date)

    def members(self, shift_date: dt.date) -> list[Member]:
        """List the people of a shift in Annex I order."""
        day = self._days.get(shift_date)
        if day is None:
            return []
        ids: list[tuple[Role, int | None]] = [
            (Role.SHIFT_LEADER, day.shift_leader),
            (Role.SECTION_LEADER, day.section_leader),
            (Role.CLERK, day.clerk),
        ]
        ids += [(Role.OFFICER, officer) for officer in day.officers]
        return [Member(role, self._people[pid]) for role, pid in ids if pid in self._people]

    def roles(self, user_id: int, when: dt.datetime) -> set[Role]:
        """Return the roles a person has in the shift running at a moment."""
        shift = self.shift_date_at(when)
        return {member.role for member in self.members(shift) if member.person.id == user_id}

    def rights(self, user_id: int, when: dt.datetime) -> frozenset[Right]:
        """Return what a person may do at a moment, from their role in the current shift."""
        person = self._people.get(user_id)
        if person is None:
            return frozenset()
        granted: set[Right] = {Right.VIEW}
        for role in self.roles(user_id, when):
            granted |= ROLE_RIGHTS[role]
        if person.admin:
            granted.add(Right.ADMINISTER)
        return frozenset(granted)

    def person(self, user_id: int) -> Person | None:
        """Return a configured person."""
        return self._people.get(user_id)

    def shift_leader(self, shift_date: dt.date) -> Person | None:
        """Return the leader of a shift."""
        day = self._days.get(shift_date)
        if day is None or day.shift_leader is None:
            return None
        return self._people.get(day.shift_leader)

    def in_business_hours(self, when: dt.datetime) -> bool:
        """True inside the configured office hours on a working weekday."""
        hours = self._settings.shift.business_hours
        local = when.astimezone(self._tz)
        return local.weekday() in hours.weekdays and hours.start <= local.time() < hours.end
