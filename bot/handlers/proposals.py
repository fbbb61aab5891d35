"""Proposals and the shift leader's one-tap decisions; the urgent path (888 Art. 8.1)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Person
from bot.customs.addressees import find_person, person_label
from bot.db.models import ProposalKind, UrgentCase
from bot.drafts import DraftState
from bot.escalation.texts import INCIDENT_KINDS, KIND_LABELS, URGENT_LABELS
from bot.handlers.buttons import ActionPress, action_and_id, button
from bot.handlers.common import (
    App,
    Context,
    desk_of,
    has_right,
    reply,
    requires,
    telegram_name,
    tr_for,
)
from bot.handlers.flows import Flow, advance, ask, choice, finish, register_flow, start
from bot.i18n import N_, Translator
from bot.logbook.service import Author
from bot.shifts import Right, Role
from bot.steps import Refusal, Step, refusal_text
from bot.values import MAX_ROW_ID, MAX_TELEGRAM_ID, row_id, whole_number

PROPOSE, URGENT, REJECT, EDIT = "propose", "urgent", "reject", "edit"
NOT_ON_SHIFT = N_("Only the people rostered on the current shift may propose handling.")


def actor(update: Update, context: Context) -> Author:
    """The person acting, by their configured name."""
    user = update.effective_user
    assert user is not None
    person = desk_of(context).roster.person(user.id)
    return Author(user.id, person.name if person else telegram_name(user))


def conclude(
    update: Update, context: Context, state: DraftState, step: Step[Any], *, done: str, empty: str
) -> None:
    """End a typed step: ask again if it was empty (the draft stays), else confirm or explain.

    `done` and `empty` are message ids marked with N_.
    """
    tr = tr_for(update, context)
    if step.refusal is Refusal.EMPTY:
        ask(update, context, escape(tr(empty)))
        return
    finish(context, state)
    reply(update, context, escape(tr(done) if step.ok else refusal_text(tr, step)))


def leader_only(tr: Translator, context: Context) -> str:
    """Say who may decide right now."""
    desk = desk_of(context)
    leader = desk.roster.shift_leader(desk.roster.shift_date_at(desk.clock.now()))
    if leader is None:
        return tr(
            "Only the shift leader of the current shift may decide, and none is rostered now."
        )
    return tr("Only the shift leader of the current shift ({name}) may decide.").format(
        name=leader.name
    )


def may_decide(update: Update, context: Context, proposal_id: int) -> bool:
    """The current shift leader decides; an interim measure, its branch's head (247 I.2.3c)."""
    desk = desk_of(context)
    proposal = desk.escalation.approvals.get(proposal_id)
    if proposal is None or proposal.outage_id is None:
        return has_right(update, context, Right.APPROVE)
    decider = desk.interim.decider_of(proposal)
    user = update.effective_user
    return decider is not None and user is not None and user.id == decider.head.id


def decider_only(tr: Translator, context: Context, proposal_id: int) -> str:
    """Say who may decide this proposal."""
    desk = desk_of(context)
    proposal = desk.escalation.approvals.get(proposal_id)
    if proposal is None or proposal.outage_id is None:
        return leader_only(tr, context)
    decider = desk.interim.decider_of(proposal)
    if decider is None:
        return tr("No branch head is configured to decide this interim measure.")
    return tr("Only the head of {branch} ({name}) decides the interim supervision measure.").format(
        branch=decider.branch.name, name=decider.head.name
    )


@dataclass(frozen=True)
class Decision:
    """A press on a proposal card: ap:7:1, rj:7:1, ed:7:1 (id, version), gd:7:yes, cf:7."""

    action: str
    proposal_id: int
    version: int = 0
    yes: bool = False


def parse_decision(data: str) -> Decision | None:
    """Read a proposal card's button, or None when it is not one the card could carry."""
    action, *rest = data.split(":")
    proposal_id = row_id(rest[0]) if rest else None
    if proposal_id is None:
        return None
    if action in ("ap", "rj", "ed") and len(rest) == 2:
        version = whole_number(rest[1], 1, MAX_ROW_ID)
        return None if version is None else Decision(action, proposal_id, version)
    if action == "gd" and len(rest) == 2 and rest[1] in ("yes", "no"):
        return Decision(action, proposal_id, yes=rest[1] == "yes")
    if action == "cf" and len(rest) == 1:
        return Decision(action, proposal_id)
    return None


