"""EPZ camera outages (247 I.2.3, Annex II): notices, working-day deadlines, follow-up, closure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from sqlmodel import Session, col, select

from bot import deadlines
from bot.camera.status import hand_back
from bot.config import Enterprise, Settings
from bot.db.models import (
    EnterpriseContact,
    EpzOutage,
    GateMovementRecord,
    LogColumn,
    OutageKind,
    OutageStatus,
    OutboxPriority,
)
from bot.epz.deadline_kinds import OutageDeadline, outage_subject
from bot.epz.gatelog import GateMovement
from bot.epz.gatelog_export import GateLogRow
from bot.epz.notice_text import PLANNED_KINDS
from bot.epz.service import EpzService
from bot.i18n import N_, Translator
from bot.logbook.service import Author
from bot.outbox import Button, keyboard

# 247 I.2.3: camera and attached equipment within 10 working days, the channel within 3.
REPAIR_WORKING_DAYS = {OutageKind.CAMERA: 10, OutageKind.TRANSMISSION: 3}
REMIND_AT = dt.time(9, 0)
FOLLOW_UP_AT = dt.time(16, 0)
KIND_LABELS = {
    OutageKind.CAMERA: N_("camera or equipment fault"),
    OutageKind.TRANSMISSION: N_("transmission channel fault"),
    OutageKind.MAINTENANCE: N_("planned maintenance"),
    OutageKind.POWER_CUT: N_("power cut"),
}
ACTIVE = (OutageStatus.OPEN, OutageStatus.RESTORED_REPORTED)


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


class Outages(EpzService):
    """Records outages and keeps their working-day deadlines."""

    def notify(self, notice: NoticeInput, reporter: Author, now: dt.datetime) -> EpzOutage:
        """Record a notice, tell the duty group, write the logbook, start the deadline clocks."""
        enterprise = self._settings.enterprise(notice.enterprise)
        assert enterprise is not None
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
            subject = outage_subject(outage.id)
            if deadline is not None and days:
                before = self._previous_working_day(deadline)
                if self._local(before, REMIND_AT) > now:
                    deadlines.schedule(
                        session,
                        OutageDeadline.EPZ_REMINDER,
                        subject,
                        self._local(before, REMIND_AT),
                    )
                deadlines.schedule(
                    session,
                    OutageDeadline.EPZ_OVERDUE,
                    subject,
                    self._local(deadline + dt.timedelta(days=1), dt.time(0, 0)),
                )
            starts = max(now, outage.starts_at or now)
            if starts > now:
                deadlines.schedule(session, OutageDeadline.EPZ_PLANNED_START, subject, starts)
            # The officer follows the work from the day it starts, not from the notice.
            deadlines.schedule(
                session, OutageDeadline.EPZ_FOLLOW_UP, subject, self._next_follow_up(starts), seq=1
            )
            session.commit()
        self._outbox.notify()
        return outage

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
        held: dict[str, EpzOutage] = {}
        for outage in self.active():
            if outage.started(now):
                for number in registry_cameras(self._settings, outage):
                    held.setdefault(number, outage)
        return held

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

    def record_gate(
        self, outage_id: int, movements: list[GateMovement], recorded_by: int, now: dt.datetime
    ) -> int:
        """Store gate movements against the outage they happen under."""
        with Session(self._engine) as session:
            for movement in movements:
                session.add(
                    GateMovementRecord(
                        outage_id=outage_id,
                        plate=movement.plate,
                        container=movement.container,
                        direction=movement.direction.value,
                        at=movement.at,
                        recorded_at=now,
                        recorded_by=recorded_by,
                    )
                )
            session.commit()
        return len(movements)

    def gate_log(self, outage_id: int) -> list[GateMovementRecord]:
        """The gate movements recorded for an outage, in time order."""
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(GateMovementRecord)
                    .where(GateMovementRecord.outage_id == outage_id)
                    .order_by(col(GateMovementRecord.at))
                ).all()
            )

    def gate_log_rows(self, outage_id: int) -> list[GateLogRow]:
        """The gate log with the name of whoever recorded each movement, for listing."""
        with Session(self._engine) as session:
            records = list(
                session.exec(
                    select(GateMovementRecord)
                    .where(GateMovementRecord.outage_id == outage_id)
                    .order_by(col(GateMovementRecord.at), col(GateMovementRecord.id))
                ).all()
            )
            contacts = dict(
                session.exec(select(EnterpriseContact.user_id, EnterpriseContact.name)).all()
            )

        def name(user_id: int | None) -> str:
            person = self._settings.person(user_id) if user_id is not None else None
            return person.name if person else contacts.get(user_id or 0) or str(user_id or "—")

        return [GateLogRow(record, name(record.recorded_by)) for record in records]

    def explain(
        self, outage_id: int, reason: str, new_date: dt.date, author: Author, now: dt.datetime
    ) -> EpzOutage | None:
        """Record the written explanation of an overdue outage and the new expected date."""
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            if outage is None or outage.status not in ACTIVE:
                return None
            outage.explanation, outage.new_date = reason.strip(), new_date
            session.add(outage)
            enterprise = self._settings.enterprise(outage.enterprise)
            name = enterprise.name if enterprise else outage.enterprise
            text = tr(
                "{name} explains the overdue repair: {reason}. New expected date: {date}."
            ).format(name=name, reason=outage.explanation, date=tr.date(new_date))
            self._logbook.append(
                session,
                author,
                now,
                {LogColumn.RESULT: text},
                details={"result_reported_at": now, "result_unit": name},
                source_key=f"explain:{outage.id}:{new_date.isoformat()}",
            )
            self._to_group(session, "📝 " + escape(text))
            deadlines.schedule(
                session,
                OutageDeadline.EPZ_NEW_DATE,
                outage_subject(outage_id),
                self._local(new_date, REMIND_AT),
            )
            session.commit()
        self._outbox.notify()
        return outage

    def report_restored(self, outage_id: int, author: Author, now: dt.datetime) -> EpzOutage | None:
        """The contact says it works again; the assigned officer is asked to confirm."""
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            if outage is None or outage.status != OutageStatus.OPEN:
                return None
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
                        [[Button("✅ " + tr("Confirm restored"), f"ep:ok:{outage.id}")]]
                    ),
                    session=session,
                )
            session.commit()
        self._outbox.notify()
        return outage

    def confirm_restored(
        self,
        outage_id: int,
        author: Author,
        now: dt.datetime,
        snapshots: Sequence[tuple[bytes, str]] = (),
        cameras: Sequence[str] = (),
    ) -> EpzOutage | None:
        """The officer confirms: the outage closes with its duration and the deadline verdict.

        `snapshots` (JPEG, caption) are fresh pictures of `cameras`, the outage's ONVIF cameras;
        when there are cameras but no snapshot, the closure says none could be taken.
        """
        tr = self._tr
        with Session(self._engine, expire_on_commit=False) as session:
            outage = session.get(EpzOutage, outage_id)
            if outage is None or outage.status == OutageStatus.CLOSED:
                return None
            restored = outage.restored_at or now
            outage.status, outage.closed_at, outage.closed_by = (
                OutageStatus.CLOSED,
                now,
                author.name,
            )
            restored_day = restored.astimezone(self._settings.tz).date()
            outage.met_deadline = outage.deadline is None or restored_day <= outage.deadline
            session.add(outage)
            deadlines.cancel(
                session,
                outage_subject(outage_id),
                tuple(OutageDeadline),
            )
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
            self._logbook.append(
                session,
                author,
                now,
                {LogColumn.RESULT: text},
                details={"result_reported_at": now, "result_unit": name},
                source_key=f"restored:{outage.id}",
            )
            self._closure_to_group(session, "✅ " + escape(text), list(snapshots))
            session.commit()
        self._outbox.notify()
        return outage

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

    def progress(self, outage_id: int, note: str, author: Author, now: dt.datetime) -> bool:
        """The officer's daily progress note goes into the logbook (247 I.2.3c)."""
        tr = self._tr
        with Session(self._engine) as session:
            outage = session.get(EpzOutage, outage_id)
            if outage is None:
                return False
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
        return True

    # --- deadlines ------------------------------------------------------------------------------

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
        for contact in self._contacts(session, outage.enterprise):
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
        for contact in self._contacts(session, outage.enterprise):
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
                buttons=keyboard([[Button(tr("Send the explanation"), f"ep:ex:{outage.id}")]]),
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
                            Button(tr("No change"), f"ep:nc:{outage.id}"),
                            Button(tr("Write progress"), f"ep:pg:{outage.id}"),
                        ],
                        [Button(tr("Propose the interim measure"), f"im:new:{outage.id}")],
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

    def _contacts(self, session: Session, enterprise: str) -> list[int]:
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


