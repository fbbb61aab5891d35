"""The monthly rotation (247 II.1a): every EPZ enterprise checked on camera at a set time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from sqlmodel import Session, col, select

from bot import deadlines
from bot.config import Enterprise, RotationSettings
from bot.db.models import CheckOutcome, LogColumn, RotationCheck
from bot.epz.buttons import CheckAction, check_button
from bot.epz.deadline_kinds import RotationDeadline, check_subject, rotation_subject
from bot.epz.service import EpzService
from bot.epz.workdays import WorkCalendar
from bot.i18n import N_, Translator
from bot.logbook.service import Author
from bot.outbox import Button, keyboard
from bot.paging import paged
from bot.shifts import Right
from bot.steps import Refusal, Step

OUTCOME_LABELS = {
    CheckOutcome.PLANNED: N_("planned"),
    CheckOutcome.DONE: N_("done"),
    CheckOutcome.NOT_DONE: N_("not done"),
    CheckOutcome.FINDINGS: N_("findings"),
}
OUTCOME_ICONS = {
    CheckOutcome.PLANNED: "⏳",
    CheckOutcome.DONE: "✅",
    CheckOutcome.NOT_DONE: "⚠️",
    CheckOutcome.FINDINGS: "🔎",
}


@dataclass(frozen=True)
class Slot:
    """Where the plan puts one enterprise's check."""

    enterprise: str
    day: dt.date
    officer: int | None
    order: int


