"""The interim supervision measure of an EPZ outage: the assigned officer proposes it."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.drafts import DraftState
from bot.epz.interim import InterimRefusal
from bot.handlers.buttons import ActionPress, action_and_id, button
from bot.handlers.common import App, Context, desk_of, has_right, reply, tr_for
from bot.handlers.flows import Flow, ask, finish, register_flow, start
from bot.handlers.proposals import actor
from bot.i18n import Translator
from bot.shifts import Right
from bot.steps import Refusal, refusal_text
from bot.values import row_id

INTERIM = "interim"


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


@button(action_and_id({"im"}, {"new"}))
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
    outage = desk.outages.get(outage_id)
    enterprise = desk.settings.enterprise(outage.enterprise) if outage else None
    if outage is None or enterprise is None or user is None:
        reply(
            update,
            context,
            escape(tr("There is no outage no. {number}.").format(number=outage_id))
            + " "
            + escape(usage(tr)),
        )
        return
    if enterprise.officer != user.id and not has_right(update, context, Right.ADMINISTER):
        officer = desk.settings.person(enterprise.officer) if enterprise.officer else None
        desk.audit.record("denied", user_id=user.id, chat_id=user.id, detail=f"measure {outage_id}")
        reply(
            update,
            context,
            escape(
                tr("Only the officer assigned to {name} ({officer}) proposes its measure.").format(
                    name=enterprise.name, officer=officer.name if officer else "—"
                )
            ),
        )
        return
    decider = desk.interim.decider(enterprise.key)
    if decider is None:
        reply(update, context, escape(refusal(tr, InterimRefusal.NO_BRANCH_HEAD)))
        return
    start(update, context, INTERIM, "content", {"outage": outage_id})
    ask(
        update,
        context,
        escape(
            tr(
                "Interim supervision measure for outage no. {number} of {name}, to be decided "
                "by {head}: what do you propose?"
            ).format(number=outage_id, name=enterprise.name, head=decider.head.name)
        ),
    )


def refusal(tr: Translator, why: InterimRefusal) -> str:
    """Explain why no measure can be proposed."""
    return {
        InterimRefusal.NOT_FOUND: tr("This no longer exists."),
        InterimRefusal.CLOSED: tr("The outage is closed; an interim measure is no longer needed."),
        InterimRefusal.NO_BRANCH_HEAD: tr(
            "No branch head is configured for this enterprise's branch; ask the administrator "
            "to set units.head."
        ),
    }[why]


async def on_measure_text(update: Update, context: Context, state: DraftState) -> None:
    """Put the typed measure before the branch head."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = ((message.text or "") if message else "").strip()
    step = desk.interim.propose(
        actor(update, context), state.data["outage"], text, desk.clock.now()
    )
    if isinstance(step, InterimRefusal):
        finish(context, state)
        reply(update, context, escape(refusal(tr, step)))
        return
    if step.refusal is Refusal.EMPTY:
        ask(update, context, escape(tr("The measure cannot be empty. Write what Customs will do.")))
        return
    finish(context, state)
    if not step.ok:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    reply(
        update,
        context,
        escape(tr("Sent to the branch head for decision; /epz shows it with the outage.")),
    )


def register(app: App) -> None:
    """Wire /measure, its button and its question."""
    register_flow(INTERIM, Flow(on_measure_text))
    app.add_handler(CommandHandler("measure", cmd_measure))
    app.add_handler(CallbackQueryHandler(on_measure_button, pattern=r"^im:"))
