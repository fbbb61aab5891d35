"""EPZ contacts in private chat: outage notices, gate logs, restoration; officers' follow-up."""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Enterprise, Settings
from bot.db.models import (
    EpzOutage,
    OutageKind,
    OutageStatus,
    Proposal,
    ProposalStatus,
    RotationCheck,
)
from bot.drafts import DraftState
from bot.epz.free_notice import prefill
from bot.epz.gatelog import LineProblem, ParsedLine, parse_lines
from bot.epz.notice_text import PLANNED_KINDS, parse_date, parse_moment, read_kind
from bot.epz.outages import KIND_LABELS, NoticeInput, arisen_text, restoration_cameras
from bot.epz.rotation import OUTCOME_ICONS, OUTCOME_LABELS
from bot.epz.since import GRACE, MAX_FAULT_AGE, Since, SinceProblem, read_since
from bot.escalation.texts import STATUS_LABELS
from bot.handlers.buttons import ActionPress, action_and_id, button
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.flows import (
    Flow,
    advance,
    ask,
    choice,
    finish,
    register_fallback,
    register_flow,
    start,
)
from bot.handlers.proposals import actor
from bot.i18n import N_, Translator
from bot.outbox import Button, keyboard
from bot.shifts import Right

OUTAGE, EXPLAIN, PROGRESS = "outage", "explain", "progress"
STEPS = ("kind", "start", "cameras", "description", "effect", "expected", "contact")
NOT_A_CONTACT = N_("Only the contact of an EPZ enterprise can report its outages here.")
NOT_ON_DESK = N_("Only people of the duty desk may see EPZ enterprises.")


