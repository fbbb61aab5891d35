"""/export: an official document drawn from the records, sent to the chat as a file."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.db.models import OutboxPriority
from bot.documents.asks import MISSING, ExportAsk, Subject, parse_ask
from bot.documents.service import Exported, Missing
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.i18n import N_, Translator
from bot.shifts import Right

ANNEX_NAMES = {
    "annex2": N_("Annex II, request to coordinate"),
    "annex3": N_("Annex III, proposal and decision"),
    "annex4": N_("Annex IV, result report"),
    "annex5": N_("Annex V, online-monitoring coordination request"),
}


def usage(tr: Translator) -> str:
    """How to ask for a document."""
    return "\n".join(
        [
            tr("Write what you need, for example:"),
            "/export logbook today pdf",
            "/export logbook 2026-11-01..2026-11-30 xlsx",
            "/export incident 2026/0001 annex2 docx",
            "/export outage 1 pdf",
            "/export equipment last-month docx",
            tr(
                "Logbook: today, yesterday, a date (2026-11-25) or a range (from..to); "
                "DOCX, XLSX or PDF. Incident: annex2 (request to coordinate), annex3 (proposal "
                "and decision, the default), annex4 (result report), annex5 (online-monitoring "
                "request); DOCX or PDF. Outage: the 247 Annex II notice. PDF by default."
            ),
            tr(
                "Equipment: the monthly or quarterly equipment status report (Decision 96 part "
                "III) of month, quarter, last-month, last-quarter, a month (2026-11), a quarter "
                "(2026-Q4) or a range; DOCX, XLSX or PDF."
            ),
        ]
    )


def _caption(tr: Translator, ask: ExportAsk) -> str:
    if ask.subject is Subject.LOGBOOK:
        assert ask.period is not None
        first, last = ask.period.first, ask.period.last
        if first == last:
            return tr("Duty logbook (Annex I), shift of {date}.").format(date=tr.date(first))
        return tr("Duty logbook (Annex I), shifts {first} to {last}.").format(
            first=tr.date(first), last=tr.date(last)
        )
    if ask.subject is Subject.OUTAGE:
        return tr("EPZ fault notice (247 Annex II), outage no. {number}.").format(number=ask.outage)
    if ask.subject is Subject.EQUIPMENT:
        assert ask.report_period is not None
        return tr("Equipment status report (Decision 96 part III), {period}.").format(
            period=ask.report_period.name(tr)
        )
    return tr("{annex} of incident {label}.").format(
        annex=tr(ANNEX_NAMES[ask.annex.value]), label=ask.label
    )


@requires(Right.EXPORT, N_("Only the people on the current shift may export documents."))
async def cmd_export(update: Update, context: Context) -> None:
    """Draw the document asked for and send it to the chat through the outbox."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    now = desk.clock.now()
    ask = parse_ask(list(context.args or []), desk.roster.shift_date_at(now))
    if ask is None:
        reply(update, context, escape(usage(tr)))
        return
    documents = desk.documents
    made: Exported | Missing
    # Laying out a month of the logbook is CPU work; the loop keeps serving others meanwhile.
    if ask.subject is Subject.LOGBOOK:
        assert ask.period is not None
        made = await asyncio.to_thread(documents.logbook, ask.period, ask.fmt, now)
    elif ask.subject is Subject.OUTAGE:
        made = await asyncio.to_thread(documents.outage, ask.outage, ask.fmt)
    elif ask.subject is Subject.EQUIPMENT:
        assert ask.report_period is not None
        made = await asyncio.to_thread(documents.equipment, ask.report_period, ask.fmt, now)
    else:
        made = await asyncio.to_thread(documents.incident, ask.label, ask.annex, ask.fmt, now)
    if isinstance(made, Missing):
        what = str(ask.outage) if ask.subject is Subject.OUTAGE else ask.label
        reply(update, context, escape(tr(MISSING[made]).format(what=what)))
        return
    desk.outbox.send_document(
        chat.id,
        made.data,
        made.filename,
        escape(_caption(tr, ask)),
        thread_id=message.message_thread_id if message and message.is_topic_message else None,
        priority=OutboxPriority.REPLY,
    )


def register(app: App) -> None:
    """Wire /export."""
    app.add_handler(CommandHandler("export", cmd_export))