# Under an incident card: "pr:new:<incident id>" proposes, "ur:new:<incident id>" acts urgently.
parse_new = action_and_id({"pr", "ur"}, {"new"})


async def _decider_check(update: Update, context: Context, proposal_id: int) -> bool:
    """Allow only whoever decides the pressed proposal; others get a pop-up and an audit line."""
    query = update.callback_query
    assert query is not None
    if may_decide(update, context, proposal_id):
        return True
    desk = desk_of(context)
    user = update.effective_user
    desk.audit.record(
        "denied",
        user_id=user.id if user else None,
        chat_id=update.effective_chat.id if update.effective_chat else None,
        detail=f"decision {query.data} needs approve",
    )
    await query.answer(decider_only(tr_for(update, context), context, proposal_id), show_alert=True)
    return False


# --- proposing --------------------------------------------------------------------------------


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
@button(parse_new)
async def on_propose_button(update: Update, context: Context, press: ActionPress) -> None:
    """Start a proposal for the incident whose card was pressed."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await begin(update, context, press.id, press.prefix == "ur")


@requires(Right.WRITE_LOGBOOK, NOT_ON_SHIFT)
async def cmd_propose(update: Update, context: Context) -> None:
    """/propose <incident no.> (or /urgent <incident no.>)."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    message = update.effective_message
    urgent = bool(message and message.text and message.text.startswith("/urgent"))
    label = " ".join(context.args or [])
    incident = desk.escalation.incidents.by_label(label, desk.clock.now()) if label else None
    if incident is None or incident.id is None:
        command = "/urgent" if urgent else "/propose"
        reply(
            update,
            context,
            escape(
                tr(
                    "Write {command} followed by the incident number, e.g. {command} 2026/0142, "
                    "or use the button on the incident card."
                ).format(command=command)
            ),
        )
        return
    await begin(update, context, incident.id, urgent)


async def begin(update: Update, context: Context, incident_id: int, urgent: bool) -> None:
    """Ask the first question of a proposal (or of an urgent action)."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    incident = desk.escalation.incidents.get(incident_id)
    if incident is None:
        reply(update, context, escape(tr("This incident no longer exists.")))
        return
    data = {"incident": incident_id, "label": incident.label, "units": [], "people": []}
    state = start(
        update, context, URGENT if urgent else PROPOSE, "case" if urgent else "kind", data
    )
    if state is not None:
        ask_step(update, context, state)


def ask_step(update: Update, context: Context, state: DraftState) -> None:
    """Put the current question of a proposal draft."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    label = state.data["label"]
    if state.step == "kind":
        rows = [[choice(tr(KIND_LABELS[kind]), f"kind:{kind.value}")] for kind in INCIDENT_KINDS]
        ask(
            update,
            context,
            escape(
                tr("Proposal for incident {label}: which kind of handling?").format(label=label)
            ),
            rows,
        )
    elif state.step == "case":
        rows = [[choice(tr(URGENT_LABELS[case]), f"case:{case.value}")] for case in UrgentCase]
        ask(
            update,
            context,
            "🆘 "
            + escape(
                tr("Urgent action for incident {label} (888 Art. 8.1): which case?").format(
                    label=label
                )
            ),
            rows,
        )
    elif state.step == "units":
        chosen = set(state.data["units"])
        rows = [
            [choice(("☑ " if unit.key in chosen else "☐ ") + unit.name, f"unit:{unit.key}")]
            for unit in desk.settings.units
        ]
        names = desk.context.people_names()
        rows += [
            [choice("☑ 👤 " + names.get(pid, str(pid)), f"person:{pid}")]
            for pid in state.data["people"]
        ]
        rows.append([choice("👤 " + tr("A named person, privately…"), "people")])
        if chosen or state.data["people"]:
            rows.append([choice("✅ " + tr("Done"), "units-done")])
        ask(
            update,
            context,
            escape(
                tr(
                    "Which unit(s)? Tap to choose, then Done. To ask one person in their "
                    "private chat with the bot, tap “A named person”."
                )
            ),
            rows,
        )
    elif state.step == "person":
        rows = [
            [choice(label, f"person:{person.id}")]
            for person, label in addressable_people(update, context, state)
        ]
        rows.append([choice("↩ " + tr("Back to the units"), "units-back")])
        ask(
            update,
            context,
            escape(
                tr(
                    "Which person? They get the request in their private chat with the bot. "
                    "Tap a name, or write it."
                )
            ),
            rows,
        )
    elif state.step == "content":
        ask(
            update,
            context,
            escape(tr("What exactly should the unit(s) do? Write the content of the request.")),
        )


