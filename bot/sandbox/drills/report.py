"""The drill report: which duty rules were kept and how long each step took, from the records.

Everything is read from the bot's own database (alerts, incidents, proposals, unit requests,
EPZ outages, the logbook) for the drill's span, never from the script.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.config import Settings
from bot.db.models import (
    CameraAlert,
    EpzOutage,
    Incident,
    LogbookEntry,
    OutageStatus,
    Proposal,
    ProposalStatus,
    UnitRequest,
)
from bot.i18n import N_, Translator

_URGENT = frozenset({ProposalStatus.URGENT_SENT, ProposalStatus.URGENT_CONFIRMED})
_DECIDED_YES = frozenset({ProposalStatus.APPROVED, ProposalStatus.ESCALATION_APPROVED})


class Verdict(StrEnum):
    """How a rule fared in the drill."""

    MET = "met"
    BREACHED = "breached"
    OPEN = "open"
    NOT_APPLICABLE = "n/a"


VERDICT_LABELS = {
    Verdict.MET: N_("met"),
    Verdict.BREACHED: N_("breached"),
    Verdict.OPEN: N_("still open"),
    Verdict.NOT_APPLICABLE: N_("not applicable"),
}
VERDICT_SIGNS = {
    Verdict.MET: "✅",
    Verdict.BREACHED: "❌",
    Verdict.OPEN: "⏳",
    Verdict.NOT_APPLICABLE: "➖",
}


@dataclass
class Check:
    """One rule applied to one case: which, about what, the verdict and its why."""

    rule: str
    subject: str
    verdict: Verdict
    detail: str
    # How long the step took, or a date, after the detail.
    value: dt.timedelta | str = ""
    # A marked text before the subject (e.g. "outage no."), translated in the report.
    subject_kind: str = ""
    # The minutes a rule like "reply within {minutes} minutes" names (the configured deadline).
    minutes: int | None = None


@dataclass
class Stage:
    """One step of a case and when it happened."""

    label: str
    at: dt.datetime
    # The minutes a label like "{minutes} minutes passed without a reply" names.
    minutes: int | None = None


@dataclass
class Found:
    """What the records show for a drill's span."""

    begin: dt.datetime
    end: dt.datetime
    checks: list[Check] = field(default_factory=list)
    timelines: dict[str, list[Stage]] = field(default_factory=dict)
    alerts: int = 0
    logbook_entries: int = 0


