"""The receiver's side of a request (a unit, or a named person privately): answer now,
acknowledge with contact and ETA, report result."""

from __future__ import annotations

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.db.models import RequestStatus
from bot.drafts import DraftState
from bot.escalation.buttons import REQUEST, RequestAction, ours
from bot.escalation.eta import EtaProblem, parse_eta
from bot.escalation.reply_clock import is_late
from bot.handlers.acting import actor, conclude, refuse
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import App, Context, desk_of, reply, tr_for
from bot.handlers.flows import (
    Flow,
    advance,
    answer_text,
    ask,
    choice,
    finish,
    register_flow,
    start,
)
from bot.i18n import N_, Translator
from bot.steps import Refusal, refusal_text

ANSWER, ACK, RESULT = "answer", "ack", "result"


class AnswerStep(StrEnum):
    """The questions of a receiver's answer, as drafts store them.

    ANSWER: answer; ACK: contact; RESULT: result, then reason and responsible when late, then
    the unit's suggestion (Annex IV "Đề xuất (nếu có)").
    """

    ANSWER = "answer"
    CONTACT = "contact"
    RESULT = "result"
    REASON = "reason"
    RESPONSIBLE = "responsible"
    SUGGESTION = "suggestion"


NO_SUGGESTION = "no-suggestion"


# After the access gate (-100), before the default group (0) that answers the message.
REDELIVERY_GROUP = -10


def eta_problem(tr: Translator, problem: EtaProblem) -> str:
    """Explain what is wrong with a contact + expected time answer."""
    if problem is EtaProblem.IN_PAST:
        return tr(
            "That time has already passed. Give a later time, e.g. 15:30, "
            "“45 phút”, or “9h sáng mai”."
        )
    return tr(
        "Write who handles it and when you expect to finish, in one message, e.g. "
        "“Đ/c Giang 0912 345 678, 15:30” or “Trần Hùng 0987654321, 45 phút”."
    )


async def on_private_message(update: Update, context: Context) -> None:
    """Deliver what could not reach a named person before they first wrote to the bot."""
    user = update.effective_user
    if user is not None:
        desk = desk_of(context)
        desk.escalation.requests.redeliver(user.id, desk.clock.now())


# The reader under the name tests/test_values.py knows it by.
parse_request_press = REQUEST.read


@button(REQUEST.read)
async def on_unit_button(update: Update, context: Context, press: ActionPress) -> None:
    """Start the unit's answer: at once, acknowledgement, or result."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    action, rid = RequestAction(press.action), press.id
    expected = (
        RequestStatus.ACKNOWLEDGED if action is RequestAction.RESULT else RequestStatus.WAITING
    )
    allowed = desk.escalation.requests.may_answer(actor(update, context), rid, expected)
    if allowed.refusal is Refusal.NOT_FOUND or allowed.value is None:
        await query.answer(tr("This request no longer exists."), show_alert=True)
        return
    request = allowed.value
    if not allowed.ok:
        detail = f"request {rid} {action} by someone it was not sent to"
        await refuse(update, context, allowed, detail, request.chat_id)
        return
    await query.answer()
    if action is RequestAction.NOW:
        start(update, context, ANSWER, AnswerStep.ANSWER, {"request": request.id})
        ask(update, context, escape(tr("Write the answer to the duty desk.")))
    elif action is RequestAction.ACK:
        start(update, context, ACK, AnswerStep.CONTACT, {"request": request.id})
        ask(
            update,
            context,
            escape(
                tr(
                    "Who handles it, and when do you expect to finish? "
                    "E.g. “Đ/c Giang 0912 345 678, 15:30”."
                )
            ),
        )
    else:
        start(update, context, RESULT, AnswerStep.RESULT, {"request": request.id})
        ask(
            update,
            context,
            escape(
                tr(
                    "Report the result (Annex IV): the timeline of what was "
                    "done, with times, and the result."
                )
            ),
        )


async def on_answer(update: Update, context: Context, state: DraftState) -> None:
    """Record an answer given at once."""
    message = update.effective_message
    desk = desk_of(context)
    step = desk.escalation.requests.answer_now(
        actor(update, context),
        state.data["request"],
        (message.text or "") if message else "",
        desk.clock.now(),
    )
    conclude(
        update,
        context,
        state,
        step,
        done=N_("Answer sent to the duty desk."),
        empty=N_("The answer cannot be empty. Write the answer."),
    )


async def on_acknowledge(update: Update, context: Context, state: DraftState) -> None:
    """Record the handling contact and the expected time."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    parsed = parse_eta((message.text or "") if message else "", now, desk.settings.tz)
    if parsed.problem is not None or parsed.eta is None:
        ask(update, context, escape(eta_problem(tr, parsed.problem or EtaProblem.MISSING)))
        return
    if not parsed.contact:
        ask(
            update,
            context,
            escape(
                tr(
                    "Who handles it? Write the name and phone number with "
                    "the time, e.g. “Đ/c Giang 0912 345 678, 15:30”."
                )
            ),
        )
        return
    step = desk.escalation.requests.acknowledge(
        actor(update, context), state.data["request"], parsed.contact, parsed.eta, now
    )
    finish(context, state)
    if not step.ok:
        reply(update, context, escape(refusal_text(tr, step)))


async def on_result(update: Update, context: Context, state: DraftState) -> None:
    """Collect the result; when late, also the reason and who is responsible."""
    text = answer_text(update, context)
    if text is None:
        return
    state.data[state.step] = text
    await _next_result_step(update, context, state)


async def on_result_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """“No suggestion”: the unit has nothing to propose."""
    if value == NO_SUGGESTION and state.step == AnswerStep.SUGGESTION:
        state.data[AnswerStep.SUGGESTION] = ""
    await _next_result_step(update, context, state)


async def _next_result_step(update: Update, context: Context, state: DraftState) -> None:
    """Ask what the report still lacks, or send it."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    request = desk.escalation.requests.get(state.data["request"])
    now = desk.clock.now()
    if request is not None and is_late(request, now):
        if "reason" not in state.data:
            advance(context, state, AnswerStep.REASON)
            ask(update, context, escape(tr("This is later than asked. Why was it late?")))
            return
        if "responsible" not in state.data:
            advance(context, state, AnswerStep.RESPONSIBLE)
            ask(update, context, escape(tr("Who is responsible for the delay (name, title)?")))
            return
    if AnswerStep.SUGGESTION not in state.data:
        advance(context, state, AnswerStep.SUGGESTION)
        ask(
            update,
            context,
            escape(tr("Anything the unit proposes (Annex IV “Đề xuất”)? Write it, or tap None.")),
            [[choice(tr("None"), NO_SUGGESTION)]],
        )
        return
    step = desk.escalation.requests.report_result(
        actor(update, context),
        state.data["request"],
        state.data["result"],
        state.data.get("reason", ""),
        state.data.get("responsible", ""),
        now,
        suggestion=state.data[AnswerStep.SUGGESTION],
    )
    finish(context, state)
    reply(
        update,
        context,
        escape(tr("Result reported to the duty desk.") if step.ok else refusal_text(tr, step)),
    )


def register(app: App) -> None:
    """Wire the unit's buttons and answers."""
    register_flow(ANSWER, Flow(on_answer))
    register_flow(ACK, Flow(on_acknowledge))
    register_flow(RESULT, Flow(on_result, on_result_button))
    app.add_handler(CallbackQueryHandler(on_unit_button, pattern=ours(REQUEST.read)))
    # Its own group, so /start and every other private message are still answered as usual.
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE, on_private_message), group=REDELIVERY_GROUP
    )
