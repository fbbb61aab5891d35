"""Buttons under camera alerts, and /cameras and /snapshot."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.camera.annotate import Caption, annotate
from bot.camera.buttons import ALERT_BUTTONS, PREFIX, AlertAction
from bot.camera.card import shown_detail
from bot.camera.digest import kind_label
from bot.camera.runtime import EVENTS_FAULT_LABELS, events_fault
from bot.camera.silences import PRESETS
from bot.db.models import MessageKind, OutboxPriority
from bot.drafts import DraftState
from bot.escalation.incidents import Attachment, IncidentInput
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.flows import Flow, ask, register_flow, start
from bot.handlers.incidents import show_incident
from bot.handlers.proposals import actor, conclude
from bot.i18n import N_
from bot.shifts import Right
from bot.steps import Refusal, Step, refusal_text

FALSE_ALARM = "false_alarm"
NOT_ON_SHIFT = N_("Only the people rostered on the current shift may act on alerts.")
NOT_ON_DESK = N_("Only people of the duty desk may see the cameras.")
# An album holds at most ten photos.
ALBUM_MAX = 10
# The reader of the buttons under an alert card (kept under this name for tests/test_values.py).
parse_alert_press = ALERT_BUTTONS.read


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(ALERT_BUTTONS.read)
async def on_open_incident(update: Update, context: Context, press: ActionPress) -> None:
    """Open the alert's incident in one press; a later press shows the one opened."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    alert = desk.cameras.alerts.get(press.id)
    if alert is None:
        await query.answer(tr("This alert no longer exists."), show_alert=True)
        return
    camera = desk.settings.camera(alert.camera)
    message = query.message
    attachments = []
    if isinstance(message, Message) and message.photo:
        attachments.append(Attachment(MessageKind.PHOTO, message.photo[-1].file_id))
    given = IncidentInput(
        description=" ".join(
            filter(
                None,
                [kind_label(desk.desk_translator(), alert.kind), shown_detail(alert), alert.refs],
            )
        ),
        place=camera.place if camera else "",
        camera=alert.camera,
        attachments=attachments,
        arisen_at=alert.occurred_at,
    )
    step = desk.escalation.incidents.open_from_alert(
        actor(update, context), press.id, given, desk.clock.now()
    )
    if not step.ok or step.value is None:
        await query.answer(refusal_text(tr, step), show_alert=True)
        return
    found = step.value
    label = found.incident.label
    if found.opened:
        desk.cameras.alerts.refresh_card(press.id)
        await query.answer(
            tr("Incident {label} is open; propose handling on its card.").format(label=label)
        )
        return
    await query.answer(
        tr("Incident {label} was already opened by {name}.").format(label=label, name=found.by)
    )
    await show_incident(update, context, label)


async def answer_acted(update: Update, context: Context, acted: object, done: str) -> None:
    """Answer a press the alerts service acted on (`done`), or found no alert for."""
    query = update.callback_query
    assert query is not None
    if acted is None:
        await query.answer(tr_for(update, context)("This alert no longer exists."), show_alert=True)
        return
    await query.answer(done)


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(ALERT_BUTTONS.read)
async def on_seen(update: Update, context: Context, press: ActionPress) -> None:
    """Say the alert is in hand: the card shows who, the logbook notes it."""
    alert = desk_of(context).cameras.alerts.mark_seen(press.id, actor(update, context))
    done = tr_for(update, context)("Noted: you have seen this alert.")
    await answer_acted(update, context, alert, done)


