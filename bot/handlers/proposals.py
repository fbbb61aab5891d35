"""The decisions on a proposal card: the shift leader's one tap, a rejection's reason, an edit.

Who may decide (the current shift leader; an EPZ interim measure, the branch head) and who may
edit is the service's rule (`bot/escalation/rights.py`); this module only translates its
answer. Proposing is in `bot/handlers/proposing.py`; `register` wires both.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from enum import StrEnum
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.drafts import DraftState
from bot.escalation.buttons import DECISION, NEW_PROPOSAL, Decision, DecisionAction, ours
from bot.handlers import proposing
from bot.handlers.acting import actor as actor
from bot.handlers.acting import conclude as conclude
from bot.handlers.acting import refuse
from bot.handlers.buttons import button
from bot.handlers.common import App, Context, desk_of, tr_for
from bot.handlers.flows import Flow, ask, register_flow, start
from bot.i18n import N_
from bot.steps import Step, refusal_text

REJECT, EDIT = "reject", "edit"


class RejectStep(StrEnum):
    """The one question of a rejection (REJECT), as drafts store it."""

    REASON = "reason"


class EditStep(StrEnum):
    """The one question of an edit (EDIT), as drafts store it."""

    CONTENT = "content"


# The readers under the names tests/test_values.py knows them by.
parse_decision = DECISION.read
parse_new = NEW_PROPOSAL.read
__all__ = ["Decision", "actor", "conclude", "parse_decision", "parse_new", "register"]


async def answer_press(update: Update, context: Context, step: Step[Any], done: str) -> None:
    """Answer a decision's press: `done` (a message id) or why not, audited if not theirs."""
    query = update.callback_query
    assert query is not None
    if not step.ok:
        await refuse(update, context, step, f"decision {query.data} needs approve")
        return
    await query.answer(tr_for(update, context)(done))


@button(DECISION.read)
async def on_decision(update: Update, context: Context, decision: Decision) -> None:
    """Route a press on a proposal card to its decision."""
    await DECISIONS[DecisionAction(decision.action)](update, context, decision)


async def on_approve(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader approves with one tap (a second tap changes nothing)."""
    desk = desk_of(context)
    step = desk.escalation.approvals.approve(
        actor(update, context), decision.proposal_id, decision.version, desk.clock.now()
    )
    await answer_press(update, context, step, N_("Approved."))


async def on_reject(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader rejects: ask for the reason first."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    allowed = desk.escalation.approvals.may_decide(
        actor(update, context), decision.proposal_id, desk.clock.now()
    )
    if not allowed.ok:
        await refuse(update, context, allowed, f"decision {query.data} needs approve")
        return
    await query.answer()
    data = {"proposal": decision.proposal_id, "version": decision.version}
    state = start(update, context, REJECT, RejectStep.REASON, data)
    if state is not None:
        tr = tr_for(update, context)
        ask(update, context, escape(tr("Why is the proposal not approved? Write the reason.")))


async def on_reject_reason(update: Update, context: Context, state: DraftState) -> None:
    """Record the rejection with its reason."""
    message = update.effective_message
    desk = desk_of(context)
    step = desk.escalation.approvals.reject(
        actor(update, context),
        state.data["proposal"],
        state.data["version"],
        (message.text or "").strip() if message else "",
        desk.clock.now(),
    )
    conclude(
        update,
        context,
        state,
        step,
        done=N_("Rejected; the proposer is informed on the card."),
        empty=N_("The reason cannot be empty. Write why the proposal is not approved."),
    )


async def on_edit(update: Update, context: Context, decision: Decision) -> None:
    """The proposer (or the duty section leader) rewrites a pending proposal."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    allowed = desk.escalation.approvals.may_edit(
        actor(update, context), decision.proposal_id, desk.clock.now()
    )
    if not allowed.ok:
        # Not audited: editing is no one's authority, only the proposer's own text.
        await query.answer(refusal_text(tr, allowed), show_alert=True)
        return
    await query.answer()
    data = {"proposal": decision.proposal_id, "version": decision.version}
    state = start(update, context, EDIT, EditStep.CONTENT, data)
    if state is not None:
        ask(update, context, escape(tr("Write the new content of the proposal.")))


async def on_edit_content(update: Update, context: Context, state: DraftState) -> None:
    """Replace a pending proposal's content."""
    message = update.effective_message
    desk = desk_of(context)
    step = desk.escalation.approvals.edit(
        actor(update, context),
        state.data["proposal"],
        state.data["version"],
        (message.text or "") if message else "",
        desk.clock.now(),
    )
    conclude(
        update,
        context,
        state,
        step,
        done=N_("Proposal updated; the shift leader decides on the new version."),
        empty=N_("The content cannot be empty. Write the new content."),
    )


async def on_escalation_decision(update: Update, context: Context, decision: Decision) -> None:
    """Record the Director General's decision (pressed by the shift leader)."""
    desk = desk_of(context)
    step = desk.escalation.approvals.record_escalation(
        actor(update, context), decision.proposal_id, decision.yes, desk.clock.now()
    )
    await answer_press(update, context, step, N_("Recorded."))


async def on_confirm(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader confirms an urgent action after the fact."""
    desk = desk_of(context)
    step = desk.escalation.approvals.confirm_urgent(
        actor(update, context), decision.proposal_id, desk.clock.now()
    )
    await answer_press(update, context, step, N_("Confirmed."))


DecisionHandler = Callable[[Update, Context, Decision], Coroutine[Any, Any, None]]
DECISIONS: dict[DecisionAction, DecisionHandler] = {
    DecisionAction.APPROVE: on_approve,
    DecisionAction.REJECT: on_reject,
    DecisionAction.EDIT: on_edit,
    DecisionAction.DIRECTOR_GENERAL: on_escalation_decision,
    DecisionAction.CONFIRM: on_confirm,
}


def register(app: App) -> None:
    """Wire proposing, deciding and the urgent path."""
    register_flow(proposing.PROPOSE, Flow(proposing.on_text, proposing.on_button))
    register_flow(proposing.URGENT, Flow(proposing.on_text, proposing.on_button))
    register_flow(REJECT, Flow(on_reject_reason))
    register_flow(EDIT, Flow(on_edit_content))
    app.add_handler(CommandHandler(["propose", "urgent"], proposing.cmd_propose))
    app.add_handler(
        CallbackQueryHandler(proposing.on_propose_button, pattern=ours(NEW_PROPOSAL.read))
    )
    app.add_handler(CallbackQueryHandler(on_decision, pattern=ours(DECISION.read)))