def _span(tr: Translator, span: dt.timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 60:
        return tr("{seconds} s").format(seconds=seconds)
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return tr("{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")
    return tr("{minutes} min").format(minutes=minutes)


def _label(incident: Incident) -> str:
    return f"{incident.year}/{incident.number:04d}"


def build(engine: Engine, settings: Settings, begin: dt.datetime, end: dt.datetime) -> Found:
    """Read the drill's span from the database."""
    found = Found(begin, end)
    with Session(engine) as session:
        found.alerts = session.exec(
            select(func.count()).select_from(CameraAlert).where(CameraAlert.received_at >= begin)
        ).one()
        found.logbook_entries = session.exec(
            select(func.count()).select_from(LogbookEntry).where(LogbookEntry.recorded_at >= begin)
        ).one()
        incidents = session.exec(
            select(Incident).where(Incident.received_at >= begin).order_by(col(Incident.id))
        ).all()
        for incident in incidents:
            _incident(session, found, incident)
        outages = session.exec(
            select(EpzOutage).where(EpzOutage.notified_at >= begin).order_by(col(EpzOutage.id))
        ).all()
        for outage in outages:
            _outage(found, settings, outage)
    return found


def _incident(session: Session, found: Found, incident: Incident) -> None:
    label = _label(incident)
    stages: list[Stage] = []
    alert = session.exec(select(CameraAlert).where(CameraAlert.incident_id == incident.id)).first()
    if alert is not None:
        stages.append(Stage(N_("camera alert received"), alert.received_at))
    stages.append(Stage(N_("incident opened"), incident.received_at))
    proposals = session.exec(
        select(Proposal).where(Proposal.incident_id == incident.id).order_by(col(Proposal.id))
    ).all()
    for proposal in proposals:
        stages.append(Stage(N_("handling proposed"), proposal.created_at))
        if proposal.decided_at is not None:
            stages.append(Stage(N_("decided by the shift leader"), proposal.decided_at))
        requests = session.exec(
            select(UnitRequest)
            .where(UnitRequest.proposal_id == proposal.id)
            .order_by(col(UnitRequest.id))
        ).all()
        found.checks.append(_approval(label, proposal, requests))
        for request in requests:
            stages.append(Stage(N_("request delivered to the unit"), request.delivered_at))
            if request.breached_at is not None:
                stages.append(
                    Stage(
                        N_("{minutes} minutes passed without a reply"),
                        request.breached_at,
                        allowed_minutes(request),
                    )
                )
            if request.acknowledged_at is not None:
                stages.append(Stage(N_("the unit acknowledged"), request.acknowledged_at))
            if request.reported_at is not None:
                stages.append(Stage(N_("the unit reported its result"), request.reported_at))
            found.checks.append(_reply(label, request, found.end))
    found.timelines[label] = sorted(stages, key=lambda s: s.at)


def _approval(label: str, proposal: Proposal, requests: Sequence[UnitRequest]) -> Check:
    rule = N_("approval before action")
    if proposal.status in _URGENT:
        return Check(rule, label, Verdict.NOT_APPLICABLE, N_("urgent action (Art. 8.1)"))
    early = [
        r for r in requests if proposal.decided_at is None or r.delivered_at < proposal.decided_at
    ]
    if early:
        return Check(rule, label, Verdict.BREACHED, N_("sent before the decision"))
    if proposal.decided_at is None:
        return Check(rule, label, Verdict.OPEN, N_("nothing sent: waiting for the decision"))
    waited = proposal.decided_at - proposal.created_at
    if proposal.status in _DECIDED_YES:
        return Check(rule, label, Verdict.MET, N_("approved after"), waited)
    return Check(rule, label, Verdict.MET, N_("refused after"), waited)


def allowed_minutes(request: UnitRequest) -> int:
    """The reply time a request was given (the deadline configured when it was delivered)."""
    return round((request.reply_due_at - request.delivered_at).total_seconds() / 60)


def _reply(label: str, request: UnitRequest, end: dt.datetime) -> Check:
    rule, minutes = N_("reply within {minutes} minutes"), allowed_minutes(request)
    subject = f"{label} · {request.unit_key or request.person_id}"
    if request.acknowledged_at is not None:
        took = request.acknowledged_at - request.delivered_at
        late = request.acknowledged_at > request.reply_due_at or request.breached_at is not None
        verdict = Verdict.BREACHED if late else Verdict.MET
        return Check(rule, subject, verdict, N_("replied after"), took, minutes=minutes)
    if request.breached_at is not None or end > request.reply_due_at:
        took = end - request.delivered_at
        return Check(rule, subject, Verdict.BREACHED, N_("no reply after"), took, minutes=minutes)
    return Check(rule, subject, Verdict.OPEN, N_("waiting for the reply"), minutes=minutes)


def _outage(found: Found, settings: Settings, outage: EpzOutage) -> None:
    rule = N_("EPZ repair deadline")
    subject, kind = str(outage.id), N_("outage no.")
    stages = [Stage(N_("outage notified"), outage.notified_at)]
    if outage.restored_at is not None:
        stages.append(Stage(N_("restoration reported"), outage.restored_at))
    if outage.closed_at is not None:
        stages.append(Stage(N_("outage closed"), outage.closed_at))
    found.timelines[f"{kind} {subject}"] = stages
    if outage.deadline is None:
        verdict, value = Verdict.NOT_APPLICABLE, ""
    elif outage.status == OutageStatus.CLOSED:
        verdict = Verdict.MET if outage.met_deadline else Verdict.BREACHED
        value = outage.deadline.strftime("%d/%m/%Y")
    else:
        today = found.end.astimezone(settings.tz).date()
        verdict = Verdict.BREACHED if today > outage.deadline else Verdict.OPEN
        value = outage.deadline.strftime("%d/%m/%Y")
    detail = N_("deadline") if outage.deadline else N_("no deadline")
    found.checks.append(Check(rule, subject, verdict, detail, value, subject_kind=kind))


def _subject(tr: Translator, subject: str) -> str:
    """A timeline's subject: an incident's number, or a marked kind and a number."""
    kind, _, number = subject.rpartition(" ")
    return f"{tr(kind)} {number}" if kind else subject


def _with_minutes(text: str, minutes: int | None) -> str:
    return text if minutes is None else text.format(minutes=minutes)


def _value(tr: Translator, value: dt.timedelta | str) -> str:
    return _span(tr, value) if isinstance(value, dt.timedelta) else value


def as_json(tr: Translator, found: Found) -> dict[str, Any]:
    """The report for the page."""
    return {
        "checks": [
            {
                "rule": _with_minutes(tr(c.rule), c.minutes),
                "subject": f"{tr(c.subject_kind)} {c.subject}" if c.subject_kind else c.subject,
                "verdict": c.verdict.value,
                "verdict_label": tr(VERDICT_LABELS[c.verdict]),
                "detail": f"{tr(c.detail)} {_value(tr, c.value)}".strip(),
            }
            for c in found.checks
        ],
        "timelines": [
            {
                "subject": _subject(tr, subject),
                "stages": _stages(tr, stages),
            }
            for subject, stages in found.timelines.items()
        ],
        "alerts": found.alerts,
        "logbook_entries": found.logbook_entries,
        "breached": sum(c.verdict is Verdict.BREACHED for c in found.checks),
        "met": sum(c.verdict is Verdict.MET for c in found.checks),
    }


def _stages(tr: Translator, stages: list[Stage]) -> list[dict[str, str]]:
    rows = []
    previous: dt.datetime | None = None
    for stage in stages:
        rows.append(
            {
                "label": _with_minutes(tr(stage.label), stage.minutes),
                "at": tr.datetime(stage.at),
                "after": _span(tr, stage.at - previous) if previous is not None else "",
            }
        )
        previous = stage.at
    return rows


def as_text(tr: Translator, title: str, found: Found, error: str | None) -> str:
    """The report as a plain text file."""
    data = as_json(tr, found)
    lines = [
        tr("Drill report: {title}").format(title=title),
        tr("From {begin} to {end} (drill clock)").format(
            begin=tr.datetime(found.begin), end=tr.datetime(found.end)
        ),
        "",
        tr("Rules").upper(),
    ]
    for check in data["checks"]:
        sign = VERDICT_SIGNS[Verdict(check["verdict"])]
        lines.append(
            f"{sign} {check['rule']} — {check['subject']}: {check['verdict_label']} "
            f"({check['detail']})"
        )
    if not data["checks"]:
        lines.append(tr("Nothing in the records to check."))
    for timeline in data["timelines"]:
        lines += ["", timeline["subject"]]
        for stage in timeline["stages"]:
            after = f"  (+{stage['after']})" if stage["after"] else ""
            lines.append(f"  {stage['at']}  {stage['label']}{after}")
    lines += [
        "",
        tr("Camera alerts: {alerts}. Logbook entries written: {entries}.").format(
            alerts=data["alerts"], entries=data["logbook_entries"]
        ),
    ]
    if error:
        lines.append(tr("The drill stopped early: {error}").format(error=error))
    return "\n".join(lines) + "\n"
