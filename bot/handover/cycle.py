"""The shift's recurring moments, kept as deadlines in the database: opening, roster check,
handover, daily report. Each fired moment arms the next one after now, so a restart or a
clock moved on resumes without replaying the days in between."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from html import escape

from sqlmodel import Session

from bot import deadlines
from bot.config import ShiftCycleSettings
from bot.db.models import HandoverStatus, LogColumn
from bot.handover.buttons import OPENING_PAGES
from bot.handover.deadline_kinds import ShiftDeadline, shift_of, shift_subject
from bot.handover.handovers import Handovers, accepted_lines, plain
from bot.handover.open_items import collect
from bot.handover.report import DailyReports
from bot.i18n import Translator
from bot.logbook.service import Author
from bot.outbox.screens import Screen, paged_screen
from bot.roles import role_label
from bot.service import DeskService, ServiceContext
from bot.shifts import Member, Role

log = logging.getLogger(__name__)

# The roles a shift must have (888 Art. 5.3); officers are counted as a group.
REQUIRED_ROLES = (Role.SHIFT_LEADER, Role.SECTION_LEADER, Role.CLERK, Role.OFFICER)


class ShiftCycle(DeskService):
    """Posts the opening of each shift, checks tomorrow's roster, triggers handover and report."""

    def __init__(
        self,
        ctx: ServiceContext,
        handovers: Handovers,
        reports: DailyReports,
    ) -> None:
        super().__init__(ctx)
        self._handovers = handovers
        self._reports = reports

    @property
    def _config(self) -> ShiftCycleSettings:
        return self._settings.shift.cycle

    # --- the moments ------------------------------------------------------------------------

    def _after_start(self, shift_date: dt.date, at: dt.time) -> dt.datetime:
        """The first moment at a time of day after a shift starts (07:30 is its last morning)."""
        moment = self._local(shift_date, at)
        if moment <= self._roster.window(shift_date).starts_at:
            moment = self._local(shift_date + dt.timedelta(days=1), at)
        return moment

    def moment(self, kind: ShiftDeadline, shift_date: dt.date) -> dt.datetime:
        """When a kind of moment falls for a shift (the roster check: the day before it)."""
        if kind is ShiftDeadline.SHIFT_OPENING:
            return self._roster.window(shift_date).starts_at
        if kind is ShiftDeadline.ROSTER_CHECK:
            return self._after_start(
                shift_date - dt.timedelta(days=1), self._config.roster_warning_at
            )
        if kind is ShiftDeadline.HANDOVER_DUE:
            return self._after_start(shift_date, self._config.handover_at)
        return self._after_start(shift_date, self._config.report_at)

    def _arm(self, session: Session, now: dt.datetime) -> None:
        """Arm the next moment of each kind that is still ahead (never one that has passed)."""
        current = self._roster.shift_date_at(now)
        for kind in KINDS:
            for offset in (0, 1, 2):
                shift_date = current + dt.timedelta(days=offset)
                due = self.moment(kind, shift_date)
                if due > now:
                    deadlines.schedule_once(session, kind, shift_subject(shift_date), due)
                    break

    def start(self, now: dt.datetime) -> None:
        """At start-up: keep the coming moments armed."""
        if not self._config.enabled:
            return
        with Session(self._engine) as session:
            self._arm(session, now)
            session.commit()

    def register(self, register: Callable[[ShiftDeadline, Callable[..., None]], None]) -> None:
        """Hand the cycle's deadline kinds to the timers."""
        register(ShiftDeadline.SHIFT_OPENING, self._fired(self._open))
        register(ShiftDeadline.ROSTER_CHECK, self._fired(self._check_roster))
        register(ShiftDeadline.HANDOVER_DUE, self._fired(self._prepare))
        register(ShiftDeadline.DAILY_REPORT, self._fired(self._report))
        register(ShiftDeadline.HANDOVER_REMINDER, self._handovers.remind)

    def _fired(
        self, act: Callable[[Session, dt.date, dt.datetime], None]
    ) -> Callable[[Session, int, int, dt.datetime], None]:
        def on_due(session: Session, number: int, _seq: int, now: dt.datetime) -> None:
            if not self._config.enabled:
                return
            act(session, shift_of(number), now)
            self._arm(session, now)

        return on_due

    def _prepare(self, session: Session, shift_date: dt.date, now: dt.datetime) -> None:
        # A handover due while the bot was down is still made while its next shift runs.
        if now < self._roster.window(shift_date + dt.timedelta(days=1)).ends_at:
            self._handovers.prepare(session, shift_date, now)

    def _report(self, session: Session, shift_date: dt.date, now: dt.datetime) -> None:
        self._reports.make(session, shift_date, now)

    # --- the opening ------------------------------------------------------------------------

    def _open(self, session: Session, shift_date: dt.date, now: dt.datetime) -> None:
        if now >= self._roster.window(shift_date).ends_at:
            log.info("Shift %s is over; its opening is not posted late", shift_date)
            return
        lines = self.opening_text(session, self._tr, shift_date, now)
        self._logbook.append(
            session,
            Author(None, "duty-desk"),
            now,
            {LogColumn.WORK: plain(lines)},
            source_key=f"opening:{shift_date.isoformat()}",
        )
        screen = opening_screen(self._tr, lines, shift_date, 0)
        self._to_group(session, screen.text, buttons=screen.buttons)

    def opening_page(self, tr: Translator, shift_date: dt.date, page: int) -> Screen:
        """A page of a shift's opening as of now (the items still open), for its turn buttons."""
        with Session(self._engine) as session:
            lines = self.opening_text(session, tr, shift_date, self._clock.now())
        return opening_screen(tr, lines, shift_date, page)

    def opening_text(
        self, session: Session, tr: Translator, shift_date: dt.date, now: dt.datetime
    ) -> list[str]:
        """Who is on duty, then what the previous shift handed over and what is still open."""
        window = self._roster.window(shift_date)
        lines = [
            "🛡 <b>"
            + escape(tr("The duty shift of {date} begins").format(date=tr.date(shift_date)))
            + "</b>",
            f"{tr.datetime(window.starts_at)} → {tr.datetime(window.ends_at)}",
            "",
        ]
        lines += composition_lines(tr, self._roster.members(shift_date))
        previous = shift_date - dt.timedelta(days=1)
        handover = self._handovers.of_shift_in(session, previous)
        lines += [
            "",
            "<b>"
            + escape(tr("Carried over from the shift of {date}").format(date=tr.date(previous)))
            + "</b>",
        ]
        if handover is None:
            lines.append(escape(tr("No handover was prepared for that shift.")))
        elif handover.status == HandoverStatus.ACCEPTED:
            lines += accepted_lines(tr, handover)
        else:
            lines.append("⚠️ " + escape(tr("The handover is not accepted yet; see /handover.")))
        lines += self._handovers.renderer(tr, now).lines(
            collect(session, previous, self._settings, now)
        )
        return lines

    # --- the roster a day ahead -------------------------------------------------------------

    def _check_roster(self, session: Session, shift_date: dt.date, now: dt.datetime) -> None:
        if now >= self._roster.window(shift_date).starts_at:
            return
        missing = self.missing_roles(shift_date)
        if not missing:
            return
        admins = [person for person in self._settings.people if person.admin]
        if not admins:
            log.warning(
                "The roster of %s lacks %s and no administrator is configured", shift_date, missing
            )
        for admin in admins:
            tr = self._translator_for(admin.id)
            text = tr(
                "The roster of the duty shift of {date} is incomplete: no {roles}. "
                "Please complete it before the shift starts at {time}."
            ).format(
                date=tr.date(shift_date),
                roles=", ".join(role_label(tr, role) for role in missing),
                time=tr.time(self._roster.window(shift_date).starts_at),
            )
            self._outbox.send(admin.id, "⚠️ " + escape(text), session=session)

    def missing_roles(self, shift_date: dt.date) -> list[Role]:
        """The roles a shift's roster leaves empty (all of them when the day is missing)."""
        present = {member.role for member in self._roster.members(shift_date)}
        return [role for role in REQUIRED_ROLES if role not in present]


KINDS = (
    ShiftDeadline.SHIFT_OPENING,
    ShiftDeadline.ROSTER_CHECK,
    ShiftDeadline.HANDOVER_DUE,
    ShiftDeadline.DAILY_REPORT,
)


def opening_screen(tr: Translator, lines: list[str], shift_date: dt.date, page: int) -> Screen:
    """One screen of a shift's opening, with the buttons to its other pages."""
    return paged_screen(tr, lines, page, lambda n: OPENING_PAGES.data(shift_date, n))


def composition_lines(tr: Translator, members: list[Member]) -> list[str]:
    """A shift's people by role, leader first (HTML); a warning for each role left empty."""
    lines = []
    for role in REQUIRED_ROLES:
        people = [m.person for m in members if m.role is role]
        label = escape(role_label(tr, role))
        if not people:
            lines.append(f"⚠️ <b>{label}:</b> " + escape(tr("not rostered")))
            continue
        names = ", ".join(
            escape(p.name) + (f" — {escape(p.title)}" if p.title else "") for p in people
        )
        lines.append(f"<b>{label}:</b> {names}")
    return lines