def contact_enterprise(update: Update, context: Context) -> Enterprise | None:
    """The enterprise the person reports for, when this is their private chat."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE:
        return None
    return desk_of(context).enrolment.enterprise_of(user.id)


def not_a_date(tr: Translator, given: str) -> str:
    """Say a date is unusable and how to write one."""
    return tr(
        "“{given}” is not a date from today on. Write it as 30/11, 30/11/2026 or “3 ngày”."
    ).format(given=given)


# --- the notice conversation ---------------------------------------------------------------------


async def cmd_outage(update: Update, context: Context) -> None:
    """Start an Annex II outage notice."""
    enterprise = contact_enterprise(update, context)
    tr = tr_for(update, context)
    if enterprise is None:
        reply(update, context, escape(tr(NOT_A_CONTACT)))
        return
    state = start(update, context, OUTAGE, "kind", {"enterprise": enterprise.key, "cameras": []})
    if state is not None:
        ask_next(update, context, state, enterprise)


def is_planned(data: dict[str, object]) -> bool:
    """True for a notice of planned maintenance or a power cut (announced with its start)."""
    return data.get("kind") in {kind.value for kind in PLANNED_KINDS}


def missing_step(data: dict[str, object]) -> str | None:
    """The first question the draft has no answer to.

    "start" is when planned work begins or, for a fault, since when it has lasted.
    """
    for step in STEPS:
        if step not in data or (step == "cameras" and not data.get("cameras_done")):
            return step
    return None


def not_a_moment(tr: Translator, given: str) -> str:
    """Say a start is unusable and how to write one."""
    return tr(
        "“{given}” is not a date and time from now on. Write it as 28/11 08:00 or 8h, or tap Now."
    ).format(given=given)


def not_a_fault_start(tr: Translator, given: str, since: Since) -> str:
    """Say why an answer is not the start of a fault, and how to write one."""
    how = tr("Write when the fault began, e.g. 6h30, 06:30 or 28/11 06:30, or tap Now.")
    if since.at is not None and since.problem is SinceProblem.FUTURE:
        why = tr("“{given}” ({when}) is still to come.")
    elif since.at is not None and since.problem is SinceProblem.TOO_OLD:
        why = tr("“{given}” ({when}) is more than {days} days ago.")
    else:
        why = tr("“{given}” is not a time.")
    when = tr.datetime(since.at) if since.at is not None else ""
    return why.format(given=given, when=when, days=MAX_FAULT_AGE.days) + " " + how


def set_kind(data: dict[str, Any], kind: str, now: dt.datetime) -> None:
    """Take the kind; a start read for the other sort of notice is asked again.

    Planned work starts from now on, a fault began at the latest now.
    """
    data["kind"] = kind
    start = data.get("start")
    if start is None:
        return
    at = dt.datetime.fromisoformat(start)
    if (is_planned(data) and at < now - GRACE) or (not is_planned(data) and at > now + GRACE):
        del data["start"]


def ask_next(update: Update, context: Context, state: DraftState, enterprise: Enterprise) -> None:
    """Ask the first question the draft has no answer to yet."""
    tr = tr_for(update, context)
    data = state.data
    missing = missing_step(data)
    if missing is None:
        return
    advance(context, state, missing)
    if missing == "kind":
        rows = [[choice(tr(KIND_LABELS[kind]), f"kind:{kind.value}")] for kind in OutageKind]
        ask(
            update,
            context,
            "🏭 "
            + escape(tr("Outage notice for {name}. What failed?").format(name=enterprise.name)),
            rows,
        )
    elif missing == "cameras":
        chosen = set(state.data["cameras"])
        rows = [
            [
                choice(
                    ("☑ " if c.number in chosen else "☐ ") + f"{c.number} {c.name}",
                    f"cam:{c.number}",
                )
            ]
            for c in enterprise.cameras
        ]
        rows.append([choice("✅ " + tr("Done"), "cams-done")])
        ask(
            update,
            context,
            escape(tr("Which cameras are affected? Tap them (or type their numbers), then Done.")),
            rows,
        )
    elif missing == "description":
        ask(update, context, escape(tr("Describe the fault and its cause.")))
    elif missing == "effect":
        ask(
            update,
            context,
            escape(tr("How does it affect customs supervision? (e.g. the gate is not recorded)")),
            [[choice(tr("Skip"), "skip")]],
        )
    elif missing == "start" and is_planned(data):
        ask(
            update,
            context,
            escape(tr("When does it start? (e.g. 28/11 08:00, or tap Now)")),
            [[choice(tr("Now"), "start-now")]],
        )
    elif missing == "start":
        ask(
            update,
            context,
            escape(
                tr("Since when has the fault lasted? (e.g. 6h30, 06:30 or 28/11 06:30, or tap Now)")
            ),
            [[choice(tr("Now"), "start-now")]],
        )
    elif missing == "expected" and is_planned(data):
        ask(update, context, escape(tr("When will it be over? (e.g. 30/11 or 3 ngày)")))
    elif missing == "expected":
        ask(update, context, escape(tr("When do you expect to fix it? (e.g. 30/11 or 3 ngày)")))
    elif missing == "contact":
        last = desk_of(context).outages.last_contact(enterprise.key)
        rows = [[choice(tr("Use: {contact}").format(contact=last), "contact-last")]] if last else []
        ask(update, context, escape(tr("Technical contact (name and phone)?")), rows)


async def on_outage_text(update: Update, context: Context, state: DraftState) -> None:
    """Take the typed answer to the current question."""
    message = update.effective_message
    enterprise = contact_enterprise(update, context)
    if message is None or enterprise is None:
        return
    tr = tr_for(update, context)
    desk = desk_of(context)
    text = (message.text or "").strip()
    if not text:
        ask(update, context, escape(tr("Please answer in text.")))
        return
    if state.step == "cameras":
        known = {c.number.lower(): c.number for c in enterprise.cameras}
        typed = [t for t in re.split(r"[\s,;]+", text) if t]
        unknown = [t for t in typed if t.lower() not in known]
        if unknown:
            ask(
                update,
                context,
                escape(
                    tr("{cameras} not on the camera map of {name}. Its cameras: {known}.").format(
                        cameras=", ".join(unknown),
                        name=enterprise.name,
                        known=", ".join(c.number for c in enterprise.cameras),
                    )
                ),
            )
            return
        state.data["cameras"] = [known[t.lower()] for t in typed]
    elif state.step == "kind":
        kind = read_kind(text)
        if kind is None:
            # Typed instead of tapped: say so and put the buttons again.
            reply(update, context, escape(tr("Please choose what failed with a button.")))
            ask_next(update, context, state, enterprise)
            return
        set_kind(state.data, kind.value, desk.clock.now())
    elif state.step == "start" and not is_planned(state.data):
        since = read_since(text, desk.clock.now(), desk.settings.tz)
        if since.at is None or since.problem is not None:
            ask(update, context, escape(not_a_fault_start(tr, text, since)))
            return
        state.data["start"] = since.at.isoformat()
    elif state.step == "start":
        now = desk.clock.now()
        # A minute's grace: "8h" typed at 08:00:30 means now, not yesterday.
        starts = parse_moment(text, now, desk.settings.tz)
        if starts is None or starts < now - dt.timedelta(minutes=1):
            ask(update, context, escape(not_a_moment(tr, text)))
            return
        state.data["start"] = max(starts, now).isoformat()
    elif state.step == "expected":
        today = desk.clock.now().astimezone(desk.settings.tz).date()
        expected = parse_date(text, today)
        if expected is None or expected < today:
            ask(update, context, escape(not_a_date(tr, text)))
            return
        starts = state.data.get("start")
        first_day = (
            dt.datetime.fromisoformat(starts).astimezone(desk.settings.tz).date()
            if starts
            else today
        )
        if expected < first_day:
            ask(
                update,
                context,
                escape(
                    tr("“{given}” is before the start ({start}). When will it be over?").format(
                        given=text, start=tr.date(first_day)
                    )
                ),
            )
            return
        state.data["expected"] = expected.isoformat()
    elif state.step in STEPS:
        state.data[state.step] = text
    await continue_or_submit(update, context, state, enterprise)


async def on_outage_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Take a chosen kind, camera, or the prefilled contact."""
    enterprise = contact_enterprise(update, context)
    if enterprise is None:
        return
    name, _, picked = value.partition(":")
    if name == "kind":
        set_kind(state.data, picked, desk_of(context).clock.now())
    elif name == "cam":
        cameras: list[str] = state.data["cameras"]
        cameras.remove(picked) if picked in cameras else cameras.append(picked)
        advance(context, state, "cameras")
        ask_next(update, context, state, enterprise)
        return
    elif name == "cams-done":
        state.data["cameras_done"] = True
    elif name == "start-now" and state.step == "start":
        state.data["start"] = desk_of(context).clock.now().isoformat()
    elif name == "skip" and state.step == "effect":
        state.data["effect"] = ""
    elif name == "contact-last":
        state.data["contact"] = desk_of(context).outages.last_contact(enterprise.key)
    await continue_or_submit(update, context, state, enterprise)


