"""EPZ camera outages (247 I.2.3, Annex II): notices, working-day deadlines, follow-up, closure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from sqlmodel import Session, col, select

from bot.camera.status import hand_back
from bot.config import Enterprise
from bot.db.models import (
    EpzOutage,
    LogColumn,
    OutageKind,
    OutageStatus,
    OutboxPriority,
)
from bot.epz.buttons import OutageAction, outage_button
from bot.epz.camera_states import CameraReading, camera_readings, held_by_notice
from bot.epz.deadline_kinds import OutageDeadline
from bot.epz.gate_records import GateRecords
from bot.epz.outage_clocks import OutageClocks
from bot.epz.outage_rules import ACTIVE, registry_cameras

# Kept importable from here for the documents and the benchmarks, which read them with notices.
from bot.epz.outage_rules import KIND_LABELS as KIND_LABELS
from bot.epz.outage_rules import REPAIR_WORKING_DAYS as REPAIR_WORKING_DAYS
from bot.epz.outage_rules import is_planned as is_planned
from bot.epz.outage_texts import marked_text, notice_card, officer_notice
from bot.epz.service import EpzService
from bot.epz.workdays import WorkCalendar
from bot.logbook.service import Author
from bot.outbox import Button, keyboard
from bot.service import ServiceContext
from bot.shifts import Right
from bot.steps import Refusal, Step

# The steps the enterprise's contacts take; the others are the assigned officer's.
CONTACT_ACTIONS = frozenset(
    {OutageAction.REPORT_RESTORED, OutageAction.EXPLAIN, OutageAction.DOCX, OutageAction.PDF}
)


@dataclass
class NoticeInput:
    """An Annex II notice as the contact gave it."""

    enterprise: str
    kind: OutageKind
    description: str
    cameras: list[str] = field(default_factory=list)
    effect: str = ""
    expected_fix: dt.date | None = None
    tech_contact: str = ""
    # A fault: since when it has lasted (at the latest now). Planned maintenance and power
    # cuts are notified ahead of their start (247 I.2.3). None: from the notice.
    starts_at: dt.datetime | None = None


class Outages(GateRecords, EpzService):
    """Records outages and their follow-up; each step only by whom it is for.

    The enterprise's contacts report a restoration and explain a missed deadline; the officer
    assigned to the enterprise (or an administrator) follows the repair and confirms it.
    """

    def __init__(self, ctx: ServiceContext, calendar: WorkCalendar) -> None:
        super().__init__(ctx, calendar)
        self.clocks = OutageClocks(ctx, calendar)

    def register(self, register: Callable[[OutageDeadline, Callable[..., None]], None]) -> None:
        """Hand the EPZ deadline kinds to the timers."""
        self.clocks.register(register)

    # --- who may ------------------------------------------------------------------------------

    def may(
        self, outage_id: int, user_id: int, action: OutageAction, now: dt.datetime
    ) -> Step[EpzOutage]:
        """Whether a person may take a step on an outage (not yet whether it is still due)."""
        with Session(self._engine) as session:
            return self._may(session, session.get(EpzOutage, outage_id), user_id, action, now)

    def _may(
        self,
        session: Session,
        outage: EpzOutage | None,
        user_id: int,
        action: OutageAction,
        now: dt.datetime,
    ) -> Step[EpzOutage]:
        enterprise = self._settings.enterprise(outage.enterprise) if outage else None
        if outage is None or enterprise is None:
            return Step(refusal=Refusal.NOT_FOUND)
        if action in CONTACT_ACTIONS:
            allowed = user_id in self.clocks.contacts(session, enterprise.key)
        else:
            allowed = enterprise.officer == user_id or Right.ADMINISTER in self._roster.rights(
                user_id, now
            )
        return Step(outage) if allowed else Step(outage, Refusal.SOMEONE_ELSES)

    def _log_result(
        self,
        session: Session,
        author: Author,
        now: dt.datetime,
        text: str,
        enterprise_name: str,
        source_key: str,
    ) -> None:
        """What the enterprise reports of its repair, in the logbook's result column."""
        self._logbook.append(
            session,
            author,
            now,
            {LogColumn.RESULT: text},
            details={"result_reported_at": now, "result_unit": enterprise_name},
            source_key=source_key,
        )

    # --- notices ------------------------------------------------------------------------------

    def may_notify(self, enterprise_key: str, reporter: Author, now: dt.datetime) -> bool:
        """Whether a notice may be recorded for an enterprise by this person.

        Its enrolled contacts speak for it (247 I.2.3); the desk may put in a notice it received
        otherwise (by phone, by fax): its officer, an administrator, or anyone on duty who writes
        the logbook. The desk's own processes act as the system author (no person).
        """
        enterprise = self._settings.enterprise(enterprise_key)
        if enterprise is None:
            return False
        user_id = reporter.user_id
        if user_id is None or enterprise.officer == user_id:
            return True
        rights = self._roster.rights(user_id, now)
        if Right.ADMINISTER in rights or Right.WRITE_LOGBOOK in rights:
            return True
        with Session(self._engine) as session:
            return user_id in self.clocks.contacts(session, enterprise.key)

    def notify(self, notice: NoticeInput, reporter: Author, now: dt.datetime) -> Step[EpzOutage]:
        """Record a notice, tell the duty group, write the logbook, start the deadline clocks.

        Refused (nothing recorded) when the reporter does not speak for the enterprise.
        """
        enterprise = self._settings.enterprise(notice.enterprise)
        if enterprise is None:
            return Step(refusal=Refusal.NOT_FOUND)
        if not self.may_notify(enterprise.key, reporter, now):
            return Step(refusal=Refusal.SOMEONE_ELSES)
        days = REPAIR_WORKING_DAYS.get(notice.kind)
        # 247 I.2.3 gives the repair its working days right after the enterprise's duty to
        # notify Customs and names no other start: they count from the notice, the one moment
        # both sides know, not from the start the enterprise reports (kept as time arisen).
        deadline = self.calendar.add_working_days(now, days) if days else notice.expected_fix
        cameras = notice.cameras
        if not cameras and notice.kind == OutageKind.TRANSMISSION:
            # The line carries every camera on the map: a channel fault naming none takes all.
            cameras = [camera.number for camera in enterprise.cameras]
        outage = EpzOutage(
            enterprise=enterprise.key,
            kind=notice.kind,
            cameras=",".join(cameras),
            description=notice.description.strip(),
            effect=notice.effect.strip(),
            expected_fix=notice.expected_fix,
            tech_contact=notice.tech_contact.strip(),
            reporter_id=reporter.user_id,
            notified_at=now,
            starts_at=notice.starts_at,
            deadline=deadline,
            status=OutageStatus.OPEN,
        )
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            session.add(outage)
            session.flush()
            assert outage.id is not None
            # Planned work holds its cameras down from its start (see _on_planned_start).
            held = registry_cameras(self._settings, outage) if outage.started(now) else []
            self._logbook.append(
                session,
                reporter,
                now,
                {
                    LogColumn.INCIDENT: f"[{enterprise.name}] {tr(KIND_LABELS[outage.kind])}"
                    + (
                        " (" + tr("from {when}").format(when=tr.datetime(outage.starts_at)) + ")"
                        if outage.starts_at is not None
                        else ""
                    )
                    + f": {outage.description}",
                    **({LogColumn.NOTE: marked_text(tr, held, outage.id)} if held else {}),
                },
                details={
                    "incident_place": enterprise.address,
                    "incident_refs": f"MST {enterprise.tax_code}",
                    "incident_arisen_at": outage.starts_at or now,
                    "incident_received_at": now,
                },
                source_key=f"outage:{outage.id}",
            )
            officer = self._settings.person(enterprise.officer) if enterprise.officer else None
            officer_name = officer.name if officer else str(enterprise.officer or "")
            self._to_group(
                session,
                notice_card(tr, outage, enterprise, held, officer_name),
                priority=OutboxPriority.URGENT,
            )
            if enterprise.officer is not None:
                self._outbox.send(
                    enterprise.officer,
                    officer_notice(self._translator_for(enterprise.officer), outage, enterprise),
                    session=session,
                    priority=OutboxPriority.URGENT,
                )
            self.clocks.start(session, outage, now)
            session.commit()
        self._outbox.notify()
        return Step(outage)

    def last_contact(self, enterprise: str) -> str:
        """The technical contact given last time, to prefill the next notice."""
        with Session(self._engine) as session:
            return (
                session.exec(
                    select(EpzOutage.tech_contact)
                    .where(EpzOutage.enterprise == enterprise, EpzOutage.tech_contact != "")
                    .order_by(col(EpzOutage.id).desc())
                ).first()
                or ""
            )

    def active(self, enterprise: str | None = None) -> list[EpzOutage]:
        """Outages not yet closed, oldest first."""
        with Session(self._engine) as session:
            query = select(EpzOutage).where(col(EpzOutage.status).in_([s.value for s in ACTIVE]))
            if enterprise is not None:
                query = query.where(EpzOutage.enterprise == enterprise)
            return list(session.exec(query.order_by(col(EpzOutage.id))).all())

    def of_enterprise(self, enterprise: str | None) -> list[EpzOutage]:
        """Every outage, open or closed, of one enterprise (None: of all), oldest first."""
        with Session(self._engine) as session:
            query = select(EpzOutage)
            if enterprise is not None:
                query = query.where(EpzOutage.enterprise == enterprise)
            return list(session.exec(query.order_by(col(EpzOutage.id))).all())

    def down_by_notice(self, now: dt.datetime) -> dict[str, EpzOutage]:
        """Registry cameras an outage under way marks down by notice, each with its (first) outage.

        Open or reported restored: a camera stays down by notice until the officer confirms.
        """
        with Session(self._engine) as session:
            return held_by_notice(session, self._settings, now)

    def cameras(self, now: dt.datetime) -> list[CameraReading]:
        """Every registry camera as the desk knows it now (a notice outranks the round)."""
        with Session(self._engine) as session:
            return camera_readings(session, self._settings, now)

    def get(self, outage_id: int) -> EpzOutage | None:
        """Return an outage by id."""
        with Session(self._engine) as session:
            return session.get(EpzOutage, outage_id)

    def gate_outage(self, enterprise: Enterprise, now: dt.datetime) -> EpzOutage | None:
        """The open outage that takes a gate camera down, if any (the gate log belongs to it).

        Planned work notified in advance takes the gate down only once it has started.
        """
        gates = {c.number for c in enterprise.cameras if c.kind == "gate"}
        for outage in self.active(enterprise.key):
            if not outage.started(now):
                continue
            if outage.kind == OutageKind.TRANSMISSION or gates & set(outage.camera_numbers()):
                return outage
        return None

    def explain(
        self, outage_id: int, reason: str, new_date: dt.date, author: Author, now: dt.datetime
    ) -> Step[EpzOutage]:
        """The contact's written explanation of an overdue outage and its new expected date."""
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            allowed = self._may(session, outage, author.user_id or 0, OutageAction.EXPLAIN, now)
            if not allowed.ok or outage is None:
                return allowed
            if outage.status not in ACTIVE:
                return Step(outage, Refusal.WRONG_STATE)
            outage.explanation, outage.new_date = reason.strip(), new_date
            session.add(outage)
            enterprise = self._settings.enterprise(outage.enterprise)
            name = enterprise.name if enterprise else outage.enterprise
            text = tr(
                "{name} explains the overdue repair: {reason}. New expected date: {date}."
            ).format(name=name, reason=outage.explanation, date=tr.date(new_date))
            self._log_result(
                session, author, now, text, name, f"explain:{outage.id}:{new_date.isoformat()}"
            )
            self._to_group(session, "📝 " + escape(text))
            self.clocks.new_date(session, outage_id, new_date)
            session.commit()
        self._outbox.notify()
        return Step(outage)

    def report_restored(self, outage_id: int, author: Author, now: dt.datetime) -> Step[EpzOutage]:
        """The contact says it works again; the assigned officer is asked to confirm."""
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            action = OutageAction.REPORT_RESTORED
            allowed = self._may(session, outage, author.user_id or 0, action, now)
            if not allowed.ok or outage is None:
                return allowed
            if outage.status != OutageStatus.OPEN:
                return Step(outage, Refusal.WRONG_STATE)
            outage.status, outage.restored_at = OutageStatus.RESTORED_REPORTED, now
            session.add(outage)
            enterprise = self._settings.enterprise(outage.enterprise)
            if enterprise is not None and enterprise.officer is not None:
                tr = self._translator_for(enterprise.officer)
                self._outbox.send(
                    enterprise.officer,
                    "🛠 "
                    + escape(
                        tr(
                            "{name} reports outage no. {number} restored ({kind}, cameras "
                            "{cameras}). Check the cameras and confirm."
                        ).format(
                            name=enterprise.name,
                            number=outage.id,
                            kind=tr(KIND_LABELS[outage.kind]),
                            cameras=", ".join(outage.camera_numbers()) or "—",
                        )
                    ),
                    buttons=keyboard(
                        [
                            [
                                Button(
                                    "✅ " + tr("Confirm restored"),
                                    outage_button(OutageAction.CONFIRM_RESTORED, outage_id),
                                )
                            ]
                        ]
                    ),
                    session=session,
                )
            session.commit()
        self._outbox.notify()
        return Step(outage)

    def confirm_restored(
        self,
        outage_id: int,
        author: Author,
        now: dt.datetime,
        snapshots: Sequence[tuple[bytes, str]] = (),
        cameras: Sequence[str] = (),
    ) -> Step[EpzOutage]:
        """The officer confirms: the outage closes with its duration and the deadline verdict.

        `snapshots` (JPEG, caption) are fresh pictures of `cameras`, the outage's ONVIF cameras;
        when there are cameras but no snapshot, the closure says none could be taken.
        """
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            action = OutageAction.CONFIRM_RESTORED
            allowed = self._may(session, outage, author.user_id or 0, action, now)
            if not allowed.ok or outage is None:
                return allowed
            if outage.status == OutageStatus.CLOSED:
                return Step(outage, Refusal.WRONG_STATE)
            restored = outage.restored_at or now
            outage.status, outage.closed_at, outage.closed_by = (
                OutageStatus.CLOSED,
                now,
                author.name,
            )
            restored_day = restored.astimezone(self._settings.tz).date()
            outage.met_deadline = outage.deadline is None or restored_day <= outage.deadline
            session.add(outage)
            self.clocks.stop(session, outage_id)
            enterprise = self._settings.enterprise(outage.enterprise)
            name = enterprise.name if enterprise else outage.enterprise
            # From when it arose (a fault) or began (planned work), not from the notice.
            hours = max(0.0, (restored - outage.arisen_at).total_seconds() / 3600)
            verdict = tr("within the deadline") if outage.met_deadline else tr("after the deadline")
            text = tr(
                "{name}: outage no. {number} restored after {hours:.0f} h, {verdict} "
                "(confirmed by {officer})."
            ).format(name=name, number=outage.id, hours=hours, verdict=verdict, officer=author.name)
            if cameras:
                text += " " + (
                    tr("Snapshot attached (cameras {cameras}).")
                    if snapshots
                    else tr("No snapshot: cameras {cameras} did not answer.")
                ).format(cameras=", ".join(cameras))
            released = self._release(session, outage, restored, now)
            if released:
                text += " " + tr(
                    "Cameras {cameras} are no longer down by notice; the health round decides "
                    "their state again."
                ).format(cameras=", ".join(released))
            self._log_result(session, author, now, text, name, f"restored:{outage.id}")
            self._closure_to_group(session, "✅ " + escape(text), list(snapshots))
            session.commit()
        self._outbox.notify()
        return Step(outage)

    def _release(
        self, session: Session, outage: EpzOutage, restored: dt.datetime, now: dt.datetime
    ) -> list[str]:
        """Hand the closed outage's cameras back to the health round; return their numbers.

        A camera another outage under way still names stays down by notice under that one.
        """
        if not outage.started(now):
            return []
        session.flush()
        still_held = {
            number
            for other in session.exec(
                select(EpzOutage).where(
                    EpzOutage.enterprise == outage.enterprise,
                    col(EpzOutage.status).in_([s.value for s in ACTIVE]),
                )
            )
            if other.started(now)
            for number in registry_cameras(self._settings, other)
        }
        released = [n for n in registry_cameras(self._settings, outage) if n not in still_held]
        hand_back(session, released, restored, now)
        return released

    def _closure_to_group(
        self, session: Session, html: str, snapshots: list[tuple[bytes, str]]
    ) -> None:
        """The closure, with the snapshots as its photo (or album) when there are any."""
        group = self._settings.telegram.duty_group_id
        if group is None or not snapshots:
            self._to_group(session, html)
            return
        (image, caption), *others = snapshots
        if not others:
            self._outbox.send_photo(group, image, f"{html}\n{caption}", session=session)
            return
        album = [(image, f"{html}\n{caption}"), *others]
        self._outbox.send_album(group, album, session=session)

    def progress(
        self, outage_id: int, note: str, author: Author, now: dt.datetime
    ) -> Step[EpzOutage]:
        """The officer's daily progress note goes into the logbook (247 I.2.3c)."""
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            action = OutageAction.WRITE_PROGRESS
            allowed = self._may(session, outage, author.user_id or 0, action, now)
            if not allowed.ok or outage is None:
                return allowed
            enterprise = self._settings.enterprise(outage.enterprise)
            name = enterprise.name if enterprise else outage.enterprise
            self._logbook.append(
                session,
                author,
                now,
                {
                    LogColumn.WORK: tr("Follow-up of {name}, outage no. {number}: {note}").format(
                        name=name, number=outage.id, note=note
                    )
                },
                # Each note is its own entry: a second note the same day is news, not a repeat.
                source_key=f"progress:{outage.id}:{now.isoformat()}",
            )
            session.commit()
        return Step(outage)
