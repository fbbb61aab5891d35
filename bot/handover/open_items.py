"""What one shift hands to the next: everything still open, gathered from the records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.db.models import (
    CameraState,
    EpzOutage,
    Incident,
    Proposal,
    ShiftNote,
    ShiftNoteKind,
    UnitRequest,
)
from bot.epz.camera_states import CameraReading, camera_readings
from bot.epz.outage_rules import ACTIVE
from bot.epz.outage_rules import KIND_LABELS as OUTAGE_LABELS
from bot.escalation.pending import Waiting, waiting_in
from bot.escalation.texts import KIND_LABELS, age, request_clock
from bot.i18n import N_, Translator

# Long descriptions are cut in the handover; the incident's own card has the whole text.
DESCRIPTION_CHARS = 90


@dataclass(frozen=True)
class OpenItems:
    """Everything a shift leaves open, and what its people noted for the next."""

    incidents: list[Incident]
    waiting: Waiting
    outages: list[EpzOutage]
    cameras: list[CameraReading]
    focus: list[ShiftNote]
    notes: list[ShiftNote]


def collect(
    session: Session, shift_date: dt.date, settings: Settings, now: dt.datetime
) -> OpenItems:
    """Gather what is open now, with the notes and focus items of a shift."""
    open_now = waiting_in(session)
    busy = {
        incident.id
        for pairs in (
            open_now.proposals,
            open_now.branch_decisions,
            open_now.replies,
            open_now.results,
            open_now.unreachable,
        )
        for _, incident in pairs
    }
    handled = select(Proposal.incident_id)
    # An incident is open while something on it waits, or while nobody proposed anything.
    incidents = session.exec(
        select(Incident)
        .where(col(Incident.id).in_(busy) | col(Incident.id).not_in(handled))
        .order_by(col(Incident.received_at))
    ).all()
    outages = session.exec(
        select(EpzOutage)
        .where(col(EpzOutage.status).in_([s.value for s in ACTIVE]))
        .order_by(col(EpzOutage.id))
    ).all()
    # As /cameras reads them: an outage notice holds a camera down whatever the round last saw.
    cameras = [r for r in camera_readings(session, settings, now) if r.not_working]
    notes = session.exec(
        select(ShiftNote)
        .where(ShiftNote.shift_date == shift_date)
        .order_by(col(ShiftNote.created_at), col(ShiftNote.id))
    ).all()
    return OpenItems(
        incidents=list(incidents),
        waiting=open_now,
        outages=list(outages),
        cameras=cameras,
        focus=[n for n in notes if n.kind == ShiftNoteKind.FOCUS],
        notes=[n for n in notes if n.kind == ShiftNoteKind.HANDOVER],
    )


@dataclass(frozen=True)
class Renderer:
    """Writes the open items as HTML lines in one reader's language."""

    tr: Translator
    settings: Settings
    now: dt.datetime
    name_of: Callable[[UnitRequest], str]

    def lines(self, items: OpenItems) -> list[str]:
        """Every section, each with its heading; an empty one says so."""
        sections = [
            (N_("Open incidents"), [self.incident(i) for i in items.incidents]),
            (
                N_("Proposals waiting for approval"),
                [self.proposal(p, i) for p, i in items.waiting.proposals]
                + [self.proposal(p, i) for p, i in items.waiting.branch_decisions],
            ),
            (N_("Unit requests waiting"), self.requests(items.waiting)),
            (N_("EPZ outages under way"), [self.outage(o) for o in items.outages]),
            (N_("Cameras down"), [self.camera(c) for c in items.cameras]),
            (N_("Focus items"), [self.note(n) for n in items.focus]),
            (N_("Notes of the outgoing shift leader"), [self.note(n) for n in items.notes]),
        ]
        tr = self.tr
        out: list[str] = []
        for heading, rows in sections:
            out.append("")
            if not rows:
                out.append(f"<b>{escape(tr(heading))}:</b> " + escape(tr("none")))
                continue
            out.append(f"<b>{escape(tr(heading))} ({len(rows)}):</b>")
            out += [f"• {row}" for row in rows]
        return out

    def incident(self, incident: Incident) -> str:
        text = incident.description
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS - 1] + "…"
        place = f" · {incident.place}" if incident.place else ""
        return escape(
            f"{incident.label}{place} · {text} · "
            + self.tr("{age} ago").format(age=age(self.tr, incident.received_at, self.now))
        )

    def proposal(self, proposal: Proposal, incident: Incident) -> str:
        tr = self.tr
        return escape(
            f"{incident.label} · {tr(KIND_LABELS[proposal.kind])} · "
            + tr("{age} ago").format(age=age(tr, proposal.created_at, self.now))
        )

    def requests(self, open_now: Waiting) -> list[str]:
        tr = self.tr
        rows = []
        for request, incident in [*open_now.replies, *open_now.results, *open_now.unreachable]:
            delivered = tr("delivered {age} ago").format(
                age=age(tr, request.delivered_at, self.now)
            )
            rows.append(
                escape(f"{incident.label} · {self.name_of(request)} · {delivered} · ")
                + request_clock(tr, request, self.now)
            )
        return rows

    def outage(self, outage: EpzOutage) -> str:
        tr = self.tr
        enterprise = self.settings.enterprise(outage.enterprise)
        name = enterprise.name if enterprise else outage.enterprise
        due = outage.new_date or outage.deadline
        today = self.now.astimezone(self.settings.tz).date()
        if due is None:
            deadline = tr("no deadline")
        elif today > due:
            deadline = "🔴 " + tr("overdue since {date}").format(date=tr.date(due))
        else:
            deadline = tr("deadline {date}").format(date=tr.date(due))
        return escape(
            tr("no. {number} {name}: {kind}, cameras {cameras}").format(
                number=outage.id,
                name=name,
                kind=tr(OUTAGE_LABELS[outage.kind]),
                cameras=", ".join(outage.camera_numbers()) or "—",
            )
            + " · "
            + deadline
        )

    def camera(self, reading: CameraReading) -> str:
        tr = self.tr
        camera = self.settings.camera(reading.number)
        name = f" {camera.name}" if camera else ""
        state = tr("down") if reading.state == CameraState.DOWN else tr("unstable")
        if reading.outage is not None:
            reason = (
                " ("
                + tr("the enterprise's notice no. {number}").format(number=reading.outage.id)
                + ")"
            )
            since = reading.outage.arisen_at
        else:
            assert reading.status is not None
            reason = f" ({reading.status.reason})" if reading.status.reason else ""
            since = reading.status.since
        return escape(
            f"{reading.number}{name} · {state}{reason} · "
            + tr("since {when}").format(when=tr.datetime(since))
        )

    def note(self, note: ShiftNote) -> str:
        return escape(f"{note.text} ({note.author_name})")
