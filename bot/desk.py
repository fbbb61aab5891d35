"""The desk: the services one running bot shares, built once from the settings."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.audit import Audit
from bot.camera.alert_reminders import AlertReminders
from bot.camera.runtime import Cameras
from bot.clock import Clock
from bot.config import Settings
from bot.db.desk_scope import DEFAULT_DESK, desk_engine
from bot.deadlines.timers import Timers
from bot.documents.service import Documents
from bot.drafts import Drafts
from bot.epz.enrolment import Enrolment
from bot.epz.interim import InterimMeasures
from bot.epz.outages import Outages
from bot.epz.rotation import Rotation
from bot.epz.workdays import desk_calendar
from bot.escalation.services import Escalation
from bot.handover.cycle import ShiftCycle
from bot.handover.handovers import Handovers
from bot.handover.report import DailyReports
from bot.i18n import PeopleLanguages, Translator, translator
from bot.logbook.service import Logbook
from bot.membership.moves import ChatMoves
from bot.membership.service import Membership
from bot.outbox import Outbox
from bot.preferences import Preferences
from bot.retention import Retention
from bot.service import ServiceContext
from bot.shifts import Roster
from bot.stats.figures import Statistics


def people_languages(settings: Settings, preferences: Preferences) -> PeopleLanguages:
    """A person's language: their choice, else their Telegram app's, else the desk's."""

    def translator_for(user_id: int | None, telegram_language: str | None = None) -> Translator:
        chosen = preferences.locale(user_id) if user_id is not None else None
        if chosen is None and telegram_language:
            chosen = telegram_language.split("-")[0].lower()
        return translator(chosen, settings.tz, default=settings.locale)

    return translator_for


@dataclass
class Desk:
    """Settings, clock and services; handlers reach it through the application's bot_data."""

    key: str
    settings: Settings
    engine: Engine
    clock: Clock
    roster: Roster
    logbook: Logbook
    outbox: Outbox
    preferences: Preferences
    audit: Audit
    context: ServiceContext
    timers: Timers
    escalation: Escalation
    drafts: Drafts
    cameras: Cameras
    enrolment: Enrolment
    outages: Outages
    rotation: Rotation
    interim: InterimMeasures
    handovers: Handovers
    reports: DailyReports
    cycle: ShiftCycle
    stats: Statistics
    documents: Documents
    membership: Membership
    retention: Retention

    @classmethod
    def build(
        cls,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        key: str = DEFAULT_DESK,
        wakeup: asyncio.Event | None = None,
    ) -> Desk:
        """Wire one desk's services together, each seeing only the desk's rows."""
        engine = desk_engine(engine, key)
        roster = Roster(settings)
        logbook = Logbook(engine, roster, clock)
        moves = ChatMoves(engine)
        outbox = Outbox(
            engine,
            clock,
            moves.resolve,
            reaction_fresh=dt.timedelta(minutes=settings.telegram.reaction_fresh_minutes),
            wakeup=wakeup,
        )
        preferences = Preferences(engine, clock)

        context = ServiceContext(
            settings,
            engine,
            clock,
            roster,
            outbox,
            logbook,
            people_languages(settings, preferences),
        )
        timers = Timers(engine, outbox.notify)
        escalation = Escalation.build(context, timers)
        calendar = desk_calendar(settings)
        outages = Outages(context, calendar)
        outages.register(timers.register)
        rotation = Rotation(context, calendar)
        rotation.register(timers.register)
        handovers = Handovers(context)
        reports = DailyReports(context)
        cycle = ShiftCycle(context, handovers, reports)
        cycle.register(timers.register)
        stats = Statistics(settings, engine, roster, calendar)
        retention = Retention(context)
        retention.register(timers.register)
        AlertReminders(context).register(timers.register)
        return cls(
            key=key,
            settings=settings,
            engine=engine,
            clock=clock,
            roster=roster,
            logbook=logbook,
            outbox=outbox,
            preferences=preferences,
            audit=Audit(engine, clock),
            context=context,
            timers=timers,
            escalation=escalation,
            drafts=Drafts(engine, clock),
            cameras=Cameras(context, outages.down_by_notice),
            enrolment=Enrolment(settings, engine),
            outages=outages,
            rotation=rotation,
            interim=InterimMeasures(context, escalation.approvals),
            handovers=handovers,
            reports=reports,
            cycle=cycle,
            stats=stats,
            documents=Documents(settings, engine, roster, stats),
            membership=Membership(context, moves),
            retention=retention,
        )

    @property
    def group_id(self) -> int | None:
        """The duty group's chat id: its supergroup's, once Telegram upgraded it."""
        configured = self.settings.telegram.duty_group_id
        return None if configured is None else self.membership.resolve(configured)

    def translator_for(
        self, user_id: int | None, telegram_language: str | None = None
    ) -> Translator:
        """Return a person's language: their choice, else Telegram's setting, else the desk's."""
        return self.context.translator_for(user_id, telegram_language)

    def desk_translator(self) -> Translator:
        """Return the translator for messages addressed to the whole group."""
        return self.context.desk_tr()

    def desk_chats(self) -> frozenset[int]:
        """The group chats the bot serves: the duty group and the units' chats.

        Both ids of an upgraded group count: the old one still brings the upgrade's notice.
        """
        configured = {unit.chat_id for unit in self.settings.units if unit.chat_id is not None}
        if self.settings.telegram.duty_group_id is not None:
            configured.add(self.settings.telegram.duty_group_id)
        return frozenset(configured | {self.membership.resolve(c) for c in configured})

    def is_known(self, user_id: int) -> bool:
        """True if the person is configured, or an enrolled EPZ contact."""
        return (
            self.roster.person(user_id) is not None
            or self.enrolment.enterprise_of(user_id) is not None
        )
