"""/incident: open an incident in a short guided conversation, or show one's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from html import escape
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.button_data import PageCodec, PagePress, read_id
from bot.customs.references import (
    ProblemCode,
    ReferenceKind,
    ReferenceProblem,
    extract_references,
)
from bot.db.models import MessageKind, UnitRequest
from bot.drafts import DraftState
from bot.escalation.incidents import Attachment, History, IncidentInput
from bot.escalation.texts import KIND_LABELS, REQUEST_LABELS, STATUS_LABELS, refs_line
from bot.handlers.acting import actor, refuse
from bot.handlers.buttons import button, turn_in_place
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.conversation import author_of
from bot.handlers.flows import Flow, advance, ask, choice, finish, register_flow, start
from bot.i18n import N_, Translator
from bot.outbox.screens import Screen, paged_screen
from bot.shifts import Right
from bot.steps import refusal_text

FLOW = "incident"
# "ih:<incident id>:<page>": a page of an incident's history.
HISTORY_PAGES = PageCodec("ih", read_id)


class IncidentStep(StrEnum):
    """The questions of a new incident (FLOW) in order, as drafts store them."""

    PLACE = "place"
    CAMERA = "camera"
    REFS = "refs"
    DESCRIPTION = "description"
    ATTACHMENTS = "attachments"


NOT_ON_DESK = N_("Only people of the duty desk may read incidents.")
REFERENCE_FIELDS = ("declarations", "containers", "plates", "tax_codes")
REFERENCE_NAMES = {
    ReferenceKind.DECLARATION: N_("declaration"),
    ReferenceKind.CONTAINER: N_("container"),
    ReferenceKind.PLATE: N_("vehicle plate"),
    ReferenceKind.TAX_CODE: N_("tax code"),
}


def _attachment_of(message: Message) -> dict[str, str] | None:
    if message.photo:
        return {
            "kind": MessageKind.PHOTO,
            "file_id": message.photo[-1].file_id,
            "caption": message.caption or "",
        }
    if message.document:
        return {
            "kind": MessageKind.DOCUMENT,
            "file_id": message.document.file_id,
            "caption": message.caption or "",
        }
    return None


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_incident(update: Update, context: Context) -> None:
    """Show an incident by number, or open a new one (prefilled from a replied message)."""
    if context.args:
        await show_incident(update, context, " ".join(context.args))
        return
    await open_incident(update, context)


async def open_incident(update: Update, context: Context) -> None:
    """Start the guided conversation; a replied message gives description and attachment."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    allowed = desk.escalation.incidents.may_open(actor(update, context), desk.clock.now())
    if not allowed.ok:
        await refuse(update, context, allowed, "open_incident needs write_logbook")
        return
    data: dict[str, Any] = {"attachments": [], "arisen_at": message.date.isoformat()}
    source = message.reply_to_message
    if source is not None:
        data["description"] = (source.text or source.caption or "").strip()
        data["arisen_at"] = source.date.isoformat()
        data["source"] = [source.chat_id, source.message_id]
        if (attachment := _attachment_of(source)) is not None:
            data["attachments"].append(attachment)
    state = start(update, context, FLOW, IncidentStep.PLACE, data)
    if state is not None:
        ask_step(update, context, state)


def ask_step(update: Update, context: Context, state: DraftState) -> None:
    """Put the question of the draft's current step."""
    tr = tr_for(update, context)
    skip = [[choice(tr("Skip"), "skip")]]
    questions = {
        IncidentStep.PLACE: ("🚨 " + tr("New incident. Where did it happen (place / area)?"), None),
        IncidentStep.CAMERA: (tr("Which camera (number on the camera map)?"), skip),
        IncidentStep.REFS: (
            tr(
                "References, if any: declaration no., container no., vehicle plate, "
                "enterprise tax code (all in one message)."
            ),
            skip,
        ),
        IncidentStep.DESCRIPTION: (tr("Describe what happened."), None),
        IncidentStep.ATTACHMENTS: (
            tr("Send photos or documents to attach, then press Done."),
            [[choice("✅ " + tr("Done"), "done")]],
        ),
    }
    text, rows = questions[IncidentStep(state.step)]
    ask(update, context, escape(text), rows)


def _next_step(state: DraftState) -> IncidentStep:
    order = list(IncidentStep)
    following = order[order.index(IncidentStep(state.step)) + 1]
    if following is IncidentStep.DESCRIPTION and state.data.get("description"):
        return IncidentStep.ATTACHMENTS
    return following


