"""Proposing handling for an incident, or acting at once on the urgent path (888 Art. 8.1).

Nothing reaches a unit before the shift leader approves; an urgent action is sent at once and
confirmed after. The decisions on a proposal are in `bot/handlers/proposals.py`.
"""

from __future__ import annotations

from enum import StrEnum
from html import escape

from telegram import Update

from bot.config import Person
from bot.customs.addressees import find_person, person_label
from bot.db.models import Incident, ProposalKind, UrgentCase
from bot.drafts import DraftState
from bot.escalation.buttons import NEW_PROPOSAL
from bot.escalation.buttons import URGENT as URGENT_PREFIX
from bot.escalation.texts import INCIDENT_KINDS, KIND_LABELS, URGENT_LABELS, refs_line
from bot.handlers.acting import actor, refuse
from bot.handlers.buttons import ActionPress, button
from bot.handlers.common import Context, desk_of, reply, tr_for
from bot.handlers.flows import advance, ask, choice, finish, start
from bot.steps import refusal_text
from bot.values import MAX_TELEGRAM_ID, whole_number

PROPOSE, URGENT = "propose", "urgent"


class ProposalStep(StrEnum):
    """The questions of a proposal (PROPOSE) or of an urgent action (URGENT), as drafts store them.

    kind (or case, urgent) → units ⇄ person → content → assessment (not when urgent: it acts
    at once) → the proposal is recorded.
    """

    KIND = "kind"
    CASE = "case"
    UNITS = "units"
    PERSON = "person"
    CONTENT = "content"
    ASSESSMENT = "assessment"


def incident_facts(incident: Incident) -> str:
    """The incident's facts in one line: what an assessment starts from (Annex III 2).

    In Vietnamese whoever asks: taken as they are, they print on the Vietnamese form.
    """
    parts = [incident.description.strip().rstrip(".")]
    if incident.place:
        parts.append(
            incident.place + (f", ca-mê-ra số {incident.camera}" if incident.camera else "")
        )
    refs = refs_line(incident)
    if refs:
        parts.append(refs)
    return "; ".join(part for part in parts if part)


async def on_shift(update: Update, context: Context, name: str) -> bool:
    """Whether the person may propose now; if not, they are told why and it is audited."""
    desk = desk_of(context)
    step = desk.escalation.approvals.may_propose(actor(update, context), desk.clock.now())
    if not step.ok:
        await refuse(update, context, step, f"{name} needs write_logbook")
    return step.ok


@button(NEW_PROPOSAL.read)
async def on_propose_button(update: Update, context: Context, press: ActionPress) -> None:
    """Start a proposal for the incident whose card was pressed."""
    query = update.callback_query
    assert query is not None
    if not await on_shift(update, context, "on_propose_button"):
        return
    await query.answer()
    await begin(update, context, press.id, press.prefix == URGENT_PREFIX)


async def cmd_propose(update: Update, context: Context) -> None:
    """/propose <incident no.> (or /urgent <incident no.>)."""
    if not await on_shift(update, context, "cmd_propose"):
        return
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
    data = {
        "incident": incident_id,
        "label": incident.label,
        "units": [],
        "people": [],
        "facts": incident_facts(incident),
    }
    first = ProposalStep.CASE if urgent else ProposalStep.KIND
    state = start(update, context, URGENT if urgent else PROPOSE, first, data)
    if state is not None:
        ask_step(update, context, state)