def first_of_month(day: dt.date) -> dt.date:
    """The first day of a date's month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the following month."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def working_days(calendar: WorkCalendar, month: dt.date) -> list[dt.date]:
    """The working days of a month, in order."""
    days, day = [], month
    while day.month == month.month:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def spread(
    enterprises: Sequence[Enterprise],
    days: Sequence[dt.date],
    pool: Sequence[int],
    taken: Counter[tuple[dt.date, int | None]],
    load: Counter[int | None],
) -> list[Slot]:
    """Spread checks evenly over the days; officers: the assigned one, else the least loaded.

    `taken` counts checks already on a day per officer (they are spaced after each other);
    `load` counts each officer's checks this month, and both are updated.
    """
    slots = []
    for index, enterprise in enumerate(enterprises):
        # i·d/n puts n checks on n different days when n <= d, evenly from the first.
        day = days[index * len(days) // len(enterprises)]
        officer: int | None = enterprise.officer
        if officer is None and pool:
            officer = min(pool, key=lambda person: (load[person], pool.index(person)))
        slots.append(Slot(enterprise.key, day, officer, taken[(day, officer)]))
        taken[(day, officer)] += 1
        load[officer] += 1
    return slots


class Rotation(EpzService):
    """Plans each month's checks, reminds the officers, records what they found."""

    @property
    def _config(self) -> RotationSettings:
        return self._settings.epz.rotation

    def month_of(self, when: dt.datetime) -> dt.date:
        """The month (its first day) a moment falls in, in the desk's time zone."""
        return first_of_month(when.astimezone(self._settings.tz).date())

    def planning_moment(self, month: dt.date) -> dt.datetime:
        """When a month's plan is due: its n-th working day (or its last one) at plan_at."""
        days = working_days(self.calendar, month) or [month]
        day = days[min(self._config.plan_on_working_day, len(days)) - 1]
        return self._local(day, self._config.plan_at)

    # --- planning ---------------------------------------------------------------------------

    def start(self, now: dt.datetime) -> list[RotationCheck]:
        """At start-up: plan this month if its moment has passed, and keep the next one armed."""
        if not self._config.enabled or not self._settings.enterprises:
            return []
        month = self.month_of(now)
        with Session(self._engine, expire_on_commit=False) as session:
            added: list[RotationCheck] = []
            if now >= self.planning_moment(month):
                added = self._plan(session, month, now)
            else:
                self._arm(session, month)
            self._arm(session, next_month(month))
            session.commit()
        self._outbox.notify()
        return added

    def plan(self, month: dt.date, now: dt.datetime) -> list[RotationCheck]:
        """Plan a month's checks for the enterprises that have none yet; returns the new ones."""
        with Session(self._engine, expire_on_commit=False) as session:
            added = self._plan(session, month, now)
            session.commit()
        self._outbox.notify()
        return added

    def _arm(self, session: Session, month: dt.date) -> None:
        deadlines.schedule_once(
            session,
            RotationDeadline.EPZ_ROTATION_PLAN,
            rotation_subject(month),
            self.planning_moment(month),
        )

    def _plan(self, session: Session, month: dt.date, now: dt.datetime) -> list[RotationCheck]:
        existing = list(
            session.exec(select(RotationCheck).where(RotationCheck.month == month)).all()
        )
        planned = {check.enterprise for check in existing}
        missing = [e for e in self._settings.enterprises if e.key not in planned]
        # Only days whose check time is still ahead: a plan made mid-month starts from today.
        days = [
            day
            for day in working_days(self.calendar, month)
            if self._local(day, self._config.check_at) > now
        ]
        if not missing or not days:
            return []
        taken: Counter[tuple[dt.date, int | None]] = Counter()
        load: Counter[int | None] = Counter()
        for check in existing:
            local_day = check.due_at.astimezone(self._settings.tz).date()
            taken[(local_day, check.officer_id)] += 1
            load[check.officer_id] += 1
        spacing = dt.timedelta(minutes=self._config.check_spacing_minutes)
        remind = dt.timedelta(minutes=self._config.remind_before_minutes)
        added = []
        for slot in spread(missing, days, self._config.officers, taken, load):
            check = RotationCheck(
                month=month,
                enterprise=slot.enterprise,
                officer_id=slot.officer,
                due_at=self._local(slot.day, self._config.check_at) + spacing * slot.order,
                planned_at=now,
            )
            session.add(check)
            added.append(check)
        session.flush()
        for check in added:
            assert check.id is not None
            deadlines.schedule(
                session,
                RotationDeadline.EPZ_CHECK_DUE,
                check_subject(check.id),
                max(now, check.due_at - remind),
            )
        if not existing:
            self._note_unrecorded(session, month, now)
        everything = sorted([*existing, *added], key=lambda c: (c.due_at, c.enterprise))
        tr = self._tr
        title = tr("Monthly camera rotation for {month} (Decision 247 II.1a)").format(
            month=f"{month.month:02d}/{month.year}"
        )
        rows = [self._plan_line(tr, check) for check in everything]
        self._logbook.append(
            session,
            Author(None, "duty-desk"),
            now,
            {LogColumn.WORK: title + ": " + "; ".join(rows)},
            source_key=f"rotation-plan:{month.isoformat()}:{len(everything)}",
        )
        # A desk with many enterprises gets its plan over several messages.
        for page in paged("🗓", title, ["• " + escape(row) for row in rows]):
            self._to_group(session, page)
        return added

    def _note_unrecorded(self, session: Session, month: dt.date, now: dt.datetime) -> None:
        """With a month's first plan, say which of last month's checks were never recorded.

        They stay as they were (the month is over, see refusal); the logbook and the group are
        told once, so a check forgotten is not mistaken for one done.
        """
        previous = first_of_month(month - dt.timedelta(days=1))
        forgotten = session.exec(
            select(RotationCheck)
            .where(
                RotationCheck.month == previous,
                RotationCheck.outcome == CheckOutcome.PLANNED,
            )
            .order_by(col(RotationCheck.due_at), col(RotationCheck.enterprise))
        ).all()
        if not forgotten:
            return
        tr = self._tr
        text = tr("Rotation checks of {month} never recorded: {checks}.").format(
            month=f"{previous.month:02d}/{previous.year}",
            checks="; ".join(self._plan_line(tr, check) for check in forgotten),
        )
        self._announce(
            session, now, "⚠️", LogColumn.NOTE, text, f"rotation-unrecorded:{previous.isoformat()}"
        )

    def _plan_line(self, tr: Translator, check: RotationCheck) -> str:
        officer = self._settings.person(check.officer_id) if check.officer_id else None
        return tr("{when} — {enterprise} — {officer}").format(
            when=f"{tr.weekday_date(check.due_at.astimezone(self._settings.tz).date())} "
            f"{tr.time(check.due_at)}",
            enterprise=self._name(check.enterprise),
            officer=officer.name if officer else tr("no officer assigned"),
        )

    # --- reading ----------------------------------------------------------------------------

    def checks(self, month: dt.date) -> list[RotationCheck]:
        """A month's checks, in time order."""
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(RotationCheck)
                    .where(RotationCheck.month == month)
                    .order_by(col(RotationCheck.due_at), col(RotationCheck.enterprise))
                ).all()
            )

    def get(self, check_id: int) -> RotationCheck | None:
        """Return a check by id."""
        with Session(self._engine) as session:
            return session.get(RotationCheck, check_id)

    def may_record(
        self, check: RotationCheck | None, user_id: int, now: dt.datetime
    ) -> Step[RotationCheck]:
        """Whether a person may record a check now: its officer (an administrator may stand
        in; a check with no officer, anyone who writes the logbook), once, in its month."""
        if check is None:
            return Step(refusal=Refusal.CHECK_NOT_FOUND)
        rights = self._roster.rights(user_id, now)
        if not (
            check.officer_id == user_id
            or Right.ADMINISTER in rights
            or (check.officer_id is None and Right.WRITE_LOGBOOK in rights)
        ):
            officer = self._settings.person(check.officer_id) if check.officer_id else None
            return Step(check, Refusal.NOT_CHECK_OFFICER, who=officer.name if officer else "")
        if check.outcome != CheckOutcome.PLANNED:
            return Step(
                check,
                Refusal.CHECK_RECORDED,
                who=check.recorded_by,
                terms={"outcome": OUTCOME_LABELS[check.outcome]},
            )
        if check.month < self.month_of(now):
            # A missed check of last month stays "planned" in its record; this month has its own.
            month = f"{check.month.month:02d}/{check.month.year}"
            return Step(check, Refusal.CHECK_PAST_MONTH, facts={"month": month})
        return Step(check)

    # --- recording --------------------------------------------------------------------------

    def record(
        self,
        check_id: int,
        outcome: CheckOutcome,
        author: Author,
        now: dt.datetime,
        finding: str = "",
    ) -> Step[RotationCheck]:
        """Record a check's outcome once, by whom may, with its logbook entry."""
        finding = finding.strip()
        if outcome == CheckOutcome.FINDINGS and not finding:
            return Step(refusal=Refusal.EMPTY_FINDINGS)
        with Session(self._engine, expire_on_commit=False) as session:
            check = session.get(RotationCheck, check_id)
            allowed = self.may_record(check, author.user_id or 0, now)
            if not allowed.ok or check is None:
                return allowed
            check.outcome, check.finding = outcome, finding
            check.recorded_at, check.recorded_by = now, author.name
            session.add(check)
            tr = self._tr
            enterprise = self._settings.enterprise(check.enterprise)
            name = self._name(check.enterprise)
            planned = tr.datetime(check.due_at)
            if outcome == CheckOutcome.DONE:
                column = LogColumn.WORK
                text = tr("Rotation check of {name} on camera (planned {when}): done.")
            elif outcome == CheckOutcome.NOT_DONE:
                column = LogColumn.NOTE
                text = tr("Rotation check of {name} on camera (planned {when}): not done.")
            else:
                column = LogColumn.INCIDENT
                text = tr(
                    "Rotation check of {name} on camera (planned {when}): findings: {finding}"
                )
            text = text.format(name=name, when=planned, finding=finding)
            details: dict[str, object] = {}
            if outcome == CheckOutcome.FINDINGS and enterprise is not None:
                details = {
                    "incident_place": enterprise.address,
                    "incident_refs": f"MST {enterprise.tax_code}",
                    "incident_received_at": now,
                }
            self._logbook.append(
                session,
                author,
                now,
                {column: text},
                details=details,
                source_key=f"check:{check.id}",
            )
            if outcome != CheckOutcome.DONE:
                self._to_group(
                    session, OUTCOME_ICONS[outcome] + " " + escape(f"{text} ({author.name})")
                )
            deadlines.cancel(session, check_subject(check_id), (RotationDeadline.EPZ_CHECK_DUE,))
            session.commit()
        self._outbox.notify()
        return Step(check)

    # --- deadlines --------------------------------------------------------------------------

    def register(self, register: Callable[[RotationDeadline, Callable[..., None]], None]) -> None:
        """Hand the rotation's deadline kinds to the timers."""
        register(RotationDeadline.EPZ_ROTATION_PLAN, self._on_plan_due)
        register(RotationDeadline.EPZ_CHECK_DUE, self._on_check_due)

    def _on_plan_due(self, session: Session, yyyymm: int, _seq: int, now: dt.datetime) -> None:
        if not self._config.enabled:
            return
        month = dt.date(yyyymm // 100, yyyymm % 100, 1)
        self._plan(session, month, now)
        self._arm(session, next_month(month))

    def _on_check_due(self, session: Session, check_id: int, _seq: int, _now: dt.datetime) -> None:
        check = session.get(RotationCheck, check_id)
        if check is None or check.outcome != CheckOutcome.PLANNED:
            return
        chat = check.officer_id or self._settings.telegram.duty_group_id
        if chat is None:
            return
        tr = self._translator_for(check.officer_id) if check.officer_id else self._tr
        self._outbox.send(
            chat,
            "🗓 "
            + escape(
                tr(
                    "Rotation check due at {time}: look at the cameras of {name} and record "
                    "what you found."
                ).format(time=tr.time(check.due_at), name=self._name(check.enterprise))
            ),
            buttons=check_buttons(tr, check_id),
            session=session,
        )


def check_buttons(tr: Translator, check_id: int) -> list[list[dict[str, str]]]:
    """Done / not done / findings under a check reminder."""
    return keyboard(
        [
            [
                Button("✅ " + tr("Done"), check_button(CheckAction.DONE, check_id)),
                Button("⚠️ " + tr("Not done"), check_button(CheckAction.NOT_DONE, check_id)),
            ],
            [Button("🔎 " + tr("Findings"), check_button(CheckAction.FINDINGS, check_id))],
        ]
    )
