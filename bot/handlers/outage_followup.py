"""After an EPZ notice: the contact's /restored and explanation, the officer's follow-up and
confirmation, each from the buttons under the outage's messages."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from html import escape

from telegram import Update

from bot.db.models import EpzOutage, OutageStatus, OutboxPriority
from bot.documents.asks import MISSING
from bot.documents.service import Format, Missing
from bot.drafts import DraftState
from bot.epz.buttons import OUTAGE_BUTTONS, OutageAction, outage_button
from bot.epz.notice_text import parse_date
from bot.epz.outage_rules import KIND_LABELS, restoration_cameras
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import Context, desk_of, reply, tr_for
from bot.handlers.flows import advance, answer_text, ask, finish, start
from bot.handlers.outage_notice import NOT_A_CONTACT, capital, contact_enterprise, not_a_date
from bot.handlers.proposals import actor
from bot.outbox import Button, keyboard
from bot.steps import Refusal, refusal_text

EXPLAIN, PROGRESS = "explain", "progress"


class ExplainStep(StrEnum):
    """The steps of an overdue outage's explanation (EXPLAIN), as drafts store them."""

    REASON = "reason"
    DATE = "date"


class ProgressStep(StrEnum):
    """The steps of the officer's progress note (PROGRESS), as drafts store them."""

    NOTE = "note"


async def cmd_restored(update: Update, context: Context) -> None:
    """The contact reports the cameras working again."""
    enterprise = contact_enterprise(update, context)
    tr = tr_for(update, context)
    if enterprise is None:
        reply(update, context, escape(tr(NOT_A_CONTACT)))
        return
    desk = desk_of(context)
    open_ones = [o for o in desk.outages.active(enterprise.key) if o.status == OutageStatus.OPEN]
    if not open_ones:
        reply(
            update,
            context,
            escape(tr("There is no open outage of {name}.").format(name=enterprise.name)),
        )
        return
    if len(open_ones) > 1:
        reply(
            update,
            context,
            escape(tr("Which outage is restored?")),
            keyboard(
                [
                    [
                        Button(
                            f"{o.id} · {capital(tr(KIND_LABELS[o.kind]))}",
                            outage_button(OutageAction.REPORT_RESTORED, o.id or 0),
                        )
                    ]
                    for o in open_ones
                ]
            ),
        )
        return
    assert open_ones[0].id is not None
    await restored(update, context, open_ones[0].id)


async def restored(update: Update, context: Context, outage_id: int) -> None:
    """Record the contact's restoration report."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    step = desk.outages.report_restored(outage_id, actor(update, context), desk.clock.now())
    reply(
        update,
        context,
        escape(
            tr("Recorded. The customs officer will check and confirm the restoration.")
            if step.ok
            else refusal_text(tr, step)
        ),
    )


@button(OUTAGE_BUTTONS.read)
async def on_epz_button(update: Update, context: Context, press: ActionPress) -> None:
    """Officer's confirmation and follow-up, contact's explanation and restoration buttons."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    action = OutageAction(press.action)
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    allowed = desk.outages.may(press.id, user.id, action, now)
    outage = allowed.value
    if not allowed.ok or outage is None or outage.id is None:
        if allowed.refusal is Refusal.SOMEONE_ELSES:
            desk.audit.record("denied", user_id=user.id, chat_id=user.id, detail=query.data or "")
        await query.answer(refusal_text(tr, allowed), show_alert=True)
        return
    await query.answer()
    if action is OutageAction.CONFIRM_RESTORED:
        await confirm_restored(update, context, outage)
    elif action is OutageAction.NO_CHANGE:
        step = desk.outages.progress(outage.id, tr("no change"), actor(update, context), now)
        reply(
            update,
            context,
            escape(tr("Noted in the logbook.") if step.ok else refusal_text(tr, step)),
        )
    elif action is OutageAction.WRITE_PROGRESS:
        start(update, context, PROGRESS, ProgressStep.NOTE, {"outage": outage.id})
        ask(update, context, escape(tr("Write the progress of the repair.")))
    elif action is OutageAction.REPORT_RESTORED:
        await restored(update, context, outage.id)
    elif action is OutageAction.EXPLAIN:
        start(update, context, EXPLAIN, ExplainStep.REASON, {"outage": outage.id})
        ask(update, context, escape(tr("Why was it not repaired in time?")))
    elif action in (OutageAction.DOCX, OutageAction.PDF):
        fmt = Format.DOCX if action is OutageAction.DOCX else Format.PDF
        await send_notice_file(update, context, outage.id, fmt)


async def send_notice_file(update: Update, context: Context, outage_id: int, fmt: Format) -> None:
    """Send the contact their notice as 247 Annex II, in the chat they pressed in."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    # Laying out the form is CPU work; the loop keeps serving others meanwhile.
    made = await asyncio.to_thread(desk.documents.outage, outage_id, fmt)
    if isinstance(made, Missing):
        reply(update, context, escape(tr(MISSING[made]).format(what=outage_id)))
        return
    desk.outbox.send_document(
        chat.id,
        made.data,
        made.filename,
        escape(
            tr("EPZ fault notice (247 Annex II), outage no. {number}.").format(number=outage_id)
        ),
        priority=OutboxPriority.REPLY,
    )


async def confirm_restored(update: Update, context: Context, outage: EpzOutage) -> None:
    """Close the outage, with fresh snapshots of its ONVIF cameras when they answer."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    if outage.status == OutageStatus.CLOSED or outage.id is None:
        # Asked again after closing: say so before waiting for the cameras' snapshots.
        reply(update, context, escape(tr("This step is already done; nothing changed.")))
        return
    cameras = restoration_cameras(desk.settings, outage)
    snapshots = await desk.cameras.snapshots(cameras) if cameras else []
    closed = desk.outages.confirm_restored(
        outage.id, actor(update, context), desk.clock.now(), snapshots, cameras
    )
    if not closed.ok:
        text = refusal_text(tr, closed)
    elif cameras and snapshots:
        text = tr("Closed; the snapshot is attached to the closure in the duty group.")
    elif cameras:
        text = tr(
            "Closed without a snapshot: cameras {cameras} did not answer. Check them on /cameras."
        ).format(cameras=", ".join(cameras))
    else:
        text = tr("Closed.")
    reply(update, context, escape(text))


async def on_explain_text(update: Update, context: Context, state: DraftState) -> None:
    """Collect the written explanation: the reason, then the new expected date."""
    text = answer_text(update, context)
    if text is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    if state.step == ExplainStep.REASON:
        state.data["reason"] = text
        advance(context, state, ExplainStep.DATE)
        ask(update, context, escape(tr("By which date will it be repaired? (e.g. 05/12)")))
        return
    today = desk.clock.now().astimezone(desk.settings.tz).date()
    new_date = parse_date(text, today)
    if new_date is None or new_date < today:
        ask(
            update,
            context,
            escape(not_a_date(tr, text)),
        )
        return
    step = desk.outages.explain(
        state.data["outage"],
        state.data["reason"],
        new_date,
        actor(update, context),
        desk.clock.now(),
    )
    finish(context, state)
    done = tr("Explanation recorded and sent to the duty desk.")
    reply(update, context, escape(done if step.ok else refusal_text(tr, step)))


async def on_progress_text(update: Update, context: Context, state: DraftState) -> None:
    """Record the officer's progress note."""
    text = answer_text(update, context)
    if text is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    step = desk.outages.progress(
        state.data["outage"], text, actor(update, context), desk.clock.now()
    )
    finish(context, state)
    reply(
        update, context, escape(tr("Noted in the logbook.") if step.ok else refusal_text(tr, step))
    )