async def on_text(update: Update, context: Context, state: DraftState) -> None:
    """Take the typed content (or a typed unit) of a proposal draft."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = (message.text or "").strip()
    if state.step == "units":
        known = {u.key: u for u in desk.settings.units}
        by_name = {u.name.casefold(): u.key for u in desk.settings.units}
        key = text if text in known else by_name.get(text.casefold())
        if key is not None:
            await on_button(update, context, state, f"unit:{key}")
            return
        person = find_person(desk.settings.people, text).person
        if person is not None:
            await on_button(update, context, state, f"person:{person.id}")
            return
        ask(
            update,
            context,
            escape(
                tr(
                    "“{given}” is not a unit of this desk. Choose one of: {units}; or tap "
                    "“A named person” to ask one person privately."
                ).format(given=text, units=", ".join(u.name for u in desk.settings.units))
            ),
        )
        return
    if state.step == "person":
        match = find_person([p for p, _ in addressable_people(update, context, state)], text)
        if match.person is not None:
            await on_button(update, context, state, f"person:{match.person.id}")
            return
        if match.candidates:
            problem = tr("“{given}” fits several people: {names}. Write the full name.").format(
                given=text, names=", ".join(p.name for p in match.candidates)
            )
        else:
            problem = tr(
                "“{given}” is not a person known to this desk. Tap one of the names, or write "
                "a name as it is listed."
            ).format(given=text)
        ask(update, context, escape(problem))
        return
    if state.step != "content":
        ask_step(update, context, state)
        return
    if not text:
        ask(
            update,
            context,
            escape(tr("The content cannot be empty. Write what the unit(s) should do.")),
        )
        return
    await submit(update, context, state, text)


async def on_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Take a chosen kind, case or unit."""
    name, _, choice_value = value.partition(":")
    if name == "kind" and state.step == "kind":
        state.data["kind"] = choice_value
        advance(context, state, "units")
    elif name == "case" and state.step == "case":
        state.data["case"] = choice_value
        state.data["kind"] = ProposalKind.COORDINATION.value
        advance(context, state, "units")
    elif name == "unit" and state.step == "units":
        units: list[str] = state.data["units"]
        if state.flow == URGENT:
            # The urgent notice goes to the one local team at the scene.
            state.data["units"] = [choice_value]
            advance(context, state, "content")
        else:
            if choice_value in units:
                units.remove(choice_value)
            else:
                units.append(choice_value)
            advance(context, state, "units")
    elif name == "people" and state.step == "units":
        advance(context, state, "person")
    elif name == "units-back" and state.step == "person":
        advance(context, state, "units")
    elif name == "person" and state.step in ("units", "person"):
        person_id = whole_number(choice_value, 1, MAX_TELEGRAM_ID)
        if person_id is None:
            ask_step(update, context, state)
            return
        people: list[int] = state.data["people"]
        if state.flow == URGENT:
            state.data["units"], state.data["people"] = [], [person_id]
            advance(context, state, "content")
        elif state.step == "units" and person_id in people:
            # Tapping a chosen person on the units list takes them off it again.
            people.remove(person_id)
            advance(context, state, "units")
        else:
            if person_id not in people:
                people.append(person_id)
            advance(context, state, "units")
    elif (
        name == "units-done"
        and state.step == "units"
        and (state.data["units"] or state.data["people"])
    ):
        advance(context, state, "content")
    ask_step(update, context, state)


def addressable_people(
    update: Update, context: Context, state: DraftState
) -> list[tuple[Person, str]]:
    """The people a request may name, with their labels; not the proposer, not those chosen."""
    user = update.effective_user
    skip = {*state.data["people"], user.id if user else None}
    return [
        (person, person_label(person))
        for person in desk_of(context).settings.people
        if person.id not in skip
    ]


