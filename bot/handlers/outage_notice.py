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

from bot.button_data import read_day
from bot.config import Enterprise
from bot.db.models import EpzOutage, OutageKind, OutageStatus
from bot.drafts import DraftState
from bot.epz.buttons import (
    NoticeChoice,
    OutageAction,
    notice_choice,
    outage_button,
    read_notice_choice,
)
from bot.epz.free_notice import prefill
from bot.epz.gatelog import LineProblem, ParsedLine, parse_lines
from bot.epz.notice_text import PLANNED_KINDS, parse_date, parse_moment, read_kind
from bot.epz.outage_rules import KIND_LABELS, REPAIR_WORKING_DAYS
from bot.epz.outage_texts import contact_copy, covers_gate, notice_items
from bot.epz.outages import NoticeInput
from bot.epz.since import GRACE, MAX_FAULT_AGE, Since, SinceProblem, read_since
from bot.handlers.common import Context, desk_of, reply, tr_for
from bot.handlers.flows import advance, ask, choice, finish, start
from bot.handlers.proposals import actor
from bot.i18n import N_, Translator
from bot.outbox import Button, keyboard
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


# After the last answer the draft waits on this step for "Gửi" (send) or "Sửa" (edit).
REVIEW = "review"
# The part the person chose to change from the review: asked again, the rest kept.
EDITING = "editing"
# "Sáng nay": the start of the working morning, when a contact coming in finds the fault.
MORNING = dt.time(7, 0)
# The expected dates offered, in working days from today (the repair has 3 or 10, 247 I.2.3).
EXPECTED_WORKING_DAYS = (1, 3, 5, 10)
PART_LABELS = {
    OutageStep.KIND: N_("Kind of fault"),
    OutageStep.START: N_("Start time"),
    OutageStep.CAMERAS: N_("Cameras"),
    OutageStep.DESCRIPTION: N_("Description"),
    OutageStep.EFFECT: N_("Effect"),
    OutageStep.EXPECTED: N_("Expected date"),
    OutageStep.CONTACT: N_("Technical contact"),
}


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


def capital(text: str) -> str:
    """A button's label starts with a capital letter."""
    return text[:1].upper() + text[1:]


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
    """The part being changed from the review, else the first question with no answer."""
    editing = data.get(EDITING)
    if isinstance(editing, str) and editing in set(OutageStep):
        return OutageStep(editing)
    for step in OutageStep:
        if step not in data or (step is OutageStep.CAMERAS and not data.get("cameras_done")):
            return step
    return None


def took(data: dict[str, Any], step: OutageStep) -> None:
    """An answer to `step` came: a change asked from the review is done."""
    if data.get(EDITING) == step:
        del data[EDITING]


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


def this_morning(context: Context) -> dt.datetime:
    """07:00 today, in the desk's time."""
    desk = desk_of(context)
    today = desk.clock.now().astimezone(desk.settings.tz).date()
    return dt.datetime.combine(today, MORNING, tzinfo=desk.settings.tz)


def effect_of_cameras(tr: Translator, data: dict[str, Any], enterprise: Enterprise) -> str:
    """The usual effect of the chosen cameras being down, offered as a one-tap answer."""
    names = {camera.number: camera.name for camera in enterprise.cameras}
    chosen = list(data.get(OutageStep.CAMERAS) or [])
    if not chosen:
        return tr("No camera of the enterprise can be watched by Customs.")
    return tr("Customs cannot watch through cameras {cameras}.").format(
        cameras=", ".join(f"{n} ({names[n]})" if names.get(n) else n for n in chosen)
    )


def self_contact(name: str, username: str | None) -> str:
    """The enrolled contact as the technical contact: their name and how to reach them."""
    return f"{name} (Telegram @{username})" if username else f"{name} (Telegram)"


def first_day(context: Context, data: dict[str, Any]) -> dt.date:
    """The first day an expected date may be: today, or the planned work's first day."""
    desk = desk_of(context)
    today = desk.clock.now().astimezone(desk.settings.tz).date()
    starts = data.get(OutageStep.START)
    if not starts:
        return today
    return max(today, dt.datetime.fromisoformat(starts).astimezone(desk.settings.tz).date())


