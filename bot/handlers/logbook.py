"""/log, the 📌 reaction and /logbook: writing and reading the duty logbook from a chat."""

from __future__ import annotations

import datetime as dt
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageReactionHandler

from bot.db.models import OutboxPriority
from bot.handlers.buttons import button, turn_in_place
from bot.handlers.common import App, Context, desk_of, reply, requires, telegram_name, tr_for
from bot.handlers.conversation import RECORDED_REACTION, author_of
from bot.i18n import N_, Translator
from bot.logbook.buttons import PREFIX as PAGE_PREFIX
from bot.logbook.buttons import PageTurn, read_page_turn
from bot.logbook.hashtags import strip_command
from bot.logbook.service import Author, Outcome
from bot.logbook.view import WHOLE_SHIFT, shift_screen, written_notice
from bot.shifts import Right
from bot.values import sane_day

PIN = "📌"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")


NOT_ON_SHIFT = N_(
    "Only the people rostered on the current shift may write the duty logbook. "
    "See /shift for who is on duty now."
)
NOT_ON_DESK = N_("Only people of the duty desk may read its logbook.")


def usage_log(tr: Translator) -> str:
    """How to use /log."""
    return tr(
        "Write /log followed by the text, or reply /log to a message to copy it into the "
        "logbook. Hashtags choose the column: #vuviec (incident), #chidao (direction), "
        "#ketqua (result), #ghichu (notes); without one the text goes under work performed."
    )


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
async def cmd_log(update: Update, context: Context) -> None:
    """Write an explicit logbook entry from the command's text or the message it replies to."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    own_text = strip_command(message.text or "").strip()
    target = message.reply_to_message
    author = author_of(message)
    if target is not None and (target.text or target.caption):
        recorded = desk.logbook.write(
            author,
            target.text or target.caption or "",
            message.date,
            source=(target.chat_id, target.message_id),
            source_key=f"log:{message.chat_id}:{message.message_id}",
            note=own_text,
        )
    else:
        recorded = desk.logbook.write(
            author,
            own_text,
            message.date,
            source=(message.chat_id, message.message_id),
            source_key=f"log:{message.chat_id}:{message.message_id}",
        )
    if recorded.outcome is Outcome.ENTRY:
        reply(update, context, written_notice(tr, recorded.entries[0]))
    elif recorded.outcome is Outcome.EMPTY:
        reply(update, context, escape(usage_log(tr)))
    elif recorded.outcome is Outcome.NOT_ALLOWED:
        reply(update, context, escape(tr(NOT_ON_SHIFT)))


async def on_reaction(update: Update, context: Context) -> None:
    """A 📌 on a duty-group message makes it a logbook entry."""
    reaction = update.message_reaction
    user = update.effective_user
    if reaction is None or user is None or reaction.chat.id != desk_of(context).group_id:
        return
    new = {getattr(r, "emoji", None) for r in reaction.new_reaction}
    old = {getattr(r, "emoji", None) for r in reaction.old_reaction}
    if PIN not in new or PIN in old:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    chat_id, message_id = reaction.chat.id, reaction.message_id
    pinner = Author(user.id, telegram_name(user))
    recorded = desk.logbook.pin(pinner, chat_id, message_id, reaction.date)
    if recorded.outcome is Outcome.ENTRY:
        # The ✍ answers the 📌 just put on, however old the message pinned is.
        desk.outbox.react(chat_id, message_id, RECORDED_REACTION, message_date=reaction.date)
    elif recorded.outcome is Outcome.NOT_ALLOWED:
        desk.outbox.send(
            chat_id,
            escape(tr(NOT_ON_SHIFT)),
            reply_to=message_id,
            priority=OutboxPriority.REPLY,
        )
    elif recorded.outcome in (Outcome.NOT_FOUND, Outcome.EMPTY):
        desk.outbox.send(
            chat_id,
            escape(
                tr(
                    "This message cannot be pinned to the logbook: it has no text, or it was "
                    "sent before the bot could read the group. Use /log with the text instead."
                )
            ),
            reply_to=message_id,
            priority=OutboxPriority.REPLY,
        )


def parse_day(text: str) -> dt.date | None:
    """Read a date as 2026-11-25 or 25/11/2026, in ASCII digits, within the logbook's years."""
    text = text.strip()
    if not text.isascii():
        # strptime takes other scripts' digits ("٢٠٢٦"); nobody at the desk writes them.
        return None
    for pattern in DATE_FORMATS:
        try:
            return sane_day(dt.datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    return None


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_logbook(update: Update, context: Context) -> None:
    """Show the current shift's logbook (or a given shift's), one page at a time."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    shift_date = desk.roster.shift_date_at(desk.clock.now())
    if context.args:
        asked = parse_day(context.args[0])
        if asked is None:
            reply(
                update,
                context,
                escape(
                    tr(
                        "I could not read the date {given!r}. Write it as 25/11/2026 or "
                        "2026-11-25, or leave it out for the current shift."
                    ).format(given=context.args[0])
                ),
            )
            return
        shift_date = asked
    whole = desk.logbook.page(shift_date, 0, WHOLE_SHIFT)
    screen = shift_screen(tr, whole, desk.roster.window(shift_date), 0)
    reply(update, context, screen.text, screen.buttons)


@requires(Right.VIEW, NOT_ON_DESK)
@button(read_page_turn)
async def on_logbook_page(update: Update, context: Context, turn: PageTurn) -> None:
    """Turn a logbook page in place (only a message carrying this button: see buttons.py)."""
    desk = desk_of(context)
    whole = desk.logbook.page(turn.day, 0, WHOLE_SHIFT)
    screen = shift_screen(tr_for(update, context), whole, desk.roster.window(turn.day), turn.page)
    await turn_in_place(update, context, screen)


def register(app: App, group_id: int | None) -> None:
    """Wire the logbook commands, reaction and page buttons."""
    app.add_handler(CommandHandler("log", cmd_log))
    app.add_handler(CommandHandler("logbook", cmd_logbook))
    app.add_handler(CallbackQueryHandler(on_logbook_page, pattern=f"^{PAGE_PREFIX}:"))
    if group_id is not None:
        # on_reaction keeps to the duty group under its current id (an upgrade changes it).
        app.add_handler(MessageReactionHandler(on_reaction))