async def continue_or_submit(
    update: Update, context: Context, state: DraftState, enterprise: Enterprise
) -> None:
    """Ask what is still missing, or record the notice."""
    data = state.data
    if missing_step(data) is not None:
        desk_of(context).drafts.save(state)
        ask_next(update, context, state, enterprise)
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    outage = desk.outages.notify(
        NoticeInput(
            enterprise=enterprise.key,
            kind=OutageKind(data["kind"]),
            description=str(data["description"]),
            cameras=list(data["cameras"]),
            effect=str(data.get("effect", "")),
            expected_fix=dt.date.fromisoformat(data["expected"]),
            tech_contact=str(data["contact"]),
            starts_at=dt.datetime.fromisoformat(data["start"]),
        ),
        actor(update, context),
        desk.clock.now(),
    )
    finish(context, state)
    deadline = (
        tr("Repair by the end of {date} (Decision 247).").format(date=tr.date(outage.deadline))
        if outage.deadline and outage.kind in (OutageKind.CAMERA, OutageKind.TRANSMISSION)
        else ""
    )
    if outage.starts_at is not None and outage.starts_at > outage.notified_at:
        deadline = tr("Recorded as starting {when}.").format(when=tr.datetime(outage.starts_at))
    elif outage.starts_at is not None and not is_planned(data):
        deadline = (
            tr("Fault recorded as lasting since {when}.").format(when=tr.datetime(outage.starts_at))
            + " "
            + deadline
        )
    reply(
        update,
        context,
        "✅ "
        + escape(
            tr("Notice no. {number} sent to the customs duty desk.").format(number=outage.id)
            + " "
            + deadline
        ),
    )


async def on_contact_text(update: Update, context: Context) -> None:
    """A contact's message outside a conversation: gate-log lines, or a free-text notice."""
    enterprise = contact_enterprise(update, context)
    message = update.effective_message
    user = update.effective_user
    if enterprise is None or message is None or user is None or not message.text:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    lines = parse_lines(message.text, now, desk.settings.tz)
    gate_outage = desk.outages.gate_outage(enterprise, now)
    if gate_outage is not None and lines and lines[0].problem != LineProblem.NO_PLATE:
        good = [line.movement for line in lines if line.movement is not None]
        assert gate_outage.id is not None
        desk.outages.record_gate(gate_outage.id, good, user.id, now)
        text = tr.plural(
            "{count} gate movement recorded for outage no. {number}.",
            "{count} gate movements recorded for outage no. {number}.",
            len(good),
        ).format(count=len(good), number=gate_outage.id)
        bad = [
            gate_problem(tr, index, line)
            for index, line in enumerate(lines, start=1)
            if line.movement is None
        ]
        if bad:
            text += "\n" + tr("Not recorded — correct and send these lines again:") + "\n"
            text += "\n".join(bad)
        reply(update, context, escape(text))
        return
    data = {
        "enterprise": enterprise.key,
        "cameras": [],
        **prefill(message.text, enterprise, now, desk.settings.tz),
    }
    state = start(update, context, OUTAGE, "kind", data)
    if state is not None:
        reply(
            update,
            context,
            escape(
                tr(
                    "I read this as an outage notice and kept what you "
                    "wrote; a few questions remain."
                )
            ),
        )
        ask_next(update, context, state, enterprise)