def expected_problem(
    tr: Translator, context: Context, data: dict[str, Any], given: str, day: dt.date | None
) -> str | None:
    """Why a date cannot be the expected end, or None when it can."""
    desk = desk_of(context)
    today = desk.clock.now().astimezone(desk.settings.tz).date()
    if day is None or day < today:
        return not_a_date(tr, given)
    if day < first_day(context, data):
        return tr("“{given}” is before the start ({start}). When will it be over?").format(
            given=given, start=tr.date(first_day(context, data))
        )
    return None


def ask_next(
    update: Update, context: Context, state: DraftState, enterprise: Enterprise, note: str = ""
) -> None:
    """Ask the first question the draft has no answer to yet (after `note`, plain text)."""
    tr = tr_for(update, context)
    desk = desk_of(context)
    data = state.data
    missing = missing_step(data)
    if missing is None:
        show_review(update, context, state, enterprise, note)
        return
    advance(context, state, missing)
    lead = escape(note) + "\n\n" if note else ""
    other = choice(tr("Other…"), notice_choice(NoticeChoice.OTHER))
    if missing is OutageStep.KIND:
        rows = [
            [choice(capital(tr(KIND_LABELS[kind])), notice_choice(NoticeChoice.KIND, kind))]
            for kind in OutageKind
        ]
        question = tr("Outage notice for {name}. What fault has the enterprise?")
        ask(update, context, lead + "🏭 " + escape(question.format(name=enterprise.name)), rows)
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
            lead
            + escape(
                tr("Which cameras are affected? Tap them (or type their numbers), then Done.")
            ),
            rows,
        )
    elif missing is OutageStep.DESCRIPTION:
        ask(update, context, lead + escape(tr("Describe the fault and its cause.")))
    elif missing is OutageStep.EFFECT:
        suggested = effect_of_cameras(tr, data, enterprise)
        ask(
            update,
            context,
            lead
            + escape(tr("How does it affect customs supervision? (e.g. the gate is not recorded)")),
            [
                [choice(suggested, notice_choice(NoticeChoice.EFFECT_CAMERAS))],
                [choice(tr("Skip"), notice_choice(NoticeChoice.SKIP))],
            ],
        )
    elif missing is OutageStep.START and is_planned(data):
        ask(
            update,
            context,
            lead + escape(tr("When does it start? (e.g. 28/11 08:00, or tap Now)")),
            [[choice(tr("Now"), notice_choice(NoticeChoice.START_NOW)), other]],
        )
    elif missing is OutageStep.START:
        row = [
            choice(tr("Now"), notice_choice(NoticeChoice.START_NOW)),
            choice(tr("1 hour ago"), notice_choice(NoticeChoice.START_HOUR_AGO)),
        ]
        morning = this_morning(context)
        later_row = [other]
        if morning <= desk.clock.now():
            label = tr("This morning ({time})").format(time=tr.time(MORNING))
            later_row.insert(0, choice(label, notice_choice(NoticeChoice.START_MORNING)))
        ask(
            update,
            context,
            lead
            + escape(
                tr("Since when has the fault lasted? (e.g. 6h30, 06:30 or 28/11 06:30, or tap Now)")
            ),
            [row, later_row],
        )
    elif missing is OutageStep.EXPECTED:
        now = desk.clock.now()
        earliest = first_day(context, data)
        days = [(n, desk.outages.calendar.add_working_days(now, n)) for n in EXPECTED_WORKING_DAYS]
        rows = [
            [
                choice(
                    tr.plural(
                        "{date} (+{count} working day)", "{date} (+{count} working days)", n
                    ).format(date=tr.date(day), count=n),
                    notice_choice(NoticeChoice.EXPECTED, day.isoformat()),
                )
            ]
            for n, day in days
            if day >= earliest
        ]
        rows.append([other])
        question = (
            tr("When will it be over? (e.g. 30/11 or 3 ngày)")
            if is_planned(data)
            else tr("When do you expect to fix it? (e.g. 30/11 or 3 ngày)")
        )
        ask(update, context, lead + escape(question), rows)
    elif missing is OutageStep.CONTACT:
        last = desk.outages.last_contact(enterprise.key)
        user = update.effective_user
        name = desk.enrolment.contact_name(user.id) if user is not None else ""
        rows = []
        if last:
            label = tr("Use: {contact}").format(contact=last)
            rows.append([choice(label, notice_choice(NoticeChoice.LAST_CONTACT))])
        if name and user is not None and self_contact(name, user.username) != last:
            label = "👤 " + self_contact(name, user.username)
            rows.append([choice(label, notice_choice(NoticeChoice.ENROLLED_CONTACT))])
        rows.append([other])
        ask(update, context, lead + escape(tr("Technical contact (name and phone)?")), rows)


