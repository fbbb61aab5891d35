"""/gatelog: an outage's gate movements, listed and sent as an XLSX file for inspection."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.config import Enterprise
from bot.db.models import EpzOutage, OutboxPriority
from bot.epz import gatelog_export
from bot.handlers.common import App, Context, desk_of, has_right, reply, tr_for
from bot.i18n import Translator
from bot.shifts import Right
from bot.values import row_id

# A phone screen's worth; the file has every line.
LISTED = 30


def usage(tr: Translator, numbers: list[int]) -> str:
    """Say how to ask for a gate log, and which outages there are."""
    return tr(
        "Write /gatelog followed by an outage number, e.g. /gatelog {example}. Outages: {numbers}."
    ).format(
        example=numbers[-1] if numbers else 1,
        numbers=", ".join(str(n) for n in numbers) or "—",
    )


async def cmd_gatelog(update: Update, context: Context) -> None:
    """List an outage's gate movements and send them as an XLSX document."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    own = desk.enrolment.enterprise_of(user.id)
    if own is None and not has_right(update, context, Right.VIEW):
        reply(
            update,
            context,
            escape(tr("Only the duty desk, or the enterprise's own contact, may see a gate log.")),
        )
        return
    # A contact sees its own enterprise's outages only; the desk sees all.
    outages = desk.outages.of_enterprise(own.key if own else None)
    numbers = [o.id for o in outages if o.id is not None]
    given = " ".join(context.args or []).strip().removeprefix("#")
    number = row_id(given)
    outage: EpzOutage | None
    if not given and own is not None and outages:
        outage = outages[-1]
    elif number is not None:
        outage = next((o for o in outages if o.id == number), None)
        if outage is None:
            problem = (
                tr("Outage no. {number} is not one of {name}'s.").format(
                    number=given, name=own.name
                )
                if own is not None and desk.outages.get(number) is not None
                else tr("There is no outage no. {number}.").format(number=given)
            )
            reply(update, context, escape(problem + " " + usage(tr, numbers)))
            return
    else:
        reply(update, context, escape(usage(tr, numbers)))
        return
    enterprise = desk.settings.enterprise(outage.enterprise)
    if enterprise is None or outage.id is None:
        reply(update, context, escape(tr("This no longer exists.")))
        return
    await send_gate_log(update, context, enterprise, outage)


async def send_gate_log(
    update: Update, context: Context, enterprise: Enterprise, outage: EpzOutage
) -> None:
    """The listing as a message, then the workbook as a document."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    chat = update.effective_chat
    assert chat is not None and outage.id is not None
    rows = desk.outages.gate_log_rows(outage.id)
    heading = tr.plural(
        "Gate log of outage no. {number} ({name}): {count} movement.",
        "Gate log of outage no. {number} ({name}): {count} movements.",
        len(rows),
    ).format(number=outage.id, name=enterprise.name, count=len(rows))
    directions = {"in": tr("in"), "out": tr("out")}
    lines = [
        f"{tr.datetime(row.record.at)} · {directions.get(row.record.direction, '?')} · "
        f"{row.record.plate}" + (f" · {row.record.container}" if row.record.container else "")
        for row in rows[:LISTED]
    ]
    if len(rows) > LISTED:
        lines.append(tr("… and {more} more in the file.").format(more=len(rows) - LISTED))
    reply(update, context, "\n".join(["🚚 <b>" + escape(heading) + "</b>", *map(escape, lines)]))
    # openpyxl is CPU work; the loop keeps serving others meanwhile.
    data = await asyncio.to_thread(
        gatelog_export.workbook, enterprise, outage, rows, desk.settings.tz
    )
    desk.outbox.send_document(
        chat.id,
        data,
        gatelog_export.filename(outage),
        escape(tr("Gate log of outage no. {number}, for inspection.").format(number=outage.id)),
        priority=OutboxPriority.REPLY,
    )


def register(app: App) -> None:
    """Wire /gatelog."""
    app.add_handler(CommandHandler("gatelog", cmd_gatelog))
