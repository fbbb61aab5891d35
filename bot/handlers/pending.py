"""/pending: what waits for whom, with ages, at a glance."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.escalation.pending import waiting
from bot.escalation.texts import KIND_LABELS, age
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.i18n import N_
from bot.shifts import Right

NOT_ON_DESK = N_("Only people of the duty desk may see what is pending.")


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_pending(update: Update, context: Context) -> None:
    """List decisions owed by the shift leader, replies and results owed, undelivered requests."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    name_of = desk.escalation.ctx.addressee_name
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
            f"• {escape(incident.label)} · {escape(tr(KIND_LABELS[p.kind]))} · "
            + escape(tr("{age} ago").format(age=age(tr, p.created_at, now)))
            for p, incident in proposals
        ]
    if open_items.replies:
        lines += ["", "<b>" + escape(tr("Waiting for a unit's reply (30 minutes)")) + "</b>"]
        for request, incident in open_items.replies:
            unit = escape(name_of(request))
            if now > request.reply_due_at:
                state = "🔴 " + tr("{age} overdue").format(age=age(tr, request.reply_due_at, now))
            else:
                state = tr("{age} left").format(age=age(tr, now, request.reply_due_at))
            lines.append(f"• {escape(incident.label)} · {unit} · {escape(state)}")
    if open_items.results:
        lines += ["", "<b>" + escape(tr("Waiting for a unit's result")) + "</b>"]
        for request, incident in open_items.results:
            unit = escape(name_of(request))
            eta = tr.datetime(request.eta) if request.eta else "—"
            late = " 🔴" if request.eta and now > request.eta else ""
            lines.append(
                f"• {escape(incident.label)} · {unit} · "
                + escape(tr("expected {eta}").format(eta=eta))
                + late
            )
    if open_items.unreachable:
        lines += ["", "<b>" + escape(tr("Not delivered: contact them by phone")) + "</b>"]
        lines += [
            f"• {escape(incident.label)} · {escape(name_of(request))} · "
            + escape(tr("{age} ago").format(age=age(tr, request.delivered_at, now)))
            for request, incident in open_items.unreachable
        ]
    reply(update, context, "\n".join(lines))


def register(app: App) -> None:
    """Wire /pending."""
    app.add_handler(CommandHandler("pending", cmd_pending))
