"""The interim supervision measure of an EPZ outage: the assigned officer proposes it."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.drafts import DraftState
from bot.escalation.buttons import NEW_MEASURE, ours
from bot.handlers.acting import actor, audit_denial
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.handlers.flows import Flow, ask, finish, register_flow, start
from bot.i18n import Translator
from bot.steps import Refusal, refusal_text
from bot.values import row_id

INTERIM = "interim"


class MeasureStep(StrEnum):
    """The one question of an interim measure (INTERIM), as drafts store it."""

    CONTENT = "content"


def usage(tr: Translator) -> str:
    """Say how to propose an interim measure."""
    return tr(
        "Write /measure followed by the number of an open outage, e.g. /measure 1 (see /epz), "
        "or use the button under the daily follow-up."
    )


async def cmd_measure(update: Update, context: Context) -> None:
    """/measure <outage no.>: propose the interim supervision measure."""
    outage_id = row_id(" ".join(context.args or []).strip().removeprefix("#"))
    if outage_id is None:
        reply(update, context, escape(usage(tr_for(update, context))))
        return
    await begin(update, context, outage_id)


@button(NEW_MEASURE.read)
async def on_measure_button(update: Update, context: Context, press: ActionPress) -> None:
    """The button "im:new:<outage id>" under the daily follow-up."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await begin(update, context, press.id)


async def begin(update: Update, context: Context, outage_id: int) -> None:
    """Check who asks and for which outage, then ask for the measure."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    user = update.effective_user
    if user is None:
        return
    allowed = desk.interim.may_propose(actor(update, context), outage_id, desk.clock.now())
    if allowed.refusal is Refusal.NOT_FOUND:
        reply(
            update,
            context,
            escape(tr("There is no outage no. {number}.").format(number=outage_id))
            + " "
            + escape(usage(tr)),
        )
        return
    if not allowed.ok or allowed.value is None:
        # A reply even after a press (answered already), as the command's refusal is.
        audit_denial(update, context, allowed, f"measure {outage_id}", user.id)
        reply(update, context, escape(refusal_text(tr, allowed)))
        return
    decider = allowed.value
    outage = desk.outages.get(outage_id)
    enterprise = desk.settings.enterprise(outage.enterprise) if outage else None
    start(update, context, INTERIM, MeasureStep.CONTENT, {"outage": outage_id})
    ask(
        update,
        context,
        escape(
            tr(
                "Interim supervision measure for outage no. {number} of {name}, to be decided "
                "by {head}: what do you propose?"
            ).format(
                number=outage_id,
                name=enterprise.name if enterprise else "—",
                head=decider.head.name,
            )
        ),
    )


async def on_measure_text(update: Update, context: Context, state: DraftState) -> None:
    """Put the typed measure before the branch head."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = ((message.text or "") if message else "").strip()
    step = desk.interim.propose(
        actor(update, context), state.data["outage"], text, desk.clock.now()
    )
    if step.refusal is Refusal.EMPTY:
        ask(update, context, escape(tr("The measure cannot be empty. Write what Customs will do.")))
        return
    finish(context, state)
    reply(
        update,
        context,
        escape(
            tr("Sent to the branch head for decision; /epz shows it with the outage.")
            if step.ok
            else refusal_text(tr, step)
        ),
    )


def register(app: App) -> None:
    """Wire /measure, its button and its question."""
    register_flow(INTERIM, Flow(on_measure_text))
    app.add_handler(CommandHandler("measure", cmd_measure))
    app.add_handler(CallbackQueryHandler(on_measure_button, pattern=ours(NEW_MEASURE.read)))