def gate_problem(tr: Translator, index: int, line: ParsedLine) -> str:
    """Explain a gate-log line that was not recorded."""
    what = {
        LineProblem.NO_PLATE: tr("no vehicle plate (like 51C-123.45)"),
        LineProblem.BAD_CONTAINER: tr(
            "container {number} fails its check digit (the last digit should be {digit})"
        ).format(number=line.detail, digit=line.expected_digit),
        LineProblem.NO_DIRECTION: tr("say “vào” or “ra” (in / out)"),
        LineProblem.BAD_TIME: tr("{time} is not a time (use 14:05)").format(time=line.detail),
        LineProblem.UNREADABLE: tr("“{word}” is not understood").format(word=line.detail),
    }[line.problem or LineProblem.UNREADABLE]
    return tr("Line {index}: {what}").format(index=index, what=what)


# --- restoration, explanation, follow-up --------------------------------------------------------


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
                    [Button(f"{o.id} · {tr(KIND_LABELS[o.kind])}", f"ep:rs:{o.id}")]
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
    done = desk.outages.report_restored(outage_id, actor(update, context), desk.clock.now())
    reply(
        update,
        context,
        escape(
            tr("Recorded. The customs officer will check and confirm the restoration.")
            if done
            else tr("This step is already done; nothing changed.")
        ),
    )


# Under an outage's cards: "ep:ok:7", "ep:nc:7", "ep:pg:7", "ep:rs:7", "ep:ex:7" (7 its id).
parse_outage_press = action_and_id({"ep"}, {"ok", "nc", "pg", "rs", "ex"})


@button(parse_outage_press)
async def on_epz_button(update: Update, context: Context, press: ActionPress) -> None:
    """Officer's confirmation and follow-up, contact's explanation and restoration buttons."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    action, outage_id = press.action, press.id
    desk = desk_of(context)
    tr = tr_for(update, context)
    outage = desk.outages.get(outage_id)
    enterprise = desk.settings.enterprise(outage.enterprise) if outage else None
    if outage is None or enterprise is None:
        await query.answer(tr("This no longer exists."), show_alert=True)
        return
    is_contact = desk.enrolment.enterprise_of(user.id) == enterprise
    is_officer = enterprise.officer == user.id or Right.ADMINISTER in desk.roster.rights(
        user.id, desk.clock.now()
    )
    if (action in ("ex", "rs") and not is_contact) or (
        action in ("ok", "nc", "pg") and not is_officer
    ):
        desk.audit.record("denied", user_id=user.id, chat_id=user.id, detail=query.data or "")
        await query.answer(tr("This is for someone else."), show_alert=True)
        return
    await query.answer()
    now = desk.clock.now()
    if action == "ok":
        await confirm_restored(update, context, outage)
    elif action == "nc":
        desk.outages.progress(outage.id or 0, tr("no change"), actor(update, context), now)
        reply(update, context, escape(tr("Noted in the logbook.")))
    elif action == "pg":
        start(update, context, PROGRESS, "note", {"outage": outage.id})
        ask(update, context, escape(tr("Write the progress of the repair.")))
    elif action == "rs":
        await restored(update, context, outage.id or 0)
    elif action == "ex":
        start(update, context, EXPLAIN, "reason", {"outage": outage.id})
        ask(update, context, escape(tr("Why was it not repaired in time?")))


async def confirm_restored(update: Update, context: Context, outage: EpzOutage) -> None:
    """Close the outage, with fresh snapshots of its ONVIF cameras when they answer."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    if outage.status == OutageStatus.CLOSED or outage.id is None:
        reply(update, context, escape(tr("This step is already done; nothing changed.")))
        return
    cameras = restoration_cameras(desk.settings, outage)
    snapshots = await desk.cameras.snapshots(cameras) if cameras else []
    closed = desk.outages.confirm_restored(
        outage.id, actor(update, context), desk.clock.now(), snapshots, cameras
    )
    if closed is None:
        text = tr("This step is already done; nothing changed.")
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
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = ((message.text or "") if message else "").strip()
    if not text:
        ask(update, context, escape(tr("Please answer in text.")))
        return
    if state.step == "reason":
        state.data["reason"] = text
        advance(context, state, "date")
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
    desk.outages.explain(
        state.data["outage"],
        state.data["reason"],
        new_date,
        actor(update, context),
        desk.clock.now(),
    )
    finish(context, state)
    reply(update, context, escape(tr("Explanation recorded and sent to the duty desk.")))


