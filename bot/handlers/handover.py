"""/handover, /focus, /report and the handover's buttons (accept, accept with remarks, note)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.button_data import PagePress
from bot.db.models import HandoverStatus
from bot.desk import Desk
from bot.drafts import DraftState
from bot.handlers.buttons import ActionPress, button, turn_in_place
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.flows import Flow, ask, finish, register_flow, start
from bot.handlers.logbook import parse_day
from bot.handlers.proposals import actor
from bot.handover.buttons import (
    HANDOVER_BUTTONS,
    HANDOVER_PAGES,
    OPENING_PAGES,
    HandoverAction,
)
from bot.handover.buttons import PREFIX as HANDOVER_PREFIX
from bot.handover.deadline_kinds import ShiftDeadline
from bot.handover.handovers import handover_card
from bot.handover.report import report_lines
from bot.i18n import N_, Translator
from bot.outbox.screens import Screen, paged_screen
from bot.shifts import Right
from bot.steps import REFUSAL_TEXTS, Refusal, refusal_text

NOTE_FLOW = "handover-note"
REMARKS_FLOW = "handover-remarks"


class NoteStep(StrEnum):
    """The steps of the outgoing leader's note (NOTE_FLOW), as drafts store them."""

    TEXT = "text"


class RemarksStep(StrEnum):
    """The steps of accepting with remarks (REMARKS_FLOW), as drafts store them."""

    TEXT = "text"


NOT_ON_DESK = N_("Only people of the duty desk may see the handover.")
NOT_WRITING = REFUSAL_TEXTS[Refusal.NOT_ON_DUTY]


def usage(tr: Translator) -> str:
    """Say how /handover is used."""
    return tr(
        "Write /handover to see the handover, or /handover note followed by your note "
        "(outgoing shift leader), e.g. /handover note Theo dõi tiếp lô hàng của Công ty ABC."
    )


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_handover(update: Update, context: Context) -> None:
    """Show the open handover, or the current shift's draft; `note <text>` adds a note."""
    args = context.args or []
    if args and args[0].lower() in ("note", "ghichu", "ghi-chu"):
        await note(update, context, " ".join(args[1:]))
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    if args:
        reply(update, context, escape(usage(tr)))
        return
    now = desk.clock.now()
    current = desk.roster.shift_date_at(now)
    previous = desk.handovers.of_shift(current - dt.timedelta(days=1))
    shown = previous.shift_date if previous and previous.status == HandoverStatus.OPEN else current
    screen = handover_screen(desk, tr, shown, 0)
    reply(update, context, screen.text, screen.buttons)


def handover_screen(desk: Desk, tr: Translator, shift_date: dt.date, page: int) -> Screen:
    """A page of a shift's handover: as posted (and whether accepted), else the draft as of now."""
    now = desk.clock.now()
    posted = desk.handovers.of_shift(shift_date)
    if posted is not None:
        overdue = posted.status == HandoverStatus.OPEN and shift_date < desk.roster.shift_date_at(
            now
        )
        head = ["⚠️ " + escape(tr("Not accepted yet."))] if overdue else []
        return handover_card(tr, posted, page, head)
    lines = desk.handovers.text(tr, shift_date, desk.handovers.items(shift_date, now), now)
    prepare_at = desk.cycle.moment(ShiftDeadline.HANDOVER_DUE, shift_date)
    draft = tr("Draft: it will be posted for acceptance at {when}.")
    # The draft says so first: it is not the handover posted for acceptance.
    lines.insert(0, "📝 " + escape(draft.format(when=tr.datetime(prepare_at))))
    return paged_screen(tr, lines, page, lambda n: HANDOVER_PAGES.data(shift_date, n))


@requires(Right.VIEW, NOT_ON_DESK)
@button(HANDOVER_PAGES.read)
async def on_handover_page(update: Update, context: Context, press: PagePress[dt.date]) -> None:
    """Show a page of a handover in place (also the "see the handover" under a reminder)."""
    screen = handover_screen(desk_of(context), tr_for(update, context), press.key, press.page)
    await turn_in_place(update, context, screen)


async def note(update: Update, context: Context, text: str) -> None:
    """Add the outgoing leader's note, or ask for it when none is given."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    author = actor(update, context)
    now = desk.clock.now()
    allowed = desk.handovers.may_note(author.user_id or 0, now)
    if not allowed.ok:
        desk.audit.record(
            "denied", user_id=author.user_id, chat_id=chat_of(update), detail="handover note"
        )
        reply(update, context, escape(refusal_text(tr, allowed)))
        return
    if not text.strip():
        start(update, context, NOTE_FLOW, NoteStep.TEXT, {})
        ask(update, context, escape(tr("What should the incoming shift know? Write your note.")))
        return
    step = desk.handovers.add_note(author, text, now)
    if not step.ok:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    reply(update, context, "🗒 " + escape(tr("Noted for the handover.")))


def chat_of(update: Update) -> int | None:
    """The chat an update came from."""
    return update.effective_chat.id if update.effective_chat else None


async def on_note_text(update: Update, context: Context, state: DraftState) -> None:
    """The note typed after the button or a bare /handover note."""
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    tr = tr_for(update, context)
    if not text:
        ask(update, context, escape(tr("The note cannot be empty.")))
        return
    finish(context, state)
    await note(update, context, text)


async def on_remarks_text(update: Update, context: Context, state: DraftState) -> None:
    """The incoming leader's remarks: accept with them."""
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    desk = desk_of(context)
    tr = tr_for(update, context)
    if not text:
        ask(update, context, escape(tr("Write your remarks, or press Cancel.")))
        return
    finish(context, state)
    step = desk.handovers.accept(
        state.data["handover"], actor(update, context), desk.clock.now(), text
    )
    if not step.ok:
        reply(update, context, escape(refusal_text(tr, step)))


