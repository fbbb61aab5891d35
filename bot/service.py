"""What every service of a desk is built with, and the small helpers they all use.

One `ServiceContext` per desk: its settings, the database, the clock, the roster, the outbox, the
logbook and people's languages. A service takes it as its first argument (plus what is its own,
e.g. the EPZ's working-day calendar), so wiring a new service, or a second desk, is one value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.config import Settings
from bot.customs.addressees import person_label
from bot.db.models import LogColumn, OutboxPriority, UnitRequest
from bot.i18n import PeopleLanguages, Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Keyboard, Outbox
from bot.shifts import Roster


def system_author() -> Author:
    """The desk itself, as the author of the entries it writes."""
    return Author(None, "duty-desk")


@dataclass
class ServiceContext:
    """A desk's shared wiring; services take the clock's time once per step."""

    settings: Settings
    engine: Engine
    clock: Clock
    roster: Roster
    outbox: Outbox
    logbook: Logbook
    # A person's language (their Telegram app's setting, when known, is the second guess).
    translator_for: PeopleLanguages
    # Called after a commit that may have added deadlines, so the alarm re-arms.
    on_change: Callable[[], None] | None = None

    def committed(self) -> None:
        """Wake the sender and the alarm after a transaction that queued work."""
        self.outbox.notify()
        if self.on_change is not None:
            self.on_change()

    @property
    def group_id(self) -> int | None:
        """The duty group, as configured."""
        return self.settings.telegram.duty_group_id

    def desk_tr(self) -> Translator:
        """The desk's language: the group's, the units' and the logbook's."""
        return translator(self.settings.locale, self.settings.tz)

    def local(self, day: dt.date, at: dt.time) -> dt.datetime:
        """A local date and time of day as an aware UTC moment."""
        return dt.datetime.combine(day, at, tzinfo=self.settings.tz).astimezone(dt.UTC)

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
        html: str,
        *,
        buttons: Keyboard | None = None,
        thread_id: int | None = None,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> int | None:
        """Post in the duty group, in the caller's transaction; the outbox row's id."""
        if self.group_id is None:
            return None
        return self.outbox.send(
            self.group_id,
            html,
            buttons=buttons,
            thread_id=thread_id,
            session=session,
            priority=priority,
        )

    def urgent_to_group(
        self,
        session: Session,
        html: str,
        *,
        buttons: Keyboard | None = None,
        approvals: bool = False,
    ) -> int | None:
        """Post in the duty group ahead of everything else (the approvals topic if asked).

        Everything escalation posts goes first: the rules put a clock on each of them.
        """
        topics = self.settings.telegram.topics
        return self.to_group(
            session,
            html,
            buttons=buttons,
            thread_id=topics.approvals if approvals else None,
            priority=OutboxPriority.URGENT,
        )

    def announce(
        self,
        session: Session,
        now: dt.datetime,
        icon: str,
        column: LogColumn,
        text: str,
        source_key: str,
        priority: OutboxPriority = OutboxPriority.NORMAL,
    ) -> None:
        """Something the desk itself noticed: into the logbook, and told to the duty group."""
        self.logbook.append(session, system_author(), now, {column: text}, source_key=source_key)
        self.to_group(session, f"{icon} " + escape(text), priority=priority)

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
            self.urgent_to_group(session, prefix + render(tr), approvals=True)


class DeskService:
    """A service that posts and logs for its desk: the context's parts at hand."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._settings = ctx.settings
        self._engine = ctx.engine
        self._clock = ctx.clock
        self._roster = ctx.roster
        self._outbox = ctx.outbox
        self._logbook = ctx.logbook
        self._translator_for = ctx.translator_for
        self._local = ctx.local
        self._to_group = ctx.to_group
        self._announce = ctx.announce

    @property
    def _tr(self) -> Translator:
        """The desk's language, for the group and the logbook."""
        return self._ctx.desk_tr()
