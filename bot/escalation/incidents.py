"""Incident records: opened with their references, numbered per year, and their history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.db.models import (
    CameraAlert,
    Incident,
    IncidentAttachment,
    LogColumn,
    MessageKind,
    Proposal,
    UnitRequest,
)
from bot.escalation.rights import checked, on_shift
from bot.escalation.texts import incident_buttons, incident_card, refs_line
from bot.logbook.service import Author
from bot.service import ServiceContext
from bot.steps import Refusal, Step

_LABEL = re.compile(r"^(?:(\d{4})\s*/\s*)?0*(\d{1,6})$")


@dataclass(frozen=True)
class Attachment:
    """A photo or document to keep with an incident."""

    kind: MessageKind
    file_id: str
    caption: str = ""


@dataclass
class IncidentInput:
    """What the guided conversation collected."""

    description: str
    place: str = ""
    camera: str = ""
    declarations: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    plates: list[str] = field(default_factory=list)
    tax_codes: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    arisen_at: dt.datetime | None = None
    source: tuple[int, int] | None = None


@dataclass(frozen=True)
class AlertIncident:
    """The incident an alert is: opened by this press, or by `by` before it."""

    incident: Incident
    opened: bool
    by: str


@dataclass(frozen=True)
class History:
    """An incident with everything that happened to it."""

    incident: Incident
    attachments: list[IncidentAttachment]
    proposals: list[Proposal]
    requests: list[UnitRequest]


def parse_label(text: str, year: int) -> tuple[int, int] | None:
    """Read '2026/0142', '2026/142' or '142' (this year) as (year, number)."""
    match = _LABEL.match(text.strip())
    if match is None:
        return None
    return (int(match.group(1)) if match.group(1) else year, int(match.group(2)))


def next_number(session: Session, year: int) -> int:
    """The next incident number of a year."""
    last = session.exec(select(func.max(Incident.number)).where(Incident.year == year)).one()
    return (last or 0) + 1


class Incidents:
    """Opens incidents and reads them back."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def may_open(self, author: Author, now: dt.datetime) -> Step[None]:
        """Whether the author may open an incident now (asked before the questions)."""
        return on_shift(self._ctx.roster, author, now, Refusal.NOT_ON_SHIFT_TO_OPEN)

    def open(self, author: Author, given: IncidentInput, now: dt.datetime) -> Step[Incident]:
        """Record an incident, its logbook entry, and post its card in the duty group.

        Only the people on the shift running now open incidents.
        """
        allowed = self.may_open(author, now)
        if not allowed.ok:
            return checked(allowed)
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            incident = self._record(session, author, given, now)
            session.commit()
        self._ctx.committed()
        return Step(incident)

    def open_from_alert(
        self, author: Author, alert_id: int, given: IncidentInput, now: dt.datetime
    ) -> Step[AlertIncident]:
        """Open the incident an alert is, once: a later press finds the one opened first.

        Two officers pressing at once open one incident: the alert's row is locked until the
        first one's incident is recorded on it.
        """
        allowed = self.may_open(author, now)
        if not allowed.ok:
            return checked(allowed)
        with Session(self._ctx.engine, expire_on_commit=False) as session:
            alert = session.exec(
                select(CameraAlert).where(CameraAlert.id == alert_id).with_for_update()
            ).first()
            if alert is None:
                return Step(refusal=Refusal.NOT_FOUND)
            if alert.incident_id is not None:
                existing = session.get(Incident, alert.incident_id)
                if existing is not None:
                    return Step(AlertIncident(existing, opened=False, by=alert.incident_by))
            incident = self._record(session, author, given, now)
            alert.incident_id, alert.incident_label = incident.id, incident.label
            alert.incident_by = author.name
            session.add(alert)
            session.commit()
        self._ctx.committed()
        return Step(AlertIncident(incident, opened=True, by=author.name))

    def _record(
        self, session: Session, author: Author, given: IncidentInput, now: dt.datetime
    ) -> Incident:
        ctx = self._ctx
        local_year = now.astimezone(ctx.settings.tz).year
        incident = Incident(
            year=local_year,
            number=next_number(session, local_year),
            shift_date=ctx.roster.shift_date_at(now),
            arisen_at=given.arisen_at or now,
            received_at=now,
            reporter_id=author.user_id,
            reporter_name=author.name,
            place=given.place,
            camera=given.camera,
            declarations=",".join(given.declarations),
            containers=",".join(given.containers),
            plates=",".join(given.plates),
            tax_codes=",".join(given.tax_codes),
            description=given.description,
            source_chat_id=given.source[0] if given.source else None,
            source_message_id=given.source[1] if given.source else None,
        )
        session.add(incident)
        session.flush()
        assert incident.id is not None
        for item in given.attachments:
            session.add(
                IncidentAttachment(
                    incident_id=incident.id,
                    kind=item.kind,
                    file_id=item.file_id,
                    caption=item.caption,
                )
            )
        ctx.logbook.append(
            session,
            author,
            now,
            {LogColumn.INCIDENT: f"[{incident.label}] {incident.description}"},
            details={
                "incident_place": incident.place,
                "incident_refs": refs_line(incident),
                "incident_arisen_at": incident.arisen_at,
                "incident_received_at": incident.received_at,
            },
            source_key=f"incident:{incident.id}",
        )
        tr = ctx.desk_tr()
        ctx.urgent_to_group(
            session,
            incident_card(tr, incident, len(given.attachments)),
            buttons=incident_buttons(tr, incident),
        )
        return incident

    def by_label(self, text: str, now: dt.datetime) -> Incident | None:
        """Find an incident by its human number."""
        with Session(self._ctx.engine) as session:
            return find_by_label(session, text, now.astimezone(self._ctx.settings.tz).year)

    def get(self, incident_id: int) -> Incident | None:
        """Return an incident by id."""
        with Session(self._ctx.engine) as session:
            return session.get(Incident, incident_id)

    def history(self, incident_id: int) -> History | None:
        """Return an incident with its attachments, proposals and requests, oldest first."""
        with Session(self._ctx.engine) as session:
            incident = session.get(Incident, incident_id)
            return load_history(session, incident) if incident is not None else None


def find_by_label(session: Session, text: str, year: int) -> Incident | None:
    """The incident numbered '2026/0142' (or '142' this year), if there is one."""
    parsed = parse_label(text, year)
    if parsed is None:
        return None
    return session.exec(
        select(Incident).where(Incident.year == parsed[0], Incident.number == parsed[1])
    ).first()


def load_history(session: Session, incident: Incident) -> History:
    """An incident's attachments, proposals and requests, oldest first."""
    attachments = session.exec(
        select(IncidentAttachment).where(IncidentAttachment.incident_id == incident.id)
    ).all()
    proposals = session.exec(
        select(Proposal).where(Proposal.incident_id == incident.id).order_by(col(Proposal.id))
    ).all()
    ids = [p.id for p in proposals]
    requests = (
        session.exec(
            select(UnitRequest)
            .where(col(UnitRequest.proposal_id).in_(ids))
            .order_by(col(UnitRequest.id))
        ).all()
        if ids
        else []
    )
    return History(incident, list(attachments), list(proposals), list(requests))
