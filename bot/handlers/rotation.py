"""The monthly rotation's buttons: an officer records a check done, not done, or findings."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.db.models import CheckOutcome, RotationCheck
from bot.drafts import DraftState
from bot.epz.rotation import OUTCOME_LABELS, CheckRefusal, CheckStep
from bot.handlers.buttons import ActionPress, action_and_id, button
from bot.handlers.common import App, Context, desk_of, has_right, reply, tr_for
from bot.handlers.flows import Flow, ask, finish, register_flow, start
from bot.handlers.proposals import actor
from bot.i18n import Translator
from bot.shifts import Right

FINDING = "finding"
BUTTON_OUTCOMES = {"ok": CheckOutcome.DONE, "no": CheckOutcome.NOT_DONE}


def refusal_text(tr: Translator, step: CheckStep) -> str:
    """Say why a check was not recorded and what to do instead."""
    check = step.check
    if step.refusal is CheckRefusal.ALREADY_RECORDED and check is not None:
        return tr("This check was already recorded ({outcome}, {name}); nothing changed.").format(
            outcome=tr(OUTCOME_LABELS[check.outcome]), name=check.recorded_by
        )
    if step.refusal is CheckRefusal.PAST_MONTH and check is not None:
        return tr(
            "This check belongs to the rotation of {month}, which is over; nothing changed. "
            "Record the checks of this month's plan (see /epz)."
        ).format(month=f"{check.month.month:02d}/{check.month.year}")
    if step.refusal is CheckRefusal.EMPTY:
        return tr(
            "The findings cannot be empty. Write what you saw on the cameras, e.g. "
            "“camera C01 at the gate shows no picture”."
        )
    return tr("This check no longer exists.")


def may_record(update: Update, context: Context, check: RotationCheck) -> bool:
    """The check's officer records it; an administrator may stand in."""
    user = update.effective_user
    if user is None:
        return False
    if check.officer_id == user.id or has_right(update, context, Right.ADMINISTER):
        return True
    return check.officer_id is None and has_right(update, context, Right.WRITE_LOGBOOK)


# Under a rotation check: "rc:ok:7", "rc:no:7", "rc:fd:7" (7 the check's id).
parse_check_press = action_and_id({"rc"}, {"ok", "no", "fd"})


@button(parse_check_press)
async def on_check_button(update: Update, context: Context, press: ActionPress) -> None:
    """Record a tapped outcome, or ask for the findings."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    action, check_id = press.action, press.id
    desk = desk_of(context)
    tr = tr_for(update, context)
    check = desk.rotation.get(check_id)
    if check is not None and not may_record(update, context, check):
        officer = desk.settings.person(check.officer_id) if check.officer_id else None
        desk.audit.record("denied", user_id=user.id, chat_id=user.id, detail=query.data or "")
        await query.answer(
            tr("This check is assigned to {name}.").format(name=officer.name if officer else "—"),
            show_alert=True,
        )
        return
    await query.answer()
    now = desk.clock.now()
    refused = desk.rotation.refusal(check, now)
    if refused is not None or check is None:
        reply(update, context, escape(refusal_text(tr, CheckStep(check, refused))))
        return
    if action == "fd":
        start(update, context, FINDING, "text", {"check": check.id})
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
    step = desk.rotation.record(check.id or 0, BUTTON_OUTCOMES[action], actor(update, context), now)
    confirm(update, context, step)


def confirm(update: Update, context: Context, step: CheckStep) -> None:
    """Tell the officer what was recorded, or why nothing was."""
    tr = tr_for(update, context)
    if step.refusal is not None or step.check is None:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    reply(
        update,
        context,
        escape(
            tr("Recorded in the logbook: {outcome}.").format(
                outcome=tr(OUTCOME_LABELS[step.check.outcome])
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
    if step.refusal is CheckRefusal.EMPTY:
        ask(update, context, escape(refusal_text(tr, step)))
        return
    finish(context, state)
    confirm(update, context, step)


def register(app: App) -> None:
    """Wire the rotation's buttons and the findings question."""
    register_flow(FINDING, Flow(on_finding_text))
    app.add_handler(CallbackQueryHandler(on_check_button, pattern=r"^rc:"))