def registry_cameras(settings: Settings, outage: EpzOutage) -> list[str]:
    """The outage's cameras that are in the camera registry (the others have no state to mark)."""
    named = set(outage.camera_numbers())
    return [
        camera.number
        for camera in settings.cameras
        if camera.enterprise == outage.enterprise and camera.number in named
    ]


def marked_text(tr: Translator, numbers: Sequence[str], outage_id: int) -> str:
    """The logbook's note that a notice marks cameras down."""
    return tr("Cameras {cameras} marked down by notice no. {number}.").format(
        cameras=", ".join(numbers), number=outage_id
    )


def restoration_cameras(settings: Settings, outage: EpzOutage) -> list[str]:
    """The outage's cameras that the desk reaches over ONVIF (all of the enterprise's, when the
    notice named none, as for a transmission fault)."""
    named = set(outage.camera_numbers())
    return [
        camera.number
        for camera in settings.cameras
        if camera.enterprise == outage.enterprise
        and camera.onvif is not None
        and (not named or camera.number in named)
    ]


def is_planned(outage: EpzOutage) -> bool:
    """True for planned maintenance or a power cut, announced with the moment it begins."""
    return outage.kind in PLANNED_KINDS


def arisen_text(tr: Translator, outage: EpzOutage) -> str:
    """When the outage began and when Customs heard of it (Annex I: arisen / received)."""
    return tr("since {arisen} (notified {received})").format(
        arisen=tr.datetime(outage.arisen_at), received=tr.datetime(outage.notified_at)
    )