@requires(Right.VIEW, NOT_ON_DESK)
@button(ALERT_BUTTONS.read)
async def on_neighbours(update: Update, context: Context, press: ActionPress) -> None:
    """Post fresh snapshots of the neighbouring cameras as one album (888 Art. 14.1.2c)."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    alert = desk.cameras.alerts.get(press.id)
    camera = desk.settings.camera(alert.camera) if alert else None
    if alert is None or camera is None or not camera.neighbours:
        await query.answer(tr("This camera has no neighbours on the camera map."), show_alert=True)
        return
    await query.answer(tr("Fetching the neighbouring cameras…"))
    images = await desk.cameras.snapshots(camera.neighbours[:ALBUM_MAX])
    chat = update.effective_chat
    if chat is None:
        return
    if not images:
        reply(update, context, escape(tr("No neighbouring camera answered.")))
        return
    if len(images) == 1:
        desk.outbox.send_photo(chat.id, images[0][0], images[0][1], priority=OutboxPriority.REPLY)
    else:
        desk.outbox.send_album(chat.id, images, priority=OutboxPriority.REPLY)


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(ALERT_BUTTONS.read)
async def on_false_alarm(update: Update, context: Context, press: ActionPress) -> None:
    """Ask why the alert is false, then record who and why."""
    query = update.callback_query
    assert query is not None
    tr = tr_for(update, context)
    if desk_of(context).cameras.alerts.get(press.id) is None:
        await query.answer(tr("This alert no longer exists."), show_alert=True)
        return
    await query.answer()
    state = start(update, context, FALSE_ALARM, "reason", {"alert": press.id})
    if state is not None:
        ask(
            update,
            context,
            escape(tr("Why is this a false alarm? (e.g. a cat on the fence, rain on the lens)")),
        )


async def on_false_alarm_reason(update: Update, context: Context, state: DraftState) -> None:
    """Record the false alarm with its reason."""
    message = update.effective_message
    desk = desk_of(context)
    reason = ((message.text or "") if message else "").strip()
    step: Step[object]
    if not reason:
        step = Step(refusal=Refusal.EMPTY)
    else:
        alert = desk.cameras.alerts.mark_false(state.data["alert"], actor(update, context), reason)
        step = Step(alert) if alert is not None else Step(refusal=Refusal.NOT_FOUND)
    conclude(
        update,
        context,
        state,
        step,
        done=N_("Recorded as a false alarm."),
        empty=N_("The reason cannot be empty. Write why this is a false alarm."),
    )


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_cameras(update: Update, context: Context) -> None:
    """Show every camera's state, area by area."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    readings = {r.number: r for r in desk.outages.cameras(desk.clock.now())}
    icons = {"up": "🟢", "degraded": "🟡", "down": "🔴"}
    lines = ["🎥 <b>" + escape(tr("Cameras")) + "</b>"]
    areas: dict[str, list[str]] = {}
    for camera in desk.settings.cameras:
        reading = readings[camera.number]
        status = reading.status
        icon = icons.get(reading.state or "", "⚪")
        reason = f" — {escape(status.reason)}" if status and status.reason else ""
        if (outage := reading.outage) is not None:
            # The enterprise's notice outranks what the round last saw until the officer confirms.
            reason = " — " + escape(
                tr("down: the enterprise's notice no. {number}").format(number=outage.id)
            )
        drift = " ↗️ " + escape(tr("off its preset")) if status and status.drift else ""
        events = ""
        if status and (fault := events_fault(status)) is not None:
            # Answering is not working: its alarms are lost, which the plain state would hide.
            icon = "🟡" if icon in ("🟢", "⚪") else icon
            events = " ⚠️ " + escape(
                tr("no events: {reason}").format(reason=tr(EVENTS_FAULT_LABELS[fault]))
            )
        areas.setdefault(camera.area or camera.place or "—", []).append(
            f"{icon} {escape(camera.number)} {escape(camera.name)}{reason}{drift}{events}"
        )
    for area, rows in areas.items():
        lines += ["", f"<b>{escape(area)}</b>", *rows]
    if not desk.settings.cameras:
        lines.append(escape(tr("No cameras are configured.")))
    reply(update, context, "\n".join(lines))


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_snapshot(update: Update, context: Context) -> None:
    """Post a fresh annotated snapshot of one camera."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    number = " ".join(context.args or []).strip()
    camera = desk.settings.camera(number) if number else None
    chat = update.effective_chat
    if camera is None or chat is None:
        known = ", ".join(c.number for c in desk.settings.cameras[:20]) or "—"
        reply(
            update,
            context,
            escape(
                tr(
                    "Write /snapshot followed by a camera number, e.g. "
                    "/snapshot 12. Cameras: {known}"
                ).format(known=known)
            ),
        )
        return
    image = await desk.cameras.snapshot(camera.number)
    if image is None:
        reply(
            update,
            context,
            escape(tr("Camera {number} did not send a snapshot.").format(number=camera.number)),
        )
        return
    caption = Caption(camera.number, camera.place, tr.datetime(desk.clock.now()), tr("Snapshot"))
    jpeg = await asyncio.to_thread(annotate, image, caption)
    desk.outbox.send_photo(
        chat.id,
        jpeg,
        f"🎥 CAM {escape(camera.number)} · {escape(camera.name)}",
        priority=OutboxPriority.REPLY,
    )


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(ALERT_BUTTONS.read)
async def on_silence(update: Update, context: Context, press: ActionPress) -> None:
    """Offer the periods the camera's alerts can be paused for, on the card itself."""
    query = update.callback_query
    assert query is not None
    tr = tr_for(update, context)
    desk = desk_of(context)
    if press.action == AlertAction.BACK:
        desk.cameras.alerts.refresh_card(press.id)
        await query.answer()
        return
    alert = desk.cameras.alerts.offer_silence(press.id, actor(update, context))
    await answer_acted(update, context, alert, tr("Pause this camera's alerts for how long?"))


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(ALERT_BUTTONS.read)
async def on_silence_period(update: Update, context: Context, press: ActionPress) -> None:
    """Pause the camera's alerts for the chosen period; the card and the logbook say so."""
    tr = tr_for(update, context)
    preset = PRESETS[AlertAction(press.action)]
    alert = desk_of(context).cameras.alerts.silence(press.id, actor(update, context), preset)
    done = tr("Paused for {hours} h; a summary comes when it ends.").format(hours=preset.hours)
    await answer_acted(update, context, alert, done)


def register(app: App) -> None:
    """Wire the alert buttons and the camera commands."""
    register_flow(FALSE_ALARM, Flow(on_false_alarm_reason))
    # Routed by prefix and action; every "al:" press reaches a handler, so a malformed one is
    # answered by the codec's reader.
    app.add_handler(
        CallbackQueryHandler(on_open_incident, pattern=f"^{PREFIX}:{AlertAction.OPEN_INCIDENT}:")
    )
    app.add_handler(
        CallbackQueryHandler(on_neighbours, pattern=f"^{PREFIX}:{AlertAction.NEIGHBOURS}:")
    )
    app.add_handler(CallbackQueryHandler(on_seen, pattern=f"^{PREFIX}:{AlertAction.SEEN}:"))
    app.add_handler(
        CallbackQueryHandler(
            on_silence, pattern=f"^{PREFIX}:({AlertAction.SILENCE}|{AlertAction.BACK}):"
        )
    )
    periods = "|".join(action.value for action in PRESETS)
    app.add_handler(CallbackQueryHandler(on_silence_period, pattern=f"^{PREFIX}:({periods}):"))
    app.add_handler(CallbackQueryHandler(on_false_alarm, pattern=f"^{PREFIX}:"))
    app.add_handler(CommandHandler("cameras", cmd_cameras))
    app.add_handler(CommandHandler("snapshot", cmd_snapshot))
