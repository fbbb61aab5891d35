"""What the escalation services share: the database, clock, roster, outbox and logbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.db.models import OutboxPriority, UnitRequest
from bot.escalation.addressees import person_label
from bot.i18n import Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Keyboard, Outbox
from bot.shifts import Roster


class Refusal(StrEnum):
    """Why a step was not taken; the handler tells the person in their language."""

    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    STALE_VERSION = "stale_version"
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_PERSON = "unknown_person"
    EMPTY = "empty"
    NEEDS_LATE_REASON = "needs_late_reason"


T = TypeVar("T")


@dataclass(frozen=True)
class Step(Generic[T]):
    """The outcome of a step: what it produced, or why it was refused."""

    value: T | None = None
    refusal: Refusal | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the step was taken."""
        return self.refusal is None


@dataclass
class EscalationContext:
    """Shared wiring; the services take the clock's time once per step."""

    settings: Settings
    engine: Engine
    roster: Roster
    outbox: Outbox
    logbook: Logbook
    translator_for: Callable[[int | None], Translator]
    # Called after a commit that may have added deadlines, so the alarm re-arms.
    on_change: Callable[[], None] | None = None

    def committed(self) -> None:
        """Wake the sender and the alarm after a transaction that queued work."""
        self.outbox.notify()
        if self.on_change is not None:
            self.on_change()

    @property
    def group_id(self) -> int | None:
        """The duty group."""
        return self.settings.telegram.duty_group_id

    def desk_tr(self) -> Translator:
        """The language of the group and of the units."""
        return translator(self.settings.locale, self.settings.tz)

    def unit_names(self) -> dict[str, str]:
        """Unit names by key."""
        return {unit.key: unit.name for unit in self.settings.units}

    def people_names(self) -> dict[int, str]:
        """People's names (with title) by Telegram id."""
        return {person.id: person_label(person) for person in self.settings.people}

    def addressee_name(self, request: UnitRequest) -> str:
        """The unit, or the named person, a request went to."""
        if request.person_id is not None:
            person = self.settings.person(request.person_id)
            return person_label(person) if person else str(request.person_id)
        unit = self.settings.unit(request.unit_key)
        return unit.name if unit else request.unit_key

    def addressee_tr(self, request: UnitRequest) -> Translator:
        """The language a request's receiver reads: a named person's own, else the desk's."""
        if request.person_id is not None:
            return self.translator_for(request.person_id)
        return self.desk_tr()

    def to_group(
        self,
        session: Session,
        text: str,
        *,
        buttons: Keyboard | None = None,
        approvals: bool = False,
    ) -> int | None:
        """Post in the duty group (the approvals topic for cards and reminders).

        Everything escalation posts goes first: the rules put a clock on each of them.
        """
        if self.group_id is None:
            return None
        topics = self.settings.telegram.topics
        return self.outbox.send(
            self.group_id,
            text,
            buttons=buttons,
            session=session,
            thread_id=topics.approvals if approvals else None,
            priority=OutboxPriority.URGENT,
        )

    def tell_leader(
        self,
        session: Session,
        now: dt.datetime,
        render: Callable[[Translator], str],
        *,
        always_private: bool = False,
    ) -> None:
        """Reach the current shift leader: in the group in office hours, privately after.

        `always_private` is for news the group is told separately (a missed deadline).
        """
        leader = self.roster.shift_leader(self.roster.shift_date_at(now))
        in_hours = self.roster.in_business_hours(now)
        if leader is not None and (always_private or not in_hours):
            self.outbox.send(
                leader.id,
                render(self.translator_for(leader.id)),
                session=session,
                priority=OutboxPriority.URGENT,
            )
        if leader is None or (in_hours and not always_private):
            tr = self.desk_tr()
            prefix = (
                f'<a href="tg://user?id={leader.id}">{escape(leader.name)}</a>: '
                if leader
                else "⚠️ " + escape(tr("No shift leader is rostered now.")) + " "
            )
            self.to_group(session, prefix + render(tr), approvals=True)


def system_author() -> Author:
    """The desk itself, as the author of the entries it writes."""
    return Author(None, "duty-desk")