def officer_notice(tr: Translator, outage: EpzOutage, enterprise: Enterprise) -> str:
    """The assigned officer's private word of a new outage they follow (247 I.2.3c), HTML."""
    cameras = ", ".join(outage.camera_numbers()) or "—"
    lines = [
        "🏭 <b>"
        + escape(
            tr("New outage notice no. {number} of {name}").format(
                number=outage.id, name=enterprise.name
            )
        )
        + "</b>",
        escape(
            tr("{kind}, cameras {cameras}: {description}").format(
                kind=tr(KIND_LABELS[outage.kind]).capitalize(),
                cameras=cameras,
                description=outage.description,
            )
        ),
    ]
    lines.append(
        "⏰ "
        + escape(
            tr("Starts: {when}").format(when=tr.datetime(outage.arisen_at))
            if is_planned(outage)
            else arisen_text(tr, outage)
        )
    )
    if outage.deadline is not None and outage.kind in REPAIR_WORKING_DAYS:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline: end of {date} ({days} working days from the notice).").format(
                    date=tr.date(outage.deadline), days=REPAIR_WORKING_DAYS[outage.kind]
                )
            )
        )
    lines += [
        "",
        escape(
            tr(
                "You follow the repair (Decision 247, I.2.3c): each working day at {time} you "
                "are asked for its progress. Propose the interim supervision measure with "
                "/measure {number}. When the enterprise sends /restored, you check the cameras "
                "and confirm; /epz shows where every outage stands."
            ).format(number=outage.id, time=tr.time(FOLLOW_UP_AT))
        ),
    ]
    return "\n".join(lines)


def notice_card(
    tr: Translator,
    outage: EpzOutage,
    enterprise: Enterprise,
    held: Sequence[str] = (),
    officer: str = "",
) -> str:
    """The Annex II notice as the duty group reads it; `held`: the cameras it marks down;
    `officer`: the name of the officer who follows the repair."""
    lines = [
        "🏭 <b>" + escape(tr("EPZ outage notice no. {number}").format(number=outage.id)) + "</b>",
        "1. " + escape(f"{enterprise.name} · {enterprise.address} · MST {enterprise.tax_code}"),
        "2. "
        + escape(tr(KIND_LABELS[outage.kind]))
        + (
            " · "
            + escape(tr("cameras {cameras}").format(cameras=", ".join(outage.camera_numbers())))
            if outage.cameras
            else ""
        ),
        "   " + escape(outage.description),
        "⏰ "
        + escape(
            tr("Starts: {when}").format(when=tr.datetime(outage.arisen_at))
            if is_planned(outage)
            else arisen_text(tr, outage)
        ),
        "3. " + escape(tr("Effect on supervision: {effect}").format(effect=outage.effect or "—")),
        "4. "
        + escape(
            tr(
                N_("Expected end: {date}") if is_planned(outage) else N_("Expected fix: {date}")
            ).format(date=tr.date(outage.expected_fix) if outage.expected_fix else "—")
        ),
        "5. "
        + escape(tr("Technical contact: {contact}").format(contact=outage.tech_contact or "—")),
    ]
    lines.append(
        "👤 "
        + escape(
            tr("Officer following the repair: {name}").format(name=officer)
            if officer
            else tr("No officer is assigned to follow the repair (enterprises[].officer).")
        )
    )
    if held:
        lines.append("🔴 " + escape(marked_text(tr, held, outage.id or 0)))
    if outage.deadline is not None and outage.kind in REPAIR_WORKING_DAYS:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline ({days} working days): end of {date}").format(
                    days=REPAIR_WORKING_DAYS[outage.kind], date=tr.date(outage.deadline)
                )
            )
        )
    return "\n".join(lines)
