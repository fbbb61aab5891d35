"""/stats: a period's figures as an album of charts, with the figures in its caption."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.db.models import OutboxPriority
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.i18n import N_, Translator
from bot.paging import units
from bot.shifts import Right
from bot.stats import charts
from bot.stats.periods import parse_stats_period
from bot.stats.texts import summary_lines

# Telegram's limit on a photo's caption; a longer summary goes as a message before the album.
CAPTION_LIMIT = 1024


def usage(tr: Translator) -> str:
    """How to ask for statistics."""
    return "\n".join(
        [
            tr("Write which period, for example:"),
            "/stats week",
            "/stats last-month",
            "/stats quarter",
            "/stats 2026-11-01..2026-11-30",
            tr(
                "week, month or quarter (this one so far; weeks start on Monday), last-week, "
                "last-month or last-quarter, a month (2026-11), a quarter (2026-Q4), or a range "
                "of shifts from..to, at most a year. Without a period: this month."
            ),
        ]
    )


@requires(Right.VIEW, N_("Only people of the duty desk may see the statistics."))
async def cmd_stats(update: Update, context: Context) -> None:
    """Reckon the period asked for, draw its charts, and post them as one album."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    now = desk.clock.now()
    period = parse_stats_period(" ".join(context.args or []), desk.roster.shift_date_at(now))
    if period is None:
        reply(update, context, escape(usage(tr)))
        return
    # matplotlib is imported on the first chart only (bot/stats/charts.py); reckoning and
    # drawing are CPU work that stays off the loop serving everyone else.
    figures = await asyncio.to_thread(desk.stats.figures, period, now)
    drawn = await asyncio.to_thread(charts.render, figures, tr)
    summary = "\n".join(summary_lines(tr, figures))
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    caption = summary
    if units(summary) > CAPTION_LIMIT:
        desk.outbox.send(chat.id, summary, thread_id=thread_id, priority=OutboxPriority.REPLY)
        caption = ""
    desk.outbox.send_album(
        chat.id,
        [(chart.png, caption if index == 0 else "") for index, chart in enumerate(drawn)],
        thread_id=thread_id,
        priority=OutboxPriority.REPLY,
    )


def register(app: App) -> None:
    """Wire /stats."""
    app.add_handler(CommandHandler("stats", cmd_stats))
