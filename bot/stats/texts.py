"""How the statistics read: the names of kinds and verdicts, and the summary under the charts."""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.numbers import format_decimal

from bot.db.models import ProposalKind
from bot.i18n import N_, Translator
from bot.stats.figures import INCIDENT_KINDS, Figures, IncidentKind, Verdict

# Short enough for a chart's legend; the long names are in bot/escalation/texts.py.
KIND_NAMES: dict[IncidentKind, str] = {
    ProposalKind.REMINDER: N_("Reminder"),
    ProposalKind.INFORMATION: N_("Information request"),
    ProposalKind.COORDINATION: N_("Coordination request"),
    ProposalKind.INTERVENTION: N_("Intervention on cleared goods"),
    ProposalKind.MOBILE_EQUIPMENT: N_("Mobile equipment"),
    ProposalKind.INTERIM_MEASURE: N_("EPZ interim measure"),
    None: N_("Nothing proposed yet"),
}
VERDICT_NAMES = {
    Verdict.MET: N_("repaired within the deadline"),
    Verdict.LATE: N_("repaired after the deadline"),
    Verdict.OPEN: N_("under repair"),
    Verdict.OVERDUE: N_("under repair, past the deadline"),
}


def percent(tr: Translator, value: float) -> str:
    """97,6 or 97.6, in the reader's way of writing numbers."""
    return str(format_decimal(value, format="0.0", locale=tr.locale))


def duration(tr: Translator, span: dt.timedelta) -> str:
    """'17 h 20' (hours and minutes), in the reader's language."""
    minutes = int(span.total_seconds() // 60)
    return tr("{hours} h {minutes:02d}").format(hours=minutes // 60, minutes=minutes % 60)


def summary_lines(tr: Translator, figures: Figures) -> list[str]:
    """The period's figures in a few HTML lines: the album's caption."""
    period = figures.period
    lines = [
        "📊 <b>" + escape(tr("Statistics, {period}").format(period=period.name(tr))) + "</b>",
        escape(f"{tr.datetime(figures.start)} → {tr.datetime(figures.until)}")
        + (escape(" (" + tr("so far") + ")") if figures.running else ""),
        "",
    ]
    kinds = [
        f"{tr(KIND_NAMES[kind])}: {figures.kinds[kind]}"
        for kind in INCIDENT_KINDS
        if figures.kinds[kind]
    ]
    lines.append(
        escape(tr("Incidents: {count}").format(count=figures.incident_count))
        + (escape(" — " + " · ".join(kinds)) if kinds else "")
    )
    median = figures.median_reply()
    replies = tr("Requests: {count}").format(count=len(figures.replies))
    if median is not None:
        replies += " · " + tr("first reply after {minutes} min (median)").format(
            minutes=round(median.total_seconds() / 60)
        )
    limit = int(figures.reply_limit.total_seconds() // 60)
    lines.append(
        escape(replies)
        + " · "
        + ("🔴 " if figures.breaches else "")
        + escape(
            tr("past {limit} min: {count}").format(limit=limit, count=figures.breaches)
            + (
                " · " + tr("no reply yet: {count}").format(count=figures.unanswered)
                if figures.unanswered
                else ""
            )
        )
    )
    cameras = figures.camera_total()
    if cameras.availability is None:
        lines.append(escape(tr("Cameras: no camera was checked.")))
    else:
        lines.append(
            escape(
                tr(
                    "Cameras: {percent}% up over {cameras} checked · down {down} in all · "
                    "{faults} faults · {alerts} alerts"
                ).format(
                    percent=percent(tr, cameras.availability),
                    cameras=cameras.watched,
                    down=duration(tr, cameras.down),
                    faults=cameras.faults,
                    alerts=figures.alerts,
                )
            )
        )
    lines.append(
        escape(
            tr(
                "EPZ outages: {count} · within the deadline {met} · late {late} · "
                "under repair {open} (past the deadline {overdue})"
            ).format(
                count=len(figures.outages),
                met=figures.outage_count(Verdict.MET),
                late=figures.outage_count(Verdict.LATE),
                open=figures.outage_count(Verdict.OPEN) + figures.outage_count(Verdict.OVERDUE),
                overdue=figures.outage_count(Verdict.OVERDUE),
            )
        )
    )
    return lines
