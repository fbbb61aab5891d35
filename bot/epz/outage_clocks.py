"""An EPZ outage's clocks: the repair deadline's reminder and overdue notice, the new date
given in an explanation, the start of planned work and the officer's daily follow-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from sqlmodel import Session, select

from bot import deadlines
from bot.db.models import EnterpriseContact, EpzOutage, LogColumn, OutageStatus, OutboxPriority
from bot.epz.buttons import OutageAction, outage_button, propose_measure_button
from bot.epz.deadline_kinds import OutageDeadline, outage_subject
from bot.epz.outage_rules import (
    FOLLOW_UP_AT,
    KIND_LABELS,
    REMIND_AT,
    REPAIR_WORKING_DAYS,
    registry_cameras,
)
from bot.epz.outage_texts import marked_text
from bot.epz.service import EpzService
from bot.outbox import Button, keyboard


class OutageClocks(EpzService):
    """Starts, moves and stops an outage's deadlines, and acts when each one falls due."""

    def start(self, session: Session, outage: EpzOutage, now: dt.datetime) -> None:
        """Arm a new notice's clocks: the repair deadline's, planned work's start, follow-up."""
        assert outage.id is not None
        subject = outage_subject(outage.id)
        days = REPAIR_WORKING_DAYS.get(outage.kind)
        if outage.deadline is not None and days:
            before = self._previous_working_day(outage.deadline)
            if self._local(before, REMIND_AT) > now:
                deadlines.schedule(
                    session, OutageDeadline.EPZ_REMINDER, subject, self._local(before, REMIND_AT)
                )
            deadlines.schedule(
                session,
                OutageDeadline.EPZ_OVERDUE,
                subject,
                self._local(outage.deadline + dt.timedelta(days=1), dt.time(0, 0)),
            )
        starts = max(now, outage.starts_at or now)
        if starts > now:
            deadlines.schedule(session, OutageDeadline.EPZ_PLANNED_START, subject, starts)
        # The officer follows the work from the day it starts, not from the notice.
        deadlines.schedule(
            session, OutageDeadline.EPZ_FOLLOW_UP, subject, self._next_follow_up(starts), seq=1
        )

    def new_date(self, session: Session, outage_id: int, day: dt.date) -> None:
        """Remind the officer on the morning of the new date an explanation gave."""
        deadlines.schedule(
            session,
            OutageDeadline.EPZ_NEW_DATE,
            outage_subject(outage_id),
            self._local(day, REMIND_AT),
        )

    def stop(self, session: Session, outage_id: int) -> None:
        """Stop every clock of a closed outage."""
        deadlines.cancel(session, outage_subject(outage_id), tuple(OutageDeadline))

    def register(self, register: Callable[[OutageDeadline, Callable[..., None]], None]) -> None:
        """Hand the EPZ deadline kinds to the timers."""
        register(OutageDeadline.EPZ_REMINDER, self._on_reminder)
        register(OutageDeadline.EPZ_OVERDUE, self._on_overdue)
        register(OutageDeadline.EPZ_NEW_DATE, self._on_new_date)
        register(OutageDeadline.EPZ_FOLLOW_UP, self._on_follow_up)
        register(OutageDeadline.EPZ_PLANNED_START, self._on_planned_start)

    def _on_planned_start(
        self, session: Session, outage_id: int, _seq: int, now: dt.datetime
    ) -> None:
        outage = session.get(EpzOutage, outage_id)
        if outage is None or outage.status != OutageStatus.OPEN:
            return
        tr = self._tr
        text = tr(
            "{name}: {kind} under notice no. {number} begins now (cameras {cameras})."
        ).format(
            name=self._name(outage.enterprise),
            kind=tr(KIND_LABELS[outage.kind]),
            number=outage.id,
            cameras=", ".join(outage.camera_numbers()) or "—",
        )
        held = registry_cameras(self._settings, outage)
        if held:
            text += " " + marked_text(tr, held, outage_id)
        self._announce(session, now, "🔧", LogColumn.WORK, text, f"planned-start:{outage.id}")

    def _on_reminder(self, session: Session, outage_id: int, _seq: int, _now: dt.datetime) -> None:
        outage = session.get(EpzOutage, outage_id)
        if outage is None or outage.status != OutageStatus.OPEN or outage.deadline is None:
            return
        for contact in self.contacts(session, outage.enterprise):
            tr = self._translator_for(contact)
            self._outbox.send(
                contact,
                "⏳ "
                + escape(
                    tr(
                        "Reminder: outage no. {number} ({kind}) must be repaired by the end of "
                        "{date}. When it works again, send /restored."
                    ).format(
                        number=outage.id,
                        kind=tr(KIND_LABELS[outage.kind]),
                        date=tr.date(outage.deadline),
                    )
                ),
                session=session,
            )

    def _on_overdue(self, session: Session, outage_id: int, _seq: int, now: dt.datetime) -> None:
        outage = session.get(EpzOutage, outage_id)
        if outage is None or outage.status != OutageStatus.OPEN or outage.deadline is None:
            return
        tr = self._tr
        enterprise = self._settings.enterprise(outage.enterprise)
        name = enterprise.name if enterprise else outage.enterprise
        text = tr(
            "{name}: outage no. {number} ({kind}) is past its repair deadline of {date}; "
            "a written explanation has been requested."
        ).format(
            name=name,
            number=outage.id,
            kind=tr(KIND_LABELS[outage.kind]),
            date=tr.date(outage.deadline),
        )
        self._announce(
            session,
            now,
            "🔴",
            LogColumn.NOTE,
            text,
            f"overdue:{outage.id}",
            priority=OutboxPriority.URGENT,
        )
        for contact in self.contacts(session, outage.enterprise):
            tr = self._translator_for(contact)
            self._outbox.send(
                contact,
                "🔴 "
                + escape(
                    tr(
                        "Outage no. {number} was not repaired by {date}. Decision 247 asks for a "
                        "written explanation: the reason and the new expected date."
                    ).format(number=outage.id, date=tr.date(outage.deadline))
                ),
                buttons=keyboard(
                    [
                        [
                            Button(
                                tr("Send the explanation"),
                                outage_button(OutageAction.EXPLAIN, outage_id),
                            )
                        ]
                    ]
                ),
                session=session,
            )

    def _on_new_date(self, session: Session, outage_id: int, _seq: int, _now: dt.datetime) -> None:
        outage = session.get(EpzOutage, outage_id)
        enterprise = self._settings.enterprise(outage.enterprise) if outage else None
        if outage is None or outage.status == OutageStatus.CLOSED or enterprise is None:
            return
        if enterprise.officer is not None and outage.new_date is not None:
            tr = self._translator_for(enterprise.officer)
            self._outbox.send(
                enterprise.officer,
                "📅 "
                + escape(
                    tr(
                        "Today is the date {name} gave for repairing outage no. {number}. Check "
                        "whether it works again."
                    ).format(name=enterprise.name, number=outage.id)
                ),
                session=session,
            )

    def _on_follow_up(self, session: Session, outage_id: int, seq: int, now: dt.datetime) -> None:
        outage = session.get(EpzOutage, outage_id)
        enterprise = self._settings.enterprise(outage.enterprise) if outage else None
        if outage is None or outage.status == OutageStatus.CLOSED or enterprise is None:
            return
        if enterprise.officer is not None:
            tr = self._translator_for(enterprise.officer)
            self._outbox.send(
                enterprise.officer,
                "📋 "
                + escape(
                    tr(
                        "Daily follow-up of {name}, outage no. {number} ({kind}): any progress?"
                    ).format(
                        name=enterprise.name, number=outage.id, kind=tr(KIND_LABELS[outage.kind])
                    )
                ),
                buttons=keyboard(
                    [
                        [
                            Button(
                                tr("No change"), outage_button(OutageAction.NO_CHANGE, outage_id)
                            ),
                            Button(
                                tr("Write progress"),
                                outage_button(OutageAction.WRITE_PROGRESS, outage_id),
                            ),
                        ],
                        [
                            Button(
                                tr("Propose the interim measure"),
                                propose_measure_button(outage_id),
                            )
                        ],
                    ]
                ),
                session=session,
            )
        deadlines.schedule(
            session,
            OutageDeadline.EPZ_FOLLOW_UP,
            outage_subject(outage_id),
            self._next_follow_up(now),
            seq=seq + 1,
        )

    # --- helpers --------------------------------------------------------------------------------

    def contacts(self, session: Session, enterprise: str) -> list[int]:
        """The enrolled contacts of an enterprise."""
        return list(
            session.exec(
                select(EnterpriseContact.user_id).where(EnterpriseContact.enterprise == enterprise)
            ).all()
        )

    def _previous_working_day(self, day: dt.date) -> dt.date:
        day -= dt.timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def _next_follow_up(self, now: dt.datetime) -> dt.datetime:
        """16:00 on the next working day (today, if it is one and 16:00 is still ahead)."""
        day = now.astimezone(self._settings.tz).date()
        while not (self.calendar.is_working_day(day) and self._local(day, FOLLOW_UP_AT) > now):
            day += dt.timedelta(days=1)
        return self._local(day, FOLLOW_UP_AT)
