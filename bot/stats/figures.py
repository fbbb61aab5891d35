"""The desk's figures over a period, reckoned from the records: what the charts and reports show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.camera.availability import CameraTime, camera_times, combined
from bot.config import Settings
from bot.db.models import (
    CameraAlert,
    EpzOutage,
    Incident,
    OutageKind,
    Proposal,
    ProposalKind,
    RequestStatus,
    UnitRequest,
)
from bot.epz.workdays import WorkCalendar
from bot.shifts import Roster
from bot.stats.periods import StatsPeriod

# An incident is counted under the handling of its latest proposal; None: nothing proposed yet.
IncidentKind = ProposalKind | None
INCIDENT_KINDS: tuple[IncidentKind, ...] = (*ProposalKind, None)


@dataclass(frozen=True)
class Reply:
    """One request to a unit or a named person, and how long its first reply took."""

    label: str
    addressee: str
    delivered_at: dt.datetime
    replied_at: dt.datetime | None
    # To the first reply (an acknowledgement or an answer at once), or so far when none came.
    waited: dt.timedelta
    breached: bool


@dataclass(frozen=True)
class CameraFigure:
    """One camera of the registry over the period."""

    number: str
    name: str
    place: str
    area: str
    unit: str
    time: CameraTime
    alerts: int
    false_alarms: int
    # EPZ outages that named this camera (their numbers).
    outages: tuple[int, ...] = ()


@dataclass(frozen=True)
class AreaFigure:
    """The cameras of one area together."""

    area: str
    cameras: int
    time: CameraTime


class Verdict(StrEnum):
    """Where an EPZ outage stands against its repair deadline."""

    MET = "met"
    LATE = "late"
    OPEN = "open"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class OutageFigure:
    """An EPZ outage under way in the period, its repair time against its deadline."""

    number: int
    enterprise_key: str
    enterprise: str
    kind: OutageKind
    cameras: tuple[str, ...]
    notified_at: dt.datetime
    restored_at: dt.datetime | None
    deadline: dt.date | None
    # Working days after the notice: allowed (to the deadline) and taken (to the repair, or
    # so far while it lasts), counted as the deadline is (bot/epz/workdays.py).
    allowed_days: int | None
    taken_days: int
    verdict: Verdict


@dataclass(frozen=True)
class Figures:
    """Everything the statistics of one period show."""

    period: StatsPeriod
    start: dt.datetime
    end: dt.datetime
    # The end, or now while the period is still running.
    until: dt.datetime
    reply_limit: dt.timedelta
    incidents: dict[dt.date, Counter[IncidentKind]]
    replies: tuple[Reply, ...]
    cameras: tuple[CameraFigure, ...]
    areas: tuple[AreaFigure, ...]
    outages: tuple[OutageFigure, ...]
    alerts: int = 0
    false_alarms: int = 0
    kinds: Counter[IncidentKind] = field(default_factory=Counter)

    @property
    def running(self) -> bool:
        """True while the period has not ended yet."""
        return self.until < self.end

    @property
    def incident_count(self) -> int:
        """Incidents of the period."""
        return sum(self.kinds.values())

    @property
    def breaches(self) -> int:
        """Requests whose first reply came (or has not come) after the limit."""
        return sum(1 for reply in self.replies if reply.breached)

    @property
    def unanswered(self) -> int:
        """Requests still without a reply."""
        return sum(1 for reply in self.replies if reply.replied_at is None)

    def median_reply(self) -> dt.timedelta | None:
        """The middle time to a first reply, of the requests that got one."""
        waits = sorted(reply.waited for reply in self.replies if reply.replied_at is not None)
        if not waits:
            return None
        middle = len(waits) // 2
        return waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2

    def camera_total(self) -> CameraTime:
        """Every camera together."""
        return combined(area.time for area in self.areas)

    def outage_count(self, verdict: Verdict) -> int:
        """Outages with a verdict."""
        return sum(1 for outage in self.outages if outage.verdict is verdict)


class Statistics:
    """Reckons a period's figures from the database (no Telegram, the clock passed in)."""

    def __init__(
        self, settings: Settings, engine: Engine, roster: Roster, calendar: WorkCalendar
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._roster = roster
        self._calendar = calendar

    def figures(self, period: StatsPeriod, now: dt.datetime) -> Figures:
        """The figures of a period, up to now if it is still running."""
        start = self._roster.window(period.first).starts_at
        end = self._roster.window(period.last).ends_at
        until = max(start, min(end, now))
        with Session(self._engine) as session:
            kinds = self._incident_kinds(session, period)
            outages = self._outages(session, start, until)
            cameras = self._cameras(session, start, until, outages)
            replies = self._replies(session, start, until)
        days = [day for day in period.days() if self._roster.window(day).starts_at < until]
        incidents: dict[dt.date, Counter[IncidentKind]] = {day: Counter() for day in days}
        for day, kind in kinds:
            incidents.setdefault(day, Counter())[kind] += 1
        return Figures(
            period=period,
            start=start,
            end=end,
            until=until,
            reply_limit=dt.timedelta(minutes=self._settings.escalation.reply_deadline_minutes),
            incidents=incidents,
            replies=replies,
            cameras=cameras,
            areas=_areas(cameras),
            outages=outages,
            alerts=sum(camera.alerts for camera in cameras),
            false_alarms=sum(camera.false_alarms for camera in cameras),
            kinds=Counter(kind for _, kind in kinds),
        )

    def _incident_kinds(
        self, session: Session, period: StatsPeriod
    ) -> list[tuple[dt.date, IncidentKind]]:
        """Each incident of the period's shifts with the handling of its latest proposal."""
        in_period = and_(
            col(Incident.shift_date) >= period.first, col(Incident.shift_date) <= period.last
        )
        incidents = session.exec(
            select(col(Incident.id), col(Incident.shift_date)).where(in_period)
        ).all()
        latest: dict[int, ProposalKind] = {}
        for incident_id, kind in session.exec(
            select(Proposal.incident_id, Proposal.kind)
            .join(Incident, col(Incident.id) == col(Proposal.incident_id))
            .where(in_period)
            .order_by(col(Proposal.created_at), col(Proposal.id))
        ):
            latest[incident_id] = ProposalKind(kind)
        return [(day, latest.get(incident_id or 0)) for incident_id, day in incidents]

    def _replies(
        self, session: Session, start: dt.datetime, until: dt.datetime
    ) -> tuple[Reply, ...]:
        """Requests delivered in the span, with the time to their first reply."""
        limit = dt.timedelta(minutes=self._settings.escalation.reply_deadline_minutes)
        rows = session.exec(
            select(UnitRequest, Incident)
            .join(Proposal, col(Proposal.id) == col(UnitRequest.proposal_id))
            .join(Incident, col(Incident.id) == col(Proposal.incident_id))
            .where(
                col(UnitRequest.delivered_at) >= start,
                col(UnitRequest.delivered_at) < until,
                # Telegram refused it: no clock ran, so no reply time can be held against them.
                col(UnitRequest.status) != RequestStatus.UNREACHABLE,
            )
            .order_by(col(UnitRequest.delivered_at), col(UnitRequest.id))
        ).all()
        replies = []
        for request, incident in rows:
            answers = [t for t in (request.acknowledged_at, request.reported_at) if t is not None]
            replied = min(answers) if answers else None
            waited = (replied or until) - request.delivered_at
            replies.append(
                Reply(
                    label=incident.label,
                    addressee=self._addressee(request),
                    delivered_at=request.delivered_at,
                    replied_at=replied,
                    waited=waited,
                    breached=request.breached_at is not None or waited > limit,
                )
            )
        return tuple(replies)

    def _addressee(self, request: UnitRequest) -> str:
        if request.person_id is not None:
            person = self._settings.person(request.person_id)
            return person.name if person else str(request.person_id)
        unit = self._settings.unit(request.unit_key)
        return unit.name if unit else request.unit_key

    def _cameras(
        self,
        session: Session,
        start: dt.datetime,
        until: dt.datetime,
        outages: tuple[OutageFigure, ...],
    ) -> tuple[CameraFigure, ...]:
        """Every camera of the registry: availability, faults, alerts, EPZ outages."""
        settings = self._settings
        numbers = [camera.number for camera in settings.cameras]
        times = camera_times(session, numbers, start, until)
        alerts: Counter[str] = Counter()
        false_alarms: Counter[str] = Counter()
        for number, false_by in session.exec(
            select(CameraAlert.camera, CameraAlert.false_alarm_by).where(
                col(CameraAlert.received_at) >= start, col(CameraAlert.received_at) < until
            )
        ):
            alerts[number] += 1
            if false_by:
                false_alarms[number] += 1
        figures = []
        for camera in settings.cameras:
            unit = settings.unit(camera.unit) if camera.unit else None
            named_in = tuple(
                outage.number
                for outage in outages
                if outage.enterprise_key == camera.enterprise and camera.number in outage.cameras
            )
            figures.append(
                CameraFigure(
                    number=camera.number,
                    name=camera.name,
                    place=camera.place,
                    area=camera.area,
                    unit=unit.name if unit else "",
                    time=times[camera.number],
                    alerts=alerts[camera.number],
                    false_alarms=false_alarms[camera.number],
                    outages=named_in,
                )
            )
        return tuple(figures)

    def _outages(
        self, session: Session, start: dt.datetime, until: dt.datetime
    ) -> tuple[OutageFigure, ...]:
        """EPZ outages under way at some time in the span, oldest first."""
        tz = self._settings.tz
        today = until.astimezone(tz).date()
        figures = []
        for outage in session.exec(
            select(EpzOutage)
            .where(col(EpzOutage.notified_at) < until)
            .order_by(col(EpzOutage.notified_at), col(EpzOutage.id))
        ):
            repaired = outage.restored_at or outage.closed_at
            if repaired is not None and repaired < start:
                continue
            if repaired is not None and repaired > until:
                # Repaired after the period: within it, the outage was still under way.
                repaired = None
            notified = outage.notified_at.astimezone(tz).date()
            finished = repaired.astimezone(tz).date() if repaired else today
            deadline = outage.deadline
            if repaired is not None:
                late = deadline is not None and finished > deadline
                verdict = Verdict.LATE if late else Verdict.MET
            else:
                overdue = deadline is not None and today > deadline
                verdict = Verdict.OVERDUE if overdue else Verdict.OPEN
            enterprise = self._settings.enterprise(outage.enterprise)
            figures.append(
                OutageFigure(
                    number=outage.id or 0,
                    enterprise_key=outage.enterprise,
                    enterprise=enterprise.name if enterprise else outage.enterprise,
                    kind=OutageKind(outage.kind),
                    cameras=tuple(outage.camera_numbers()),
                    notified_at=outage.notified_at,
                    restored_at=repaired,
                    deadline=deadline,
                    allowed_days=(
                        self._calendar.working_days_between(notified, deadline)
                        if deadline is not None
                        else None
                    ),
                    taken_days=self._calendar.working_days_between(notified, finished),
                    verdict=verdict,
                )
            )
        return tuple(figures)


def _areas(cameras: tuple[CameraFigure, ...]) -> tuple[AreaFigure, ...]:
    """The cameras grouped by area, in the registry's order of first appearance."""
    grouped: dict[str, list[CameraFigure]] = {}
    for camera in cameras:
        grouped.setdefault(camera.area, []).append(camera)
    return tuple(
        AreaFigure(area, len(members), combined(member.time for member in members))
        for area, members in grouped.items()
    )