def draft_outage(context: Context, data: dict[str, Any], enterprise: Enterprise) -> EpzOutage:
    """The notice as it would be recorded now, unsaved, to show it whole before it goes."""
    desk = desk_of(context)
    kind = OutageKind(data[OutageStep.KIND])
    cameras = list(data[OutageStep.CAMERAS])
    if not cameras and kind == OutageKind.TRANSMISSION:
        # As the service records it: a channel fault naming no camera takes them all.
        cameras = [camera.number for camera in enterprise.cameras]
    now = desk.clock.now()
    days = REPAIR_WORKING_DAYS.get(kind)
    expected = dt.date.fromisoformat(data[OutageStep.EXPECTED])
    return EpzOutage(
        enterprise=enterprise.key,
        kind=kind,
        cameras=",".join(cameras),
        description=str(data[OutageStep.DESCRIPTION]).strip(),
        effect=str(data.get(OutageStep.EFFECT, "")).strip(),
        expected_fix=expected,
        tech_contact=str(data[OutageStep.CONTACT]).strip(),
        notified_at=now,
        starts_at=dt.datetime.fromisoformat(data[OutageStep.START]),
        deadline=desk.outages.calendar.add_working_days(now, days) if days else expected,
        status=OutageStatus.OPEN,
    )


def show_review(
    update: Update, context: Context, state: DraftState, enterprise: Enterprise, note: str = ""
) -> None:
    """Show the whole notice with Send and Edit before it goes."""
    tr = tr_for(update, context)
    advance(context, state, REVIEW)
    outage = draft_outage(context, state.data, enterprise)
    lines = [escape(note), ""] if note else []
    lines += [
        "📝 <b>" + escape(tr("Check the notice before it goes to the customs duty desk:")) + "</b>",
        *notice_items(tr, outage, enterprise),
    ]
    days = REPAIR_WORKING_DAYS.get(outage.kind)
    if days and outage.deadline is not None:
        lines.append(
            "⏱ "
            + escape(
                tr("Repair deadline ({days} working days): end of {date}").format(
                    days=days, date=tr.date(outage.deadline)
                )
            )
        )
    lines += ["", escape(tr("Tap Send to send it, or Edit to change a part."))]
    ask(
        update,
        context,
        "\n".join(lines),
        [
            [
                choice("📨 " + tr("Send"), notice_choice(NoticeChoice.SEND)),
                choice("✏️ " + tr("Edit"), notice_choice(NoticeChoice.EDIT)),
            ]
        ],
    )


