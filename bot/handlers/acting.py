"""Who acts, and how a typed step or a refused one ends: shared by the flows that call services."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import Update

from bot.drafts import DraftState
from bot.escalation.rights import DENIALS
from bot.handlers.common import Context, answer_quietly, desk_of, reply, telegram_name, tr_for
from bot.handlers.flows import ask, finish
from bot.logbook.service import Author
from bot.steps import Refusal, Step, refusal_text


def actor(update: Update, context: Context) -> Author:
    """The person acting, by their configured name."""
    user = update.effective_user
    assert user is not None
    person = desk_of(context).roster.person(user.id)
    return Author(user.id, person.name if person else telegram_name(user))


def conclude(
    update: Update, context: Context, state: DraftState, step: Step[Any], *, done: str, empty: str
) -> None:
    """End a typed step: ask again if it was empty (the draft stays), else confirm or explain.

    `done` and `empty` are message ids marked with N_.
    """
    tr = tr_for(update, context)
    if step.refusal is Refusal.EMPTY:
        ask(update, context, escape(tr(empty)))
        return
    finish(context, state)
    reply(update, context, escape(tr(done) if step.ok else refusal_text(tr, step)))


def audit_denial(
    update: Update, context: Context, step: Step[Any], detail: str, chat_id: int | None = None
) -> None:
    """Put a step refused for want of a right on the audit trail (other refusals are not)."""
    if step.refusal not in DENIALS:
        return
    user, chat = update.effective_user, update.effective_chat
    desk_of(context).audit.record(
        "denied",
        user_id=user.id if user else None,
        chat_id=chat_id if chat_id is not None else (chat.id if chat else None),
        detail=detail,
    )


async def refuse(
    update: Update, context: Context, step: Step[Any], detail: str, chat_id: int | None = None
) -> None:
    """Say why a service refused (a pop-up for a press, else a reply); audit a denied right."""
    audit_denial(update, context, step, detail, chat_id)
    text = refusal_text(tr_for(update, context), step)
    if update.callback_query is not None:
        await answer_quietly(update, text, alert=True)
    else:
        reply(update, context, escape(text))