def ask_step(update: Update, context: Context, state: DraftState) -> None:
    """Put the current question of a proposal draft."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    label = state.data["label"]
    if state.step == ProposalStep.KIND:
        rows = [[choice(tr(KIND_LABELS[kind]), f"kind:{kind.value}")] for kind in INCIDENT_KINDS]
        ask(
            update,
            context,
            escape(
                tr("Proposal for incident {label}: which kind of handling?").format(label=label)
            ),
            rows,
        )
    elif state.step == ProposalStep.CASE:
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
    elif state.step == ProposalStep.UNITS:
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
    elif state.step == ProposalStep.PERSON:
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
    elif state.step == ProposalStep.CONTENT:
        ask(
            update,
            context,
            escape(tr("What exactly should the unit(s) do? Write the content of the request.")),
        )
    elif state.step == ProposalStep.ASSESSMENT:
        facts = state.data.get("facts", "")
        ask(
            update,
            context,
            escape(
                tr(
                    "Your assessment of the incident, in one line (printed under “Phân tích, "
                    "nhận định” on the proposal). Write it, or take the incident's facts:"
                )
            )
            + f"\n<i>{escape(facts)}</i>",
            [[choice("📋 " + tr("Use the incident's facts"), "assess:facts")]] if facts else [],
        )


async def on_text(update: Update, context: Context, state: DraftState) -> None:
    """Take the typed content (or a typed unit) of a proposal draft."""
    message = update.effective_message
    if message is None:
        return
    desk = desk_of(context)
    tr = tr_for(update, context)
    text = (message.text or "").strip()
    if state.step == ProposalStep.UNITS:
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
    if state.step == ProposalStep.PERSON:
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
    if state.step == ProposalStep.ASSESSMENT:
        if not text:
            ask_step(update, context, state)
            return
        state.data["assessment"] = text
        await submit(update, context, state, state.data["content"])
        return
    if state.step != ProposalStep.CONTENT:
        ask_step(update, context, state)
        return
    if not text:
        ask(
            update,
            context,
            escape(tr("The content cannot be empty. Write what the unit(s) should do.")),
        )
        return
    if state.flow == URGENT:
        await submit(update, context, state, text)
        return
    state.data["content"] = text
    advance(context, state, ProposalStep.ASSESSMENT)
    ask_step(update, context, state)


async def on_button(update: Update, context: Context, state: DraftState, value: str) -> None:
    """Take a chosen kind, case or unit."""
    name, _, choice_value = value.partition(":")
    if name == "assess" and state.step == ProposalStep.ASSESSMENT:
        state.data["assessment"] = state.data.get("facts", "")
        await submit(update, context, state, state.data["content"])
        return
    if name == "kind" and state.step == ProposalStep.KIND:
        state.data["kind"] = choice_value
        advance(context, state, ProposalStep.UNITS)
    elif name == "case" and state.step == ProposalStep.CASE:
        state.data["case"] = choice_value
        state.data["kind"] = ProposalKind.COORDINATION.value
        advance(context, state, ProposalStep.UNITS)
    elif name == "unit" and state.step == ProposalStep.UNITS:
        units: list[str] = state.data["units"]
        if state.flow == URGENT:
            # The urgent notice goes to the one local team at the scene.
            state.data["units"] = [choice_value]
            advance(context, state, ProposalStep.CONTENT)
        else:
            if choice_value in units:
                units.remove(choice_value)
            else:
                units.append(choice_value)
            advance(context, state, ProposalStep.UNITS)
    elif name == "people" and state.step == ProposalStep.UNITS:
        advance(context, state, ProposalStep.PERSON)
    elif name == "units-back" and state.step == ProposalStep.PERSON:
        advance(context, state, ProposalStep.UNITS)
    elif name == "person" and state.step in (ProposalStep.UNITS, ProposalStep.PERSON):
        person_id = whole_number(choice_value, 1, MAX_TELEGRAM_ID)
        if person_id is None:
            ask_step(update, context, state)
            return
        people: list[int] = state.data["people"]
        if state.flow == URGENT:
            state.data["units"], state.data["people"] = [], [person_id]
            advance(context, state, ProposalStep.CONTENT)
        elif state.step == ProposalStep.UNITS and person_id in people:
            # Tapping a chosen person on the units list takes them off it again.
            people.remove(person_id)
            advance(context, state, ProposalStep.UNITS)
        else:
            if person_id not in people:
                people.append(person_id)
            advance(context, state, ProposalStep.UNITS)
    elif (
        name == "units-done"
        and state.step == ProposalStep.UNITS
        and (state.data["units"] or state.data["people"])
    ):
        advance(context, state, ProposalStep.CONTENT)
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
        assessment=str(state.data.get("assessment", "")),
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
    # Otherwise the card itself says that nothing goes out before the leader approves.
