"""The monthly rotation's buttons: an officer records a check done, not done, or findings."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.db.models import CheckOutcome, RotationCheck
from bot.drafts import DraftState
from bot.epz.buttons import CHECK_BUTTONS, CHECK_PREFIX, CheckAction
from bot.epz.rotation import OUTCOME_LABELS
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.handlers.flows import Flow, ask, finish, register_flow, start
from bot.handlers.proposals import actor
from bot.steps import Refusal, Step, refusal_text

FINDING = "finding"
BUTTON_OUTCOMES = {CheckAction.DONE: CheckOutcome.DONE, CheckAction.NOT_DONE: CheckOutcome.NOT_DONE}


class FindingStep(StrEnum):
    """The steps of writing a check's findings (FINDING), as drafts store them."""

    TEXT = "text"


@button(CHECK_BUTTONS.read)
async def on_check_button(update: Update, context: Context, press: ActionPress) -> None:
    """Record a tapped outcome, or ask for the findings."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    action = CheckAction(press.action)
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    allowed = desk.rotation.may_record(desk.rotation.get(press.id), user.id, now)
    if allowed.refusal is Refusal.NOT_CHECK_OFFICER:
        desk.audit.record("denied", user_id=user.id, chat_id=user.id, detail=query.data or "")
        await query.answer(refusal_text(tr, allowed), show_alert=True)
        return
    await query.answer()
    check = allowed.value
    if not allowed.ok or check is None or check.id is None:
        reply(update, context, escape(refusal_text(tr, allowed)))
        return
    if action is CheckAction.FINDINGS:
        start(update, context, FINDING, FindingStep.TEXT, {"check": check.id})
        name = desk.settings.enterprise(check.enterprise)
        ask(
            update,
            context,
            escape(
                tr("Write the findings of the check of {name}.").format(
                    name=name.name if name else check.enterprise
                )
            ),
        )
        return
    step = desk.rotation.record(check.id, BUTTON_OUTCOMES[action], actor(update, context), now)
    confirm(update, context, step)


def confirm(update: Update, context: Context, step: Step[RotationCheck]) -> None:
    """Tell the officer what was recorded, or why nothing was."""
    tr = tr_for(update, context)
    if not step.ok or step.value is None:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    reply(
        update,
        context,
        escape(
            tr("Recorded in the logbook: {outcome}.").format(
                outcome=tr(OUTCOME_LABELS[step.value.outcome])
            )
        ),
    )


async def on_finding_text(update: Update, context: Context, state: DraftState) -> None:
    """Record the typed findings; an empty answer is asked again."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = ((message.text or message.caption or "") if message else "").strip()
    step = desk.rotation.record(
        state.data["check"], CheckOutcome.FINDINGS, actor(update, context), desk.clock.now(), text
    )
    if step.refusal is Refusal.EMPTY_FINDINGS:
        ask(update, context, escape(refusal_text(tr, step)))
        return
    finish(context, state)
    confirm(update, context, step)


def register(app: App) -> None:
    """Wire the rotation's buttons and the findings question."""
    register_flow(FINDING, Flow(on_finding_text))
    app.add_handler(CallbackQueryHandler(on_check_button, pattern=f"^{CHECK_PREFIX}:"))