def show_parts(update: Update, context: Context) -> None:
    """Offer each part of the notice to change; the others stay as given."""
    tr = tr_for(update, context)
    buttons = [
        choice(tr(label), notice_choice(NoticeChoice.EDIT_PART, step.value))
        for step, label in PART_LABELS.items()
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([choice("‹ " + tr("Back to the notice"), notice_choice(NoticeChoice.REVIEW))])
    ask(
        update,
        context,
        escape(tr("Which part do you want to change? The rest stays as you gave it.")),
        rows,
    )


def ask_in_text(update: Update, context: Context, state: DraftState) -> bool:
    """For "Other…": ask the current question in text; False when it has no typed form."""
    tr = tr_for(update, context)
    step = state.step
    if step == OutageStep.START and is_planned(state.data):
        text = tr("Write when it starts, e.g. 28/11 08:00 or 8h.")
    elif step == OutageStep.START:
        text = tr("Write when the fault began, e.g. 6h30, 06:30, 22h hôm qua or 28/11 06:30.")
    elif step == OutageStep.EXPECTED:
        text = tr("Write the date, e.g. 30/11, 30/11/2026 or “3 ngày” (3 days from today).")
    elif step == OutageStep.CONTACT:
        text = tr(
            "Write the technical contact's name and phone number, "
            "e.g. Nguyễn Văn Tuấn 0903 123 456."
        )
    else:
        return False
    ask(update, context, "✍️ " + escape(text))
    return True


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
    if state.step == REVIEW:
        show_review(
            update,
            context,
            state,
            enterprise,
            tr("The notice is not sent yet: tap Send to send it, or Edit to change a part."),
        )
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
            ask_next(
                update, context, state, enterprise, tr("Please choose what failed with a button.")
            )
            return
        set_kind(state.data, kind.value, desk.clock.now())
    elif step is OutageStep.START and not is_planned(state.data):
        since = read_since(text, desk.clock.now(), desk.settings.tz)
        if since.at is None or since.problem is not None:
            ask_next(update, context, state, enterprise, not_a_fault_start(tr, text, since))
            return
        state.data[OutageStep.START] = since.at.isoformat()
    elif step is OutageStep.START:
        now = desk.clock.now()
        # A minute's grace: "8h" typed at 08:00:30 means now, not yesterday.
        starts = parse_moment(text, now, desk.settings.tz)
        if starts is None or starts < now - dt.timedelta(minutes=1):
            ask_next(update, context, state, enterprise, not_a_moment(tr, text))
            return
        state.data[OutageStep.START] = max(starts, now).isoformat()
    elif step is OutageStep.EXPECTED:
        today = desk.clock.now().astimezone(desk.settings.tz).date()
        expected = parse_date(text, today)
        problem = expected_problem(tr, context, state.data, text, expected)
        if problem is not None or expected is None:
            ask_next(update, context, state, enterprise, problem or not_a_date(tr, text))
            return
        state.data[OutageStep.EXPECTED] = expected.isoformat()
    elif step is not None:
        state.data[step] = text
    if step is not None:
        took(state.data, step)
    await continue_or_submit(update, context, state, enterprise)


async def on_outage_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Take a pressed choice: an answer, "Other…", or Send / Edit from the review."""
    enterprise = contact_enterprise(update, context)
    if enterprise is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    now = desk.clock.now()
    data = state.data
    pick = read_notice_choice(value)
    chosen = pick.choice if pick is not None else None
    on_map = {camera.number for camera in enterprise.cameras}
    at_start = state.step == OutageStep.START
    fault_start = at_start and not is_planned(data)
    if pick is not None and chosen is NoticeChoice.KIND:
        set_kind(data, pick.picked, now)
        took(data, OutageStep.KIND)
    elif pick is not None and chosen is NoticeChoice.CAMERA and pick.picked in on_map:
        cameras: list[str] = data[OutageStep.CAMERAS]
        picked = pick.picked
        cameras.remove(picked) if picked in cameras else cameras.append(picked)
        advance(context, state, OutageStep.CAMERAS)
        ask_next(update, context, state, enterprise)
        return
    elif chosen is NoticeChoice.CAMERAS_DONE:
        data["cameras_done"] = True
        took(data, OutageStep.CAMERAS)
    elif chosen is NoticeChoice.START_NOW and at_start:
        data[OutageStep.START] = now.isoformat()
        took(data, OutageStep.START)
    elif chosen is NoticeChoice.START_HOUR_AGO and fault_start:
        data[OutageStep.START] = (now - dt.timedelta(hours=1)).isoformat()
        took(data, OutageStep.START)
    elif chosen is NoticeChoice.START_MORNING and fault_start:
        morning = this_morning(context)
        if morning > now:
            label = tr("This morning ({time})").format(time=tr.time(MORNING))
            since = Since(morning, SinceProblem.FUTURE)
            ask_next(update, context, state, enterprise, not_a_fault_start(tr, label, since))
            return
        data[OutageStep.START] = morning.isoformat()
        took(data, OutageStep.START)
    elif chosen is NoticeChoice.SKIP and state.step == OutageStep.EFFECT:
        data[OutageStep.EFFECT] = ""
        took(data, OutageStep.EFFECT)
    elif chosen is NoticeChoice.EFFECT_CAMERAS and state.step == OutageStep.EFFECT:
        data[OutageStep.EFFECT] = effect_of_cameras(tr, data, enterprise)
        took(data, OutageStep.EFFECT)
    elif pick is not None and chosen is NoticeChoice.EXPECTED:
        if state.step != OutageStep.EXPECTED:
            ask_next(update, context, state, enterprise)
            return
        day = read_day(pick.picked)
        given = tr.date(day) if day is not None else pick.picked
        problem = expected_problem(tr, context, data, given, day)
        if problem is not None or day is None:
            ask_next(update, context, state, enterprise, problem or not_a_date(tr, given))
            return
        data[OutageStep.EXPECTED] = day.isoformat()
        took(data, OutageStep.EXPECTED)
    elif chosen is NoticeChoice.LAST_CONTACT and state.step == OutageStep.CONTACT:
        data[OutageStep.CONTACT] = desk.outages.last_contact(enterprise.key)
        took(data, OutageStep.CONTACT)
    elif chosen is NoticeChoice.ENROLLED_CONTACT and state.step == OutageStep.CONTACT:
        user = update.effective_user
        name = desk.enrolment.contact_name(user.id) if user is not None else ""
        if user is None or not name:
            ask_next(update, context, state, enterprise)
            return
        data[OutageStep.CONTACT] = self_contact(name, user.username)
        took(data, OutageStep.CONTACT)
    elif chosen is NoticeChoice.OTHER:
        if not ask_in_text(update, context, state):
            ask_next(update, context, state, enterprise)
        return
    elif chosen is NoticeChoice.SEND and state.step == REVIEW and missing_step(data) is None:
        await submit(update, context, state, enterprise)
        return
    elif chosen is NoticeChoice.EDIT and state.step == REVIEW:
        show_parts(update, context)
        return
    elif pick is not None and chosen is NoticeChoice.EDIT_PART and state.step == REVIEW:
        if pick.picked in set(OutageStep):
            data[EDITING] = pick.picked
            desk.drafts.save(state)
        ask_next(update, context, state, enterprise)
        return
    await continue_or_submit(update, context, state, enterprise)


async def continue_or_submit(
    update: Update, context: Context, state: DraftState, enterprise: Enterprise
) -> None:
    """Ask what is still missing, or show the whole notice for review."""
    desk_of(context).drafts.save(state)
    ask_next(update, context, state, enterprise)


async def submit(
    update: Update, context: Context, state: DraftState, enterprise: Enterprise
) -> None:
    """Record the reviewed notice; the contact gets its copy with the Annex II files."""
    data = state.data
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
    if outage is None or outage.id is None:
        reply(update, context, escape(refusal_text(tr, step)))
        return
    # The copy below says since when, and the repair deadline: the first line only confirms.
    done = "✅ " + escape(
        tr("Notice no. {number} sent to the customs duty desk.").format(number=outage.id)
    )
    copy = contact_copy(tr, outage, enterprise, covers_gate(outage, enterprise))
    files = [
        Button("📄 " + tr("Annex II (DOCX)"), outage_button(OutageAction.DOCX, outage.id)),
        Button("📄 " + tr("Annex II (PDF)"), outage_button(OutageAction.PDF, outage.id)),
    ]
    reply(update, context, done + "\n\n" + copy, keyboard([files]))


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