async def on_progress_text(update: Update, context: Context, state: DraftState) -> None:
    """Record the officer's progress note."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = ((message.text or "") if message else "").strip()
    if not text:
        ask(update, context, escape(tr("Please answer in text.")))
        return
    desk.outages.progress(state.data["outage"], text, actor(update, context), desk.clock.now())
    finish(context, state)
    reply(update, context, escape(tr("Noted in the logbook.")))


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_epz(update: Update, context: Context) -> None:
    """EPZ enterprises, their open outages, deadlines and gate-log counts."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    month = desk.rotation.month_of(desk.clock.now())
    checks = {check.enterprise: check for check in desk.rotation.checks(month)}
    held = desk.outages.down_by_notice(desk.clock.now())
    lines = ["🏭 <b>" + escape(tr("EPZ enterprises")) + "</b>"]
    if checks:
        lines.append(
            escape(tr("Rotation of {month}:").format(month=f"{month.month:02d}/{month.year}"))
        )
    for enterprise in desk.settings.enterprises:
        lines += ["", f"<b>{escape(enterprise.name)}</b> · MST {escape(enterprise.tax_code)}"]
        if (check := checks.get(enterprise.key)) is not None:
            lines.append("   " + escape(check_status(tr, desk.settings, check)))
        outages = desk.outages.active(enterprise.key)
        if not outages:
            lines.append("   🟢 " + escape(tr("no open outage")))
        for outage in outages:
            deadline = tr.date(outage.deadline) if outage.deadline else "—"
            logged = len(desk.outages.gate_log(outage.id or 0))
            lines.append(
                "   🔴 "
                + escape(
                    tr(
                        "no. {number}: {kind}, cameras {cameras}, deadline {deadline}, "
                        "{logged} gate movements"
                    ).format(
                        number=outage.id,
                        kind=tr(KIND_LABELS[outage.kind]),
                        cameras=", ".join(outage.camera_numbers()) or "—",
                        deadline=deadline,
                        logged=logged,
                    )
                )
            )
            if outage.starts_at is not None and outage.starts_at > desk.clock.now():
                lines.append(
                    "      ⏰ "
                    + escape(tr("starts {when}").format(when=tr.datetime(outage.starts_at)))
                )
            else:
                lines.append("      ⏰ " + escape(arisen_text(tr, outage)))
            marked = [number for number, by in held.items() if by.id == outage.id]
            if marked:
                lines.append(
                    "      🔴 "
                    + escape(
                        tr("marked down by notice: cameras {cameras}").format(
                            cameras=", ".join(marked)
                        )
                    )
                )
            if (measure := desk.interim.latest(outage.id or 0)) is not None:
                lines.append("      🛡 " + escape(measure_status(tr, measure)))
    reply(update, context, "\n".join(lines))


def measure_status(tr: Translator, proposal: Proposal) -> str:
    """An outage's interim measure and where its decision stands."""
    status = tr(
        "waiting for the branch head"
        if proposal.status == ProposalStatus.PENDING
        else STATUS_LABELS[ProposalStatus(proposal.status)]
    )
    if proposal.decider_name:
        status += f", {proposal.decider_name}"
    if proposal.reason:
        status += f": {proposal.reason}"
    return tr("interim measure: {measure} ({status})").format(
        measure=proposal.content, status=status
    )


def check_status(tr: Translator, settings: Settings, check: RotationCheck) -> str:
    """One enterprise's rotation check as /epz shows it."""
    officer = settings.person(check.officer_id) if check.officer_id else None
    text = tr("{icon} rotation check {when} ({officer}): {outcome}").format(
        icon=OUTCOME_ICONS[check.outcome],
        when=tr.datetime(check.due_at),
        officer=officer.name if officer else tr("no officer assigned"),
        outcome=tr(OUTCOME_LABELS[check.outcome]),
    )
    return text + (f" — {check.finding}" if check.finding else "")


def register(app: App) -> None:
    """Wire the EPZ commands, buttons and conversations."""
    register_flow(OUTAGE, Flow(on_outage_text, on_outage_button))
    register_flow(EXPLAIN, Flow(on_explain_text))
    register_flow(PROGRESS, Flow(on_progress_text))
    app.add_handler(CommandHandler("outage", cmd_outage))
    app.add_handler(CommandHandler("restored", cmd_restored))
    app.add_handler(CommandHandler("epz", cmd_epz))
    app.add_handler(CallbackQueryHandler(on_epz_button, pattern=r"^ep:"))
    register_fallback(on_contact_text)
