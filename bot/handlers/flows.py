"""Guided conversations: the next message or button press of a person goes to their draft."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.button_data import MAX_BYTES, SEPARATOR
from bot.drafts import DraftState
from bot.handlers.buttons import button, refuse_press
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.handlers.failures import apologise, describe
from bot.i18n import N_
from bot.outbox import Button, Keyboard, keyboard

log = logging.getLogger(__name__)

ANSWER_IN_TEXT = N_("Please answer in text.")
DRAFT_CLOSED = N_(
    "Sorry, something went wrong with this question. It has been logged for the "
    "administrator and the question is closed; please start again."
)

TextStep = Callable[[Update, Context, DraftState], Coroutine[Any, Any, None]]
ButtonStep = Callable[[Update, Context, DraftState, str], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Flow:
    """A guided conversation: what to do with a typed answer and with a pressed choice."""

    on_text: TextStep
    on_button: ButtonStep | None = None


FLOWS: dict[str, Flow] = {}
# Handlers for a message from someone with no open conversation (e.g. an EPZ contact's text).
FALLBACKS: list[Callable[[Update, Context], Coroutine[Any, Any, None]]] = []


def register_fallback(handler: Callable[[Update, Context], Coroutine[Any, Any, None]]) -> None:
    """Give messages outside any conversation to a handler."""
    if handler not in FALLBACKS:
        FALLBACKS.append(handler)


def register_flow(name: str, flow: Flow) -> None:
    """Make a flow reachable by its name (stored in drafts)."""
    FLOWS[name] = flow


# A choice answering a guided conversation's question: "dr:<value>", e.g. "dr:cancel" or
# "dr:kind:camera". Only the handlers ask questions, so the codec lives with the flows rather
# than in a domain package; the value may hold the separator (a flow reads it with its own
# codec, e.g. bot/epz/buttons.py's notice choices).
CHOICE_PREFIX = "dr"
CANCEL = "cancel"


def choice_data(value: str) -> str:
    """The data of a button answering the current question with `value`."""
    data = f"{CHOICE_PREFIX}{SEPARATOR}{value}"
    if not value or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"not a choice a button can carry: {value!r}")
    return data


def read_choice(data: str) -> str | None:
    """The value a choice button carries, or None when the data is not a choice."""
    prefix, separated, value = data.partition(SEPARATOR)
    if prefix != CHOICE_PREFIX or not separated or not value or len(data.encode()) > MAX_BYTES:
        return None
    return value


def choice(text: str, value: str) -> Button:
    """A button answering the current question of a guided conversation."""
    return Button(text, choice_data(value))


def ask(
    update: Update, context: Context, text: str, rows: list[list[Button]] | None = None
) -> None:
    """Put the next question (HTML) to the person, with a Cancel button."""
    tr = tr_for(update, context)
    buttons: Keyboard = keyboard([*(rows or []), [choice("✖ " + tr("Cancel"), CANCEL)]])
    reply(update, context, text, buttons)


def answer_text(update: Update, context: Context) -> str | None:
    """The typed answer to the flow's question, or None after asking again for it in text.

    A photo or a sticker answers nothing; the draft and what it holds stay as they were.
    """
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    if not text:
        ask(update, context, escape(tr_for(update, context)(ANSWER_IN_TEXT)))
        return None
    return text


def start(
    update: Update, context: Context, flow: str, step: str, data: dict[str, Any]
) -> DraftState | None:
    """Begin a guided conversation for the person in this chat."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    state = DraftState(user.id, chat.id, flow, step, data)
    desk_of(context).drafts.save(state)
    return state


def advance(context: Context, state: DraftState, step: str) -> None:
    """Move a draft to its next step, keeping every answer so far."""
    state.step = step
    desk_of(context).drafts.save(state)


def finish(context: Context, state: DraftState) -> None:
    """End a guided conversation."""
    desk_of(context).drafts.drop(state.user_id, state.chat_id)


async def on_draft_text(update: Update, context: Context) -> None:
    """Hand a person's message to their open guided conversation, if they have one."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    state = desk_of(context).drafts.get(user.id, chat.id)
    if state is None or state.flow not in FLOWS:
        for fallback in FALLBACKS:
            await fallback(update, context)
        return
    await run_step(update, context, state, FLOWS[state.flow].on_text(update, context, state))


@button(read_choice)
async def on_draft_button(update: Update, context: Context, value: str) -> None:
    """Hand a pressed choice to the presser's open guided conversation."""
    query = update.callback_query
    user, chat = update.effective_user, update.effective_chat
    if query is None or user is None or chat is None:
        await refuse_press(update, context)
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    state = desk.drafts.get(user.id, chat.id)
    if state is None or state.flow not in FLOWS:
        await query.answer(tr("This question is no longer open."), show_alert=True)
        return
    if value == CANCEL:
        finish(context, state)
        await query.answer(tr("Cancelled."))
        reply(update, context, escape(tr("Cancelled; nothing was recorded.")))
        return
    flow = FLOWS[state.flow]
    await query.answer()
    if flow.on_button is not None:
        await run_step(update, context, state, flow.on_button(update, context, state, value))


async def run_step(
    update: Update, context: Context, state: DraftState, step: Awaitable[None]
) -> None:
    """Take one step of a conversation; if it fails, close the conversation and say so.

    A draft whose step fails would fail again on every later message of the person.
    """
    try:
        await step
    except Exception:
        log.exception(
            "A step of the %s conversation failed on %s; the conversation is closed",
            state.flow,
            describe(update),
        )
        finish(context, state)
        await apologise(update, context, DRAFT_CLOSED)


async def cmd_cancel(update: Update, context: Context) -> None:
    """Abandon the open guided conversation."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    tr = tr_for(update, context)
    if desk_of(context).drafts.drop(user.id, chat.id):
        reply(update, context, escape(tr("Cancelled; nothing was recorded.")))
    else:
        reply(update, context, escape(tr("There is nothing to cancel.")))


def register(app: App) -> None:
    """Route answers and choices to the guided conversations."""
    app.add_handler(CommandHandler("cancel", cmd_cancel))
    app.add_handler(CallbackQueryHandler(on_draft_button, pattern=f"^{CHOICE_PREFIX}{SEPARATOR}"))
    app.add_handler(
        MessageHandler(
            (filters.TEXT | filters.PHOTO | filters.Document.ALL)
            & ~filters.COMMAND
            & filters.UpdateType.MESSAGE,
            on_draft_text,
        )
    )