def reference_problem(tr: Translator, problem: ReferenceProblem) -> str:
    """Explain one bad reference and what is expected."""
    if problem.code is ProblemCode.BAD_CHECK_DIGIT:
        return tr(
            "Container number {number} fails its check digit (the last digit should be "
            "{digit}). Check the number on the container."
        ).format(number=problem.text, digit=problem.expected_digit)
    return tr(
        "“{text}” does not look like a {kind}: a declaration has 12 digits, a tax code "
        "10 digits (or 10-3 for a branch), a container 4 letters and 7 digits, a plate "
        "like 51C-123.45."
    ).format(text=problem.text, kind=tr(REFERENCE_NAMES[problem.kind]))


async def on_text(update: Update, context: Context, state: DraftState) -> None:
    """Take the answer to the current step."""
    message = update.effective_message
    if message is None:
        return
    tr = tr_for(update, context)
    text = (message.text or message.caption or "").strip()
    if state.step == IncidentStep.ATTACHMENTS:
        attachment = _attachment_of(message)
        if attachment is None:
            ask(
                update,
                context,
                escape(tr("Send a photo or a document, or press Done.")),
                [[choice("✅ " + tr("Done"), "done")]],
            )
            return
        state.data["attachments"].append(attachment)
        advance(context, state, IncidentStep.ATTACHMENTS)
        count = len(state.data["attachments"])
        ask(
            update,
            context,
            escape(
                tr.plural(
                    "{count} attachment so far. Send more, or press Done.",
                    "{count} attachments so far. Send more, or press Done.",
                    count,
                ).format(count=count)
            ),
            [[choice("✅ " + tr("Done"), "done")]],
        )
        return
    if not text:
        ask(update, context, escape(tr("Please answer in text.")))
        return
    if state.step == IncidentStep.REFS:
        found, problems = extract_references(text)
        if problems:
            lines = [reference_problem(tr, p) for p in problems]
            lines.append(tr("Send the references again, or press Skip."))
            ask(update, context, escape("\n".join(lines)), [[choice(tr("Skip"), "skip")]])
            return
        if found.is_empty:
            ask(
                update,
                context,
                escape(
                    tr(
                        "I found no declaration, container, plate or tax code in that. Send the "
                        "references again, or press Skip."
                    )
                ),
                [[choice(tr("Skip"), "skip")]],
            )
            return
        for name in REFERENCE_FIELDS:
            state.data[name] = list(getattr(found, name))
    elif state.step == IncidentStep.PLACE:
        state.data["place"] = text
    elif state.step == IncidentStep.CAMERA:
        state.data["camera"] = text
    elif state.step == IncidentStep.DESCRIPTION:
        state.data["description"] = text
    advance(context, state, _next_step(state))
    ask_step(update, context, state)


async def on_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Skip a step, or finish with the attachments given."""
    if value == "done" and state.step == IncidentStep.ATTACHMENTS:
        await create(update, context, state)
        return
    if value == "skip" and state.step in (IncidentStep.CAMERA, IncidentStep.REFS):
        advance(context, state, _next_step(state))
        ask_step(update, context, state)


async def create(update: Update, context: Context, state: DraftState) -> None:
    """Open the incident from the draft."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    data = state.data
    if not str(data.get("description", "")).strip():
        advance(context, state, IncidentStep.DESCRIPTION)
        ask(update, context, escape(tr("The description cannot be empty. Describe what happened.")))
        return
    source = data.get("source")
    given = IncidentInput(
        description=data["description"],
        place=data.get("place", ""),
        camera=data.get("camera", ""),
        declarations=data.get("declarations", []),
        containers=data.get("containers", []),
        plates=data.get("plates", []),
        tax_codes=data.get("tax_codes", []),
        attachments=[
            Attachment(MessageKind(a["kind"]), a["file_id"], a.get("caption", ""))
            for a in data["attachments"]
        ],
        arisen_at=dt.datetime.fromisoformat(data["arisen_at"]),
        source=(int(source[0]), int(source[1])) if source else None,
    )
    person = desk.roster.person(user.id)
    author = author_of(message)
    if person is not None:
        author = type(author)(user.id, person.name)
    step = desk.escalation.incidents.open(author, given, desk.clock.now())
    if not step.ok or step.value is None:
        finish(context, state)
        reply(update, context, escape(refusal_text(tr, step)))
        return
    incident = step.value
    if data.get("alert") and incident.id is not None:
        desk.cameras.alerts.link_incident(int(data["alert"]), incident.id)
    finish(context, state)
    if update.effective_chat and update.effective_chat.id != desk.group_id:
        reply(
            update,
            context,
            escape(
                tr("Incident {label} is open and posted in the duty group.").format(
                    label=incident.label
                )
            ),
        )


