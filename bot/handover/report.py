"""The daily report for the leadership: one shift in figures, posted once and kept."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from html import escape
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from bot.camera.availability import camera_times, combined
from bot.db.models import (
    DailyReport,
    EpzOutage,
    Incident,
    OutageStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    UnitRequest,
)
from bot.escalation.texts import KIND_LABELS
from bot.i18n import Translator
from bot.service import DeskService

# Decisions that let a proposal go ahead (to units, or up to the Director General).
APPROVED = (
    ProposalStatus.APPROVED,
    ProposalStatus.ESCALATED,
    ProposalStatus.ESCALATION_APPROVED,
    ProposalStatus.ESCALATION_REJECTED,
    ProposalStatus.URGENT_CONFIRMED,
)


def _count(session: Session, query: object) -> int:
    return int(session.exec(query).one())  # type: ignore[call-overload]


class DailyReports(DeskService):
    """Counts a shift's work, keeps the figures, and posts them to the group."""

    def get(self, shift_date: dt.date) -> DailyReport | None:
        """The kept report of a shift."""
        with Session(self._engine) as session:
            return session.exec(
                select(DailyReport).where(DailyReport.shift_date == shift_date)
            ).first()

    def latest(self) -> DailyReport | None:
        """The newest kept report."""
        with Session(self._engine) as session:
            return session.exec(
                select(DailyReport).order_by(col(DailyReport.shift_date).desc())
            ).first()

    def make(self, session: Session, shift_date: dt.date, now: dt.datetime) -> DailyReport:
        """Count a shift (up to now, at most to its end), keep and post the report, once."""
        existing = session.exec(
            select(DailyReport).where(DailyReport.shift_date == shift_date)
        ).first()
        if existing is not None:
            return existing
        window = self._roster.window(shift_date)
        start, end = window.starts_at, min(now, window.ends_at)
        report = self.count(session, shift_date, start, end)
        report.made_at = now
        report.text = "\n".join(
            report_lines(self._tr, report, self._settings.escalation.reply_deadline_minutes)
        )
        session.add(report)
        self._to_group(session, report.text, thread_id=self._settings.telegram.topics.reports)
        return report

    def count(
        self, session: Session, shift_date: dt.date, start: dt.datetime, end: dt.datetime
    ) -> DailyReport:
        """The figures of a shift between two moments."""

        def between(column: Any) -> ColumnElement[bool]:
            return and_(col(column) >= start, col(column) < end)

        kinds = Counter(
            ProposalKind(kind)
            for kind in session.exec(select(Proposal.kind).where(between(Proposal.created_at)))
        )
        decided = Counter(
            ProposalStatus(status)
            for status in session.exec(select(Proposal.status).where(between(Proposal.decided_at)))
        )
        cameras = combined(
            camera_times(
                session, [camera.number for camera in self._settings.cameras], start, end
            ).values()
        )
        today = end.astimezone(self._settings.tz).date()
        still_open = session.exec(
            select(EpzOutage).where(col(EpzOutage.status) != OutageStatus.CLOSED)
        ).all()
        return DailyReport(
            shift_date=shift_date,
            made_at=end,
            period_start=start,
            period_end=end,
            incidents=_count(
                session,
                select(func.count()).select_from(Incident).where(Incident.shift_date == shift_date),
            ),
            proposals=sum(kinds.values()),
            proposals_by_kind=json.dumps({k.value: n for k, n in sorted(kinds.items())}),
            approvals=sum(decided[status] for status in APPROVED),
            rejections=decided[ProposalStatus.REJECTED],
            unit_requests=_count(
                session,
                select(func.count())
                .select_from(UnitRequest)
                .where(between(UnitRequest.delivered_at)),
            ),
            breaches=_count(
                session,
                select(func.count())
                .select_from(UnitRequest)
                .where(between(UnitRequest.breached_at)),
            ),
            cameras_watched=cameras.watched,
            camera_availability=(
                round(cameras.availability, 1) if cameras.availability is not None else None
            ),
            camera_down_minutes=int(cameras.down.total_seconds() // 60),
            outages_opened=_count(
                session,
                select(func.count()).select_from(EpzOutage).where(between(EpzOutage.notified_at)),
            ),
            outages_closed=_count(
                session,
                select(func.count()).select_from(EpzOutage).where(between(EpzOutage.closed_at)),
            ),
            outages_overdue=sum(
                1
                for outage in still_open
                if (due := outage.new_date or outage.deadline) is not None and today > due
            ),
        )


def report_lines(tr: Translator, report: DailyReport, reply_minutes: int) -> list[str]:
    """A kept report as HTML lines in a reader's language; `reply_minutes`: the reply rule's."""
    by_kind = json.loads(report.proposals_by_kind or "{}")
    lines = [
        "📊 <b>"
        + escape(
            tr("Daily report of the duty shift of {date}").format(date=tr.date(report.shift_date))
        )
        + "</b>",
        f"{tr.datetime(report.period_start)} → {tr.datetime(report.period_end)}",
        "",
        escape(tr("Incidents: {count}").format(count=report.incidents)),
        escape(tr("Proposals: {count}").format(count=report.proposals)),
    ]
    lines += [
        "   • " + escape(f"{tr(KIND_LABELS[ProposalKind(kind)])}: {count}")
        for kind, count in by_kind.items()
    ]
    lines += [
        escape(
            tr("Approved: {approved} · rejected: {rejected}").format(
                approved=report.approvals, rejected=report.rejections
            )
        ),
        escape(tr("Requests to units: {count}").format(count=report.unit_requests)),
        ("🔴 " if report.breaches else "")
        + escape(
            tr("Breaches of the {minutes}-minute reply rule: {count}").format(
                minutes=reply_minutes, count=report.breaches
            )
        ),
    ]
    if report.camera_availability is None:
        lines.append(escape(tr("Camera availability: no camera was checked.")))
    else:
        down = report.camera_down_minutes
        lines.append(
            escape(
                tr(
                    "Camera availability: {percent}% over {cameras} checked cameras "
                    "(down {hours} h {minutes:02d} in all)"
                ).format(
                    percent=format_decimal(
                        report.camera_availability, format="0.0", locale=tr.locale
                    ),
                    cameras=report.cameras_watched,
                    hours=down // 60,
                    minutes=down % 60,
                )
            )
        )
    lines.append(
        escape(
            tr(
                "EPZ outages: {opened} notified, {closed} closed, {overdue} past their deadline"
            ).format(
                opened=report.outages_opened,
                closed=report.outages_closed,
                overdue=report.outages_overdue,
            )
        )
    )
    return lines
