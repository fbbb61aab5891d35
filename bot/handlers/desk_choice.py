"""/desk: which duty room a chat belongs to, and, for someone in several, the one to deal with.

A group is always its own desk's. A person known to several desks (An leads a shift in one and
is an officer in another) picks the desk their private chat with the bot deals with: /pending,
/shift, /logbook and the guided conversations there are then that desk's, by its roster.
"""

from __future__ import annotations

import re
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.button_data import joined, parts
from bot.handlers.buttons import button, confirm_choice, refuse_press
from bot.handlers.common import App, Context, desk_of, desks_of, reply, tr_for
from bot.outbox import Button, keyboard

# "desk:<key>": built and read only here, so the codec lives with the menu.
PREFIX = "desk"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def desk_button(key: str) -> str:
    """The data of the button that picks a desk."""
    return joined(PREFIX, key)


def parse_desk(data: str) -> str | None:
    """Read "desk:<key>", or None when the key cannot be a desk's."""
    pieces = parts(data, PREFIX, 1)
    return pieces[0] if pieces is not None and _KEY.match(pieces[0]) else None


async def cmd_desk(update: Update, context: Context) -> None:
    """Say which desk this chat is with; in private, offer the others the person belongs to."""
    tr = tr_for(update, context)
    desks = desks_of(context)
    desk = desk_of(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    current = desks.name(desk)
    if chat.type != chat.PRIVATE:
        reply(update, context, escape(tr("This chat belongs to {desk}.").format(desk=current)))
        return
    knowing = desks.knowing(user.id)
    if len(knowing) < 2:
        reply(update, context, escape(tr("You are dealing with {desk}.").format(desk=current)))
        return
    rows = [
        [Button(("✓ " if other is desk else "") + desks.name(other), desk_button(other.key))]
        for other in knowing
    ]
    text = tr(
        "You are dealing with {desk}. Choose the duty room your private chat with the bot is for:"
    ).format(desk=current)
    reply(update, context, escape(text), keyboard(rows))


@button(parse_desk)
async def on_desk_choice(update: Update, context: Context, key: str) -> None:
    """Remember the desk chosen, if it knows the person; say so in the menu."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.message is None:
        await refuse_press(update, context)
        return
    tr = tr_for(update, context)
    desks = desks_of(context)
    chosen = desks.choose(user.id, key)
    if chosen is None:
        await query.answer(tr("You are not on that duty room's roster."), show_alert=True)
        return
    text = tr("From now on your private chat with the bot is for {desk}.").format(
        desk=desks.name(chosen)
    )
    await confirm_choice(update, context, text)


def register(app: App) -> None:
    """Wire /desk and its buttons."""
    app.add_handler(CommandHandler("desk", cmd_desk))
    app.add_handler(CallbackQueryHandler(on_desk_choice, pattern=f"^{PREFIX}:"))