async def show_incident(update: Update, context: Context, label: str) -> None:
    """Show one incident's full history."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    incident = desk.escalation.incidents.by_label(label, desk.clock.now())
    history = desk.escalation.incidents.history(incident.id) if incident and incident.id else None
    if history is None:
        reply(
            update,
            context,
            escape(
                tr(
                    "There is no incident {label}. Numbers look like "
                    "2026/0142 (or 142 for this year)."
                ).format(label=label)
            ),
        )
        return
    screen = history_page(tr, history, desk.context.addressee_name, 0)
    reply(update, context, screen.text, screen.buttons)


@requires(Right.VIEW, NOT_ON_DESK)
@button(HISTORY_PAGES.read)
async def on_history_page(update: Update, context: Context, press: PagePress[int]) -> None:
    """Turn an incident's history in place."""
    desk = desk_of(context)
    history = desk.escalation.incidents.history(press.key)
    tr = tr_for(update, context)
    screen = history_page(tr, history, desk.context.addressee_name, press.page) if history else None
    await turn_in_place(update, context, screen)


def history_page(
    tr: Translator, history: History, name_of: Callable[[UnitRequest], str], page: int
) -> Screen:
    """One screen of an incident's history, its title on each, with the buttons to the others."""
    incident_id = history.incident.id
    return paged_screen(
        tr,
        history_lines(tr, history, name_of),
        page,
        lambda number: HISTORY_PAGES.data(incident_id, number),
    )


def history_lines(
    tr: Translator, history: History, name_of: Callable[[UnitRequest], str]
) -> list[str]:
    """An incident and everything done about it, in order (HTML lines, the title first)."""
    incident = history.incident
    lines = [
        "🗂 <b>" + escape(tr("Incident {label}").format(label=incident.label)) + "</b>",
        escape(
            tr("Arisen {arisen}, received {received}").format(
                arisen=tr.datetime(incident.arisen_at), received=tr.datetime(incident.received_at)
            )
        ),
    ]
    lines += [f"📍 {escape(incident.place)}"] if incident.place else []
    lines += [f"🎥 {escape(incident.camera)}"] if incident.camera else []
    lines += [f"🔖 {escape(refs)}"] if (refs := refs_line(incident)) else []
    lines += [escape(incident.description), "— " + escape(incident.reporter_name)]
    if history.attachments:
        lines.append(
            "📎 "
            + escape(
                tr.plural(
                    "{count} attachment", "{count} attachments", len(history.attachments)
                ).format(count=len(history.attachments))
            )
        )
    for proposal in history.proposals:
        lines += [
            "",
            "📝 "
            + escape(tr(KIND_LABELS[proposal.kind]))
            + " · "
            + escape(tr.time(proposal.created_at))
            + " · "
            + escape(proposal.proposer_name),
            "   " + escape(proposal.content),
            "   <b>"
            + escape(tr(STATUS_LABELS[proposal.status]))
            + "</b>"
            + (
                f" — {escape(proposal.decider_name)} {escape(tr.time(proposal.decided_at))}"
                if proposal.decided_at
                else ""
            ),
        ]
        if proposal.reason:
            lines.append("   " + escape(tr("Reason: {reason}").format(reason=proposal.reason)))
        for request in (r for r in history.requests if r.proposal_id == proposal.id):
            lines.append(
                "   📨 "
                + escape(name_of(request))
                + ": "
                + escape(tr(REQUEST_LABELS[request.status]))
            )
            if request.contact:
                lines.append(
                    "      "
                    + escape(
                        tr("contact {contact}, expected {eta}").format(
                            contact=request.contact,
                            eta=tr.datetime(request.eta) if request.eta else "—",
                        )
                    )
                )
            if request.breached_at:
                allowed = request.reply_due_at - request.delivered_at
                lines.append(
                    "      🔴 "
                    + escape(
                        tr("no reply within {minutes} minutes").format(
                            minutes=round(allowed.total_seconds() / 60)
                        )
                    )
                )
            if request.result:
                lines.append("      ✅ " + escape(request.result))
    return lines


def register(app: App) -> None:
    """Wire /incident and its guided conversation."""
    register_flow(FLOW, Flow(on_text, on_button))
    app.add_handler(CommandHandler("incident", cmd_incident))
    app.add_handler(CallbackQueryHandler(on_history_page, pattern=f"^{HISTORY_PAGES.prefix}:"))
