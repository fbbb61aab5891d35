"""/pending: what waits for whom, with ages, at a glance."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.db.models import Handover
from bot.desk import Desk
from bot.escalation.pending import waiting
from bot.escalation.texts import KIND_LABELS, age, request_clock
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.i18n import N_, Translator
from bot.shifts import Right

NOT_ON_DESK = N_("Only people of the duty desk may see what is pending.")
# An urgent action waits for the shift leader only to be confirmed: it was sent already.
TO_CONFIRM = N_("sent at once, to be confirmed")


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_pending(update: Update, context: Context) -> None:
    """List decisions owed by the shift leader, replies and results owed, undelivered requests."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    name_of = desk.context.addressee_name
    open_items = waiting(desk.engine)
    lines = ["⏳ <b>" + escape(tr("Pending")) + "</b>"]
    if open_items.empty():
        lines.append(escape(tr("Nothing is waiting.")))
    for heading, proposals in (
        (N_("Waiting for the shift leader"), open_items.proposals),
        (N_("Waiting for a branch head (EPZ interim measures)"), open_items.branch_decisions),
    ):
        if not proposals:
            continue
        lines += ["", "<b>" + escape(tr(heading)) + "</b>"]
        lines += [
            "• "
            + (urgent_mark(tr) + escape(tr(TO_CONFIRM)) + " · " if p.urgent_case else "")
            + f"{escape(incident.label)} · {escape(tr(KIND_LABELS[p.kind]))} · "
            + escape(tr("{age} ago").format(age=age(tr, p.created_at, now)))
            for p, incident in proposals
        ]
    reply_minutes = desk.settings.escalation.reply_deadline_minutes
    for heading, requests in (
        (N_("Waiting for a unit's reply ({minutes} minutes)"), open_items.replies),
        (N_("Waiting for a unit's result"), open_items.results),
    ):
        if not requests:
            continue
        lines += ["", "<b>" + escape(tr(heading).format(minutes=reply_minutes)) + "</b>"]
        lines += [
            "• "
            + (urgent_mark(tr) if request.proposal_id in open_items.urgent_proposals else "")
            + f"{escape(incident.label)} · {escape(name_of(request))} · "
            + request_clock(tr, request, now)
            for request, incident in requests
        ]
    if open_items.unreachable:
        lines += ["", "<b>" + escape(tr("Not delivered: contact them by phone")) + "</b>"]
        lines += [
            f"• {escape(incident.label)} · {escape(name_of(request))} · "
            + escape(tr("{age} ago").format(age=age(tr, request.delivered_at, now)))
            for request, incident in open_items.unreachable
        ]
    if open_items.handovers:
        lines += ["", "<b>" + escape(tr("Handovers not yet accepted")) + "</b>"]
        lines += [f"• {escape(open_handover(tr, desk, h))}" for h in open_items.handovers]
    reply(update, context, "\n".join(lines))


def urgent_mark(tr: Translator) -> str:
    """The mark of an urgent action (888 Art. 8.1), as its card and the unit's request show it."""
    return "🆘 <b>" + escape(tr("URGENT")) + "</b> "


def open_handover(tr: Translator, desk: Desk, handover: Handover) -> str:
    """An open handover: its shift, who must accept it, since when."""
    incoming = desk.roster.person(handover.incoming_leader_id or 0)
    return tr("shift of {date} · for {incoming} · {age} ago").format(
        date=tr.date(handover.shift_date),
        incoming=incoming.name if incoming else "—",
        age=age(tr, handover.prepared_at, desk.clock.now()),
    )


def register(app: App) -> None:
    """Wire /pending."""
    app.add_handler(CommandHandler("pending", cmd_pending))