async def submit(update: Update, context: Context, state: DraftState, content: str) -> None:
    """Record the proposal (or send the urgent action) from the draft."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    case = UrgentCase(state.data["case"]) if state.flow == URGENT else None
    step = desk.escalation.approvals.propose(
        actor(update, context),
        int(state.data["incident"]),
        ProposalKind(state.data["kind"]),
        list(state.data["units"]),
        content,
        desk.clock.now(),
        urgent_case=case,
        person_ids=list(state.data.get("people", [])),
    )
    if not step.ok:
        ask(update, context, escape(refusal_text(tr, step)))
        return
    finish(context, state)
    if case is not None:
        reply(
            update,
            context,
            "🆘 "
            + escape(
                tr("Sent at once to the unit or person. The shift leader is asked to confirm it.")
            ),
        )
    else:
        reply(
            update,
            context,
            escape(
                tr(
                    "Proposal sent to the shift leader for approval. "
                    "Nothing goes to a unit or person before it is approved."
                )
            ),
        )


# --- deciding ---------------------------------------------------------------------------------


@button(parse_decision)
async def on_decision(update: Update, context: Context, decision: Decision) -> None:
    """Route a press on a proposal card to its decision."""
    if decision.action != "ed" and not await _decider_check(update, context, decision.proposal_id):
        return
    await DECISIONS[decision.action](update, context, decision)


async def on_approve(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader approves with one tap (a second tap changes nothing)."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    step = desk.escalation.approvals.approve(
        actor(update, context), decision.proposal_id, decision.version, desk.clock.now()
    )
    await query.answer(
        tr("Approved.") if step.ok else refusal_text(tr, step), show_alert=not step.ok
    )


async def on_reject(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader rejects: ask for the reason first."""
    query = update.callback_query
    assert query is not None
    tr = tr_for(update, context)
    await query.answer()
    data = {"proposal": decision.proposal_id, "version": decision.version}
    state = start(update, context, REJECT, "reason", data)
    if state is not None:
        ask(update, context, escape(tr("Why is the proposal not approved? Write the reason.")))


async def on_reject_reason(update: Update, context: Context, state: DraftState) -> None:
    """Record the rejection with its reason."""
    message = update.effective_message
    desk = desk_of(context)
    tr = tr_for(update, context)
    reason = (message.text or "").strip() if message else ""
    if not may_decide(update, context, state.data["proposal"]):
        finish(context, state)
        reply(update, context, escape(decider_only(tr, context, state.data["proposal"])))
        return
    step = desk.escalation.approvals.reject(
        actor(update, context),
        state.data["proposal"],
        state.data["version"],
        reason,
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
    user = update.effective_user
    assert query is not None and user is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    proposal = desk.escalation.approvals.get(decision.proposal_id)
    roles = desk.roster.roles(user.id, desk.clock.now())
    if proposal is None or (proposal.proposer_id != user.id and Role.SECTION_LEADER not in roles):
        await query.answer(
            tr("Only the proposer or the duty section leader may edit a proposal."), show_alert=True
        )
        return
    await query.answer()
    data = {"proposal": decision.proposal_id, "version": decision.version}
    state = start(update, context, EDIT, "content", data)
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
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    step = desk.escalation.approvals.record_escalation(
        actor(update, context), decision.proposal_id, decision.yes, desk.clock.now()
    )
    await query.answer(
        tr("Recorded.") if step.ok else refusal_text(tr, step), show_alert=not step.ok
    )


async def on_confirm(update: Update, context: Context, decision: Decision) -> None:
    """The shift leader confirms an urgent action after the fact."""
    query = update.callback_query
    assert query is not None
    desk = desk_of(context)
    tr = tr_for(update, context)
    step = desk.escalation.approvals.confirm_urgent(
        actor(update, context), decision.proposal_id, desk.clock.now()
    )
    await query.answer(
        tr("Confirmed.") if step.ok else refusal_text(tr, step), show_alert=not step.ok
    )


DECISIONS: dict[str, Callable[[Update, Context, Decision], Coroutine[Any, Any, None]]] = {
    "ap": on_approve,
    "rj": on_reject,
    "ed": on_edit,
    "gd": on_escalation_decision,
    "cf": on_confirm,
}


def register(app: App) -> None:
    """Wire proposing, deciding and the urgent path."""
    register_flow(PROPOSE, Flow(on_text, on_button))
    register_flow(URGENT, Flow(on_text, on_button))
    register_flow(REJECT, Flow(on_reject_reason))
    register_flow(EDIT, Flow(on_edit_content))
    app.add_handler(CommandHandler(["propose", "urgent"], cmd_propose))
    app.add_handler(CallbackQueryHandler(on_propose_button, pattern=r"^(pr|ur):"))
    app.add_handler(CallbackQueryHandler(on_decision, pattern=r"^(ap|rj|ed|gd|cf):"))
