"""An EPZ contact's outage notice (247 Annex II), asked step by step in private chat.

The contact's other messages land here too: gate-log lines while a gate camera is down, or a
notice written freely, kept and completed by the same questions.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from html import escape
from typing import Any

from telegram import Update

from bot.config import Enterprise
from bot.db.models import OutageKind
from bot.drafts import DraftState
from bot.epz.buttons import NoticeChoice, notice_choice, read_notice_choice
from bot.epz.free_notice import prefill
from bot.epz.gatelog import LineProblem, ParsedLine, parse_lines
from bot.epz.notice_text import PLANNED_KINDS, parse_date, parse_moment, read_kind
from bot.epz.outage_rules import KIND_LABELS
from bot.epz.outages import NoticeInput
from bot.epz.since import GRACE, MAX_FAULT_AGE, Since, SinceProblem, read_since
from bot.handlers.common import Context, desk_of, reply, tr_for
from bot.handlers.flows import advance, ask, choice, finish, start
from bot.handlers.proposals import actor
from bot.i18n import N_, Translator
from bot.steps import refusal_text

OUTAGE = "outage"
NOT_A_CONTACT = N_("Only the contact of an EPZ enterprise can report its outages here.")


class OutageStep(StrEnum):
    """The notice's questions in the order they are asked (OUTAGE); each is its answer's key
    in the draft, as drafts store them. START is when planned work begins or, for a fault,
    since when it has lasted."""

    KIND = "kind"
    START = "start"
    CAMERAS = "cameras"
    DESCRIPTION = "description"
    EFFECT = "effect"
    EXPECTED = "expected"
    CONTACT = "contact"


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


async def cmd_outage(update: Update, context: Context) -> None:
    """Start an Annex II outage notice."""
    enterprise = contact_enterprise(update, context)
    tr = tr_for(update, context)
    if enterprise is None:
        reply(update, context, escape(tr(NOT_A_CONTACT)))
        return
    state = start(
        update,
        context,
        OUTAGE,
        OutageStep.KIND,
        {"enterprise": enterprise.key, OutageStep.CAMERAS: []},
    )
    if state is not None:
        ask_next(update, context, state, enterprise)


def is_planned(data: dict[str, object]) -> bool:
    """True for a notice of planned maintenance or a power cut (announced with its start)."""
    return data.get(OutageStep.KIND) in {kind.value for kind in PLANNED_KINDS}


def missing_step(data: dict[str, object]) -> OutageStep | None:
    """The first question the draft has no answer to."""
    for step in OutageStep:
        if step not in data or (step is OutageStep.CAMERAS and not data.get("cameras_done")):
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
    data[OutageStep.KIND] = kind
    start = data.get(OutageStep.START)
    if start is None:
        return
    at = dt.datetime.fromisoformat(start)
    if (is_planned(data) and at < now - GRACE) or (not is_planned(data) and at > now + GRACE):
        del data[OutageStep.START]


def ask_next(update: Update, context: Context, state: DraftState, enterprise: Enterprise) -> None:
    """Ask the first question the draft has no answer to yet."""
    tr = tr_for(update, context)
    data = state.data
    missing = missing_step(data)
    if missing is None:
        return
    advance(context, state, missing)
    if missing is OutageStep.KIND:
        rows = [
            [choice(tr(KIND_LABELS[kind]), notice_choice(NoticeChoice.KIND, kind))]
            for kind in OutageKind
        ]
        ask(
            update,
            context,
            "🏭 "
            + escape(tr("Outage notice for {name}. What failed?").format(name=enterprise.name)),
            rows,
        )
    elif missing is OutageStep.CAMERAS:
        chosen = set(state.data[OutageStep.CAMERAS])
        rows = [
            [
                choice(
                    ("☑ " if c.number in chosen else "☐ ") + f"{c.number} {c.name}",
                    notice_choice(NoticeChoice.CAMERA, c.number),
                )
            ]
            for c in enterprise.cameras
        ]
        rows.append([choice("✅ " + tr("Done"), notice_choice(NoticeChoice.CAMERAS_DONE))])
        ask(
            update,
            context,
            escape(tr("Which cameras are affected? Tap them (or type their numbers), then Done.")),
            rows,
        )
    elif missing is OutageStep.DESCRIPTION:
        ask(update, context, escape(tr("Describe the fault and its cause.")))
    elif missing is OutageStep.EFFECT:
        ask(
            update,
            context,
            escape(tr("How does it affect customs supervision? (e.g. the gate is not recorded)")),
            [[choice(tr("Skip"), notice_choice(NoticeChoice.SKIP))]],
        )
    elif missing is OutageStep.START and is_planned(data):
        ask(
            update,
            context,
            escape(tr("When does it start? (e.g. 28/11 08:00, or tap Now)")),
            [[choice(tr("Now"), "start-now")]],
        )
    elif missing is OutageStep.START:
        ask(
            update,
            context,
            escape(
                tr("Since when has the fault lasted? (e.g. 6h30, 06:30 or 28/11 06:30, or tap Now)")
            ),
            [[choice(tr("Now"), "start-now")]],
        )
    elif missing is OutageStep.EXPECTED and is_planned(data):
        ask(update, context, escape(tr("When will it be over? (e.g. 30/11 or 3 ngày)")))
    elif missing is OutageStep.EXPECTED:
        ask(update, context, escape(tr("When do you expect to fix it? (e.g. 30/11 or 3 ngày)")))
    elif missing is OutageStep.CONTACT:
        last = desk_of(context).outages.last_contact(enterprise.key)
        use_last = choice(
            tr("Use: {contact}").format(contact=last), notice_choice(NoticeChoice.LAST_CONTACT)
        )
        rows = [[use_last]] if last else []
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
    step = OutageStep(state.step) if state.step in set(OutageStep) else None
    if step is OutageStep.CAMERAS:
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
        state.data[OutageStep.CAMERAS] = [known[t.lower()] for t in typed]
    elif step is OutageStep.KIND:
        kind = read_kind(text)
        if kind is None:
            # Typed instead of tapped: say so and put the buttons again.
            reply(update, context, escape(tr("Please choose what failed with a button.")))
            ask_next(update, context, state, enterprise)
            return
        set_kind(state.data, kind.value, desk.clock.now())
    elif step is OutageStep.START and not is_planned(state.data):
        since = read_since(text, desk.clock.now(), desk.settings.tz)
        if since.at is None or since.problem is not None:
            ask(update, context, escape(not_a_fault_start(tr, text, since)))
            return
        state.data[OutageStep.START] = since.at.isoformat()
    elif step is OutageStep.START:
        now = desk.clock.now()
        # A minute's grace: "8h" typed at 08:00:30 means now, not yesterday.
        starts = parse_moment(text, now, desk.settings.tz)
        if starts is None or starts < now - dt.timedelta(minutes=1):
            ask(update, context, escape(not_a_moment(tr, text)))
            return
        state.data[OutageStep.START] = max(starts, now).isoformat()
    elif step is OutageStep.EXPECTED:
        today = desk.clock.now().astimezone(desk.settings.tz).date()
        expected = parse_date(text, today)
        if expected is None or expected < today:
            ask(update, context, escape(not_a_date(tr, text)))
            return
        starts = state.data.get(OutageStep.START)
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
        state.data[OutageStep.EXPECTED] = expected.isoformat()
    elif step is not None:
        state.data[step] = text
    await continue_or_submit(update, context, state, enterprise)


async def on_outage_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Take a chosen kind, camera, or the prefilled contact."""
    enterprise = contact_enterprise(update, context)
    if enterprise is None:
        return
    pick = read_notice_choice(value)
    chosen = pick.choice if pick is not None else None
    on_map = {camera.number for camera in enterprise.cameras}
    if pick is not None and chosen is NoticeChoice.KIND:
        set_kind(state.data, pick.picked, desk_of(context).clock.now())
    elif pick is not None and chosen is NoticeChoice.CAMERA and pick.picked in on_map:
        cameras: list[str] = state.data[OutageStep.CAMERAS]
        picked = pick.picked
        cameras.remove(picked) if picked in cameras else cameras.append(picked)
        advance(context, state, OutageStep.CAMERAS)
        ask_next(update, context, state, enterprise)
        return
    elif chosen is NoticeChoice.CAMERAS_DONE:
        state.data["cameras_done"] = True
    elif chosen is NoticeChoice.START_NOW and state.step == OutageStep.START:
        state.data[OutageStep.START] = desk_of(context).clock.now().isoformat()
    elif chosen is NoticeChoice.SKIP and state.step == OutageStep.EFFECT:
        state.data[OutageStep.EFFECT] = ""
    elif chosen is NoticeChoice.LAST_CONTACT:
        state.data[OutageStep.CONTACT] = desk_of(context).outages.last_contact(enterprise.key)
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
    step = desk.outages.notify(
        NoticeInput(
            enterprise=enterprise.key,
            kind=OutageKind(data[OutageStep.KIND]),
            description=str(data[OutageStep.DESCRIPTION]),
            cameras=list(data[OutageStep.CAMERAS]),
            effect=str(data.get(OutageStep.EFFECT, "")),
            expected_fix=dt.date.fromisoformat(data[OutageStep.EXPECTED]),
            tech_contact=str(data[OutageStep.CONTACT]),
            starts_at=dt.datetime.fromisoformat(data[OutageStep.START]),
        ),
        actor(update, context),
        desk.clock.now(),
    )
    finish(context, state)
    outage = step.value
    if outage is None:
        reply(update, context, escape(refusal_text(tr, step)))
        return
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
        OutageStep.CAMERAS: [],
        **prefill(message.text, enterprise, now, desk.settings.tz),
    }
    state = start(update, context, OUTAGE, OutageStep.KIND, data)
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
