"""Button presses read at the edge: a press counts only for a button its message carries.

Telegram attaches the message a button belongs to, as its server holds it, to every press; a
modified client can send any data with a press, but not change that message. So a press whose
data is not one of its message's buttons (forged, or left over from before the message was
edited) is refused with a pop-up and changes nothing. Each feature then reads its data into
typed values with `button(codec.read)` (each feature's codec: `bot/button_data.py`), and
refuses what does not parse the same way.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection, Coroutine
from html import escape
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, TypeHandler

from bot.button_data import ActionCodec
from bot.button_data import ActionPress as ActionPress
from bot.db.models import OutboxPriority
from bot.handlers.common import App, Context, Handler, answer_quietly, desk_of, tr_for
from bot.i18n import N_
from bot.outbox.screens import Screen

log = logging.getLogger(__name__)

# After the access gate (-100), before the conversation record (-50) and every feature.
PRESS_GROUP = -90
NO_LONGER_VALID = N_("This button is no longer valid. Use the newest message, or ask again.")

T = TypeVar("T")
PressHandler = Callable[[Update, Context, T], Coroutine[Any, Any, None]]


def offered(message: object, data: str, bot_id: int) -> bool:
    """True if the message is the bot's own and carries an inline button with exactly this data.

    A message deleted or too old for Telegram to attach (an InaccessibleMessage) offers nothing.
    """
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    if message.from_user is None or message.from_user.id != bot_id:
        return False
    return any(
        button.callback_data == data
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def refuse_press(update: Update, context: Context) -> None:
    """Tell the presser, in their language, that the button no longer does anything."""
    await answer_quietly(update, tr_for(update, context)(NO_LONGER_VALID), alert=True)


async def confirm_choice(update: Update, context: Context, text: str) -> None:
    """A menu's choice is made: the menu says what was chosen in place of its buttons, and so
    does the pop-up (a menu left with live buttons invites a second, stale press)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    desk_of(context).outbox.edit(
        query.message.chat.id,
        query.message.message_id,
        escape(text),
        buttons=[],
        priority=OutboxPriority.REPLY,
    )
    await query.answer(text)


async def check_press(update: Update, context: Context) -> None:
    """Stop a press whose data its message does not offer."""
    query = update.callback_query
    if query is None:
        return
    data = query.data if isinstance(query.data, str) else ""
    if data and offered(query.message, data, context.bot.id):
        return
    user = update.effective_user
    log.info("Refused a press of %r by user %s", data[:64], user.id if user else None)
    await refuse_press(update, context)
    raise ApplicationHandlerStop


async def on_unknown_press(update: Update, context: Context) -> None:
    """A press no feature takes (a button of an older version of the bot)."""
    await refuse_press(update, context)


def button(parse: Callable[[str], T | None]) -> Callable[[PressHandler[T]], Handler]:
    """Give a press handler its data parsed, or refuse the press when it does not parse."""

    def wrap(handler: PressHandler[T]) -> Handler:
        @functools.wraps(handler)
        async def parsed(update: Update, context: Context) -> None:
            query = update.callback_query
            value = parse(query.data or "") if query is not None else None
            if value is None:
                await refuse_press(update, context)
                return
            await handler(update, context, value)

        return parsed

    return wrap


def action_and_id(
    prefixes: Collection[str], actions: Collection[str]
) -> Callable[[str], ActionPress | None]:
    """The reader of a feature's "<prefix>:<action>:<row id>" buttons (see `ActionCodec`)."""
    return ActionCodec(prefixes, actions).read


def register_guard(app: App) -> None:
    """Check every press against its message before any feature sees it."""
    app.add_handler(TypeHandler(Update, check_press), group=PRESS_GROUP)


def register_catch_all(app: App) -> None:
    """Answer presses no feature took; wired after every feature."""
    app.add_handler(CallbackQueryHandler(on_unknown_press))


async def turn_in_place(update: Update, context: Context, screen: Screen | None) -> None:
    """Show another page of a paged message in the message whose button was pressed.

    None, or a message Telegram no longer attaches, is a page that cannot be shown: refused.
    """
    query = update.callback_query
    assert query is not None
    if query.message is None or screen is None:
        await refuse_press(update, context)
        return
    desk_of(context).outbox.edit(
        query.message.chat.id,
        query.message.message_id,
        screen.text,
        buttons=screen.buttons,
        priority=OutboxPriority.REPLY,
    )
    await query.answer()