@button(HANDOVER_BUTTONS.read)
async def on_handover_button(update: Update, context: Context, press: ActionPress) -> None:
    """Accept, accept with remarks, or add a note: each only for whom it is for."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    action, handover_id = HandoverAction(press.action), press.id
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    if action is HandoverAction.NOTE:
        await query.answer()
        await note(update, context, "")
        return
    allowed = desk.handovers.may_accept(desk.handovers.get(handover_id), user.id)
    if not allowed.ok:
        if allowed.refusal is Refusal.NOT_INCOMING_LEADER:
            desk.audit.record(
                "denied",
                user_id=user.id,
                chat_id=chat_of(update),
                detail=f"handover {handover_id} acceptance is for the incoming shift leader",
            )
        await query.answer(refusal_text(tr, allowed), show_alert=True)
        return
    if action is HandoverAction.ACCEPT_WITH_REMARKS:
        await query.answer()
        start(update, context, REMARKS_FLOW, RemarksStep.TEXT, {"handover": handover_id})
        ask(
            update,
            context,
            escape(tr("Your remarks on the handover? They are logged with your acceptance.")),
        )
        return
    step = desk.handovers.accept(handover_id, actor(update, context), now)
    await query.answer(
        tr("Handover accepted.") if step.ok else refusal_text(tr, step),
        show_alert=not step.ok,
    )


@requires(Right.WRITE_LOGBOOK, NOT_WRITING)
async def cmd_focus(update: Update, context: Context) -> None:
    """/focus <text>: note something the coming shifts must keep watching; bare: list them."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = " ".join(context.args or []).strip()
    now = desk.clock.now()
    if not text:
        items = desk.handovers.items(desk.roster.shift_date_at(now), now).focus
        lines = ["🎯 <b>" + escape(tr("Focus items of this shift")) + "</b>"]
        lines += [f"• {escape(item.text)} ({escape(item.author_name)})" for item in items]
        if not items:
            lines.append(escape(tr("none")))
        lines += [
            "",
            escape(
                tr("Write /focus followed by what to watch, e.g. /focus Xe 51C-123.45 ra cổng B.")
            ),
        ]
        reply(update, context, "\n".join(lines))
        return
    step = desk.handovers.add_focus(actor(update, context), text, now)
    if not step.ok:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    reply(update, context, "🎯 " + escape(tr("Noted as a focus item; it goes into the handover.")))


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_report(update: Update, context: Context) -> None:
    """/report [date]: a kept daily report (the newest without a date)."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    given = " ".join(context.args or []).strip()
    if given:
        day = parse_day(given)
        if day is None:
            reply(
                update,
                context,
                escape(
                    tr("“{given}” is not a date. Write /report, or /report 25/11/2026.").format(
                        given=given
                    )
                ),
            )
            return
        report = desk.reports.get(day)
    else:
        report = desk.reports.latest()
        day = None
    if report is None:
        text = (
            tr("No daily report is kept for the shift of {date}.").format(date=tr.date(day))
            if day
            else tr("No daily report has been made yet.")
        )
        reply(update, context, escape(text))
        return
    reply(
        update,
        context,
        "\n".join(report_lines(tr, report, desk.settings.escalation.reply_deadline_minutes)),
    )


@requires(Right.VIEW, NOT_ON_DESK)
@button(OPENING_PAGES.read)
async def on_opening_page(update: Update, context: Context, press: PagePress[dt.date]) -> None:
    """Show a page of a shift's opening in place."""
    desk = desk_of(context)
    screen = desk.cycle.opening_page(tr_for(update, context), press.key, press.page)
    await turn_in_place(update, context, screen)


def register(app: App) -> None:
    """Wire /handover, /focus, /report, the handover's buttons and its questions."""
    register_flow(NOTE_FLOW, Flow(on_note_text))
    register_flow(REMARKS_FLOW, Flow(on_remarks_text))
    app.add_handler(CommandHandler("handover", cmd_handover))
    app.add_handler(CommandHandler("focus", cmd_focus))
    app.add_handler(CommandHandler("report", cmd_report))
    app.add_handler(CallbackQueryHandler(on_handover_button, pattern=f"^{HANDOVER_PREFIX}:"))
    app.add_handler(CallbackQueryHandler(on_handover_page, pattern=f"^{HANDOVER_PAGES.prefix}:"))
    app.add_handler(CallbackQueryHandler(on_opening_page, pattern=f"^{OPENING_PAGES.prefix}:"))
