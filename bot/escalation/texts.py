"""How incidents, proposals and requests read in chats, in the reader's language."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.config import Person
from bot.db.models import (
    Incident,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RequestStatus,
    UnitRequest,
    UrgentCase,
)
from bot.escalation.buttons import (
    DECISION,
    NEW,
    NEW_PROPOSAL,
    PROPOSE,
    REQUEST,
    URGENT,
    Decision,
    DecisionAction,
    RequestAction,
)
from bot.i18n import N_, Translator
from bot.outbox import Button, Keyboard, keyboard

KIND_LABELS = {
    ProposalKind.REMINDER: N_("Reminder to follow procedure"),
    ProposalKind.INFORMATION: N_("Request for information, documents or data"),
    ProposalKind.COORDINATION: N_("Request to coordinate or act"),
    ProposalKind.INTERVENTION: N_("Intervention on cleared goods (needs the Director General)"),
    ProposalKind.MOBILE_EQUIPMENT: N_("Mobilise mobile equipment (needs the Director General)"),
    ProposalKind.INTERIM_MEASURE: N_("Interim supervision measure during an EPZ outage"),
}
# What an incident's proposal may name (888 Art. 8.2); an interim measure comes from an outage.
INCIDENT_KINDS = tuple(kind for kind in ProposalKind if kind is not ProposalKind.INTERIM_MEASURE)
ESCALATING_KINDS = frozenset({ProposalKind.INTERVENTION, ProposalKind.MOBILE_EQUIPMENT})

URGENT_LABELS = {
    UrgentCase.LUGGAGE: N_("Passenger luggage being cleared"),
    UrgentCase.OUTSIDE_CONTROL_AREA: N_("Goods moved outside the control area"),
    UrgentCase.PASSING_GATE: N_("Suspect goods passing the control gate"),
}

STATUS_LABELS = {
    ProposalStatus.PENDING: N_("waiting for the shift leader"),
    ProposalStatus.APPROVED: N_("approved"),
    ProposalStatus.REJECTED: N_("rejected"),
    ProposalStatus.ESCALATED: N_("approved for escalation, waiting for the Director General"),
    ProposalStatus.ESCALATION_APPROVED: N_("approved by the Director General"),
    ProposalStatus.ESCALATION_REJECTED: N_("not approved by the Director General"),
    ProposalStatus.URGENT_SENT: N_("urgent: sent, waiting for the shift leader's confirmation"),
    ProposalStatus.URGENT_CONFIRMED: N_("urgent: confirmed by the shift leader"),
}

REQUEST_LABELS = {
    RequestStatus.WAITING: N_("waiting for the unit's reply"),
    RequestStatus.ACKNOWLEDGED: N_("acknowledged, result awaited"),
    RequestStatus.ANSWERED: N_("answered at once"),
    RequestStatus.REPORTED: N_("result reported"),
    RequestStatus.UNREACHABLE: N_("not delivered: Telegram refused it; contact them by phone"),
}


def refs_line(incident: Incident) -> str:
    """The incident's references in the standard Vietnamese abbreviations."""
    parts = [
        *(f"TK {d}" for d in _split(incident.declarations)),
        *(f"Cont {c}" for c in _split(incident.containers)),
        *(f"BKS {p}" for p in _split(incident.plates)),
        *(f"MST {t}" for t in _split(incident.tax_codes)),
    ]
    return " · ".join(parts)


def _split(value: str) -> list[str]:
    return [item for item in value.split(",") if item]


def incident_card(tr: Translator, incident: Incident, attachments: int) -> str:
    """The incident as posted in the duty group."""
    lines = [
        "🚨 <b>" + escape(tr("Incident {label}").format(label=incident.label)) + "</b>",
        escape(
            tr("Arisen {arisen}, received {received}").format(
                arisen=tr.datetime(incident.arisen_at), received=tr.datetime(incident.received_at)
            )
        ),
    ]
    if incident.place:
        lines.append(f"📍 {escape(incident.place)}")
    if incident.camera:
        lines.append("🎥 " + escape(tr("Camera {camera}").format(camera=incident.camera)))
    if refs := refs_line(incident):
        lines.append(f"🔖 {escape(refs)}")
    lines.append(escape(incident.description))
    if attachments:
        lines.append(
            "📎 "
            + escape(
                tr.plural("{count} attachment", "{count} attachments", attachments).format(
                    count=attachments
                )
            )
        )
    lines.append("— " + escape(incident.reporter_name))
    return "\n".join(lines)


def incident_buttons(tr: Translator, incident: Incident) -> Keyboard:
    """Buttons under an incident card."""
    iid = incident.id
    assert iid is not None
    return keyboard(
        [
            [
                Button("📝 " + tr("Propose handling"), NEW_PROPOSAL.data(NEW, iid, PROPOSE)),
                Button("🆘 " + tr("Urgent (Art. 8.1)"), NEW_PROPOSAL.data(NEW, iid, URGENT)),
            ]
        ]
    )


def unit_names(
    proposal: Proposal, names: dict[str, str], people: dict[int, str] | None = None
) -> str:
    """The addressed units' names, then the named people's."""
    people = people or {}
    return ", ".join(
        [names.get(key, key) for key in proposal.unit_keys()]
        + [people.get(pid, str(pid)) for pid in proposal.person_ids()]
    )


def proposal_card(
    tr: Translator,
    proposal: Proposal,
    incident: Incident,
    names: dict[str, str],
    people: dict[int, str] | None = None,
    leader: Person | None = None,
) -> str:
    """The proposal as shown to the shift leader in the group (named, so their phone rings)."""
    title = (
        tr("URGENT action {label}") if proposal.urgent_case else tr("Proposal for incident {label}")
    ).format(label=incident.label)
    lines = [("🆘 " if proposal.urgent_case else "📝 ") + "<b>" + escape(title) + "</b>"]
    if proposal.urgent_case:
        lines.append(escape(tr(URGENT_LABELS[proposal.urgent_case])))
    else:
        lines.append(escape(tr(KIND_LABELS[proposal.kind])))
    lines += [
        escape(tr("To: {units}").format(units=unit_names(proposal, names, people))),
        escape(proposal.content),
    ]
    if proposal.assessment:
        # What the proposer read in the facts: the leader decides on it too.
        lines.append(
            "<i>" + escape(tr("Assessment: {text}").format(text=proposal.assessment)) + "</i>"
        )
    lines += [
        "— "
        + escape(
            tr("proposed by {name} at {time}").format(
                name=proposal.proposer_name, time=tr.time(proposal.created_at)
            )
        ),
    ]
    if proposal.version > 1:
        lines.append(escape(tr("(edited, version {version})").format(version=proposal.version)))
    label = STATUS_LABELS[proposal.status]
    if proposal.kind == ProposalKind.INTERIM_MEASURE and proposal.status == ProposalStatus.PENDING:
        # 247 I.2.3c: the branch head decides this one, not the shift leader.
        label = N_("waiting for the branch head")
    status = "<b>" + escape(tr(label)) + "</b>"
    waiting = label == STATUS_LABELS[ProposalStatus.PENDING]
    if leader is not None and waiting:
        status += f' — <a href="tg://user?id={leader.id}">{escape(leader.name)}</a>'
    if proposal.decider_name and proposal.decided_at:
        status += " — " + escape(
            tr("{name} at {time}").format(
                name=proposal.decider_name, time=tr.time(proposal.decided_at)
            )
        )
    lines.append(status)
    if waiting:
        # Said on the card while it is true, gone from it once the leader decides.
        lines.append(
            "<i>" + escape(tr("Nothing goes to a unit or person before it is approved.")) + "</i>"
        )
    if proposal.reason:
        lines.append(escape(tr("Reason: {reason}").format(reason=proposal.reason)))
    return "\n".join(lines)


def proposal_buttons(tr: Translator, proposal: Proposal) -> Keyboard:
    """The buttons a proposal card offers in its current state."""
    pid, version = proposal.id, proposal.version
    assert pid is not None

    def press(action: DecisionAction, *, yes: bool = False) -> str:
        return DECISION.data(Decision(action, pid, version, yes))

    if proposal.status == ProposalStatus.PENDING:
        return keyboard(
            [
                [
                    Button("✅ " + tr("Approve"), press(DecisionAction.APPROVE)),
                    Button("❌ " + tr("Reject"), press(DecisionAction.REJECT)),
                ],
                [Button("✏️ " + tr("Edit"), press(DecisionAction.EDIT))],
            ]
        )
    if proposal.status == ProposalStatus.ESCALATED:
        return keyboard(
            [
                [
                    Button(
                        tr("Director General approved"),
                        press(DecisionAction.DIRECTOR_GENERAL, yes=True),
                    ),
                    Button(
                        tr("Director General refused"),
                        press(DecisionAction.DIRECTOR_GENERAL, yes=False),
                    ),
                ],
            ]
        )
    if proposal.status == ProposalStatus.URGENT_SENT:
        return keyboard([[Button("✅ " + tr("Confirm"), press(DecisionAction.CONFIRM))]])
    return []


def place_date(tr: Translator, local: dt.datetime) -> str:
    """The date under a formal paper's heading, as "ngày 25 tháng 11 năm 2026"."""
    return tr("day {day} month {month} year {year}").format(
        day=f"{local.day:02d}", month=f"{local.month:02d}", year=local.year
    )


def annex_iii(
    tr: Translator,
    proposal: Proposal,
    incident: Incident,
    names: dict[str, str],
    place_date: str,
    people: dict[int, str] | None = None,
) -> str:
    """The proposal to the Director General in the layout of 888 Annex III."""
    lines = [
        "<b>" + escape(tr("PROPOSAL FOR HANDLING INFORMATION THAT HAS ARISEN")) + "</b>",
        escape(place_date),
        "",
        "<b>" + escape(tr("1. The information")) + "</b>",
        "- "
        + escape(
            tr("Arisen / received: {arisen} / {received}").format(
                arisen=tr.datetime(incident.arisen_at), received=tr.datetime(incident.received_at)
            )
        ),
        "- " + escape(tr("Place / area: {place}").format(place=incident.place or "—")),
        "- "
        + escape(
            tr("Units / persons concerned: {who}").format(
                who=", ".join(
                    filter(None, [unit_names(proposal, names, people), refs_line(incident)])
                )
            )
        ),
        "- " + escape(tr("Content: {content}").format(content=incident.description)),
        "",
        "<b>" + escape(tr("2. Proposal")) + "</b>",
        "- " + escape(tr("Assessment: {kind}").format(kind=tr(KIND_LABELS[proposal.kind]))),
        "- " + escape(tr("Proposed handling: {content}").format(content=proposal.content)),
        "",
        escape(tr("Shift leader: {name}").format(name=proposal.decider_name)),
        "<i>"
        + escape(tr("Decision of the Director General: record it with the buttons below."))
        + "</i>",
    ]
    return "\n".join(lines)


def request_text(
    tr: Translator,
    proposal: Proposal,
    incident: Incident,
    request: UnitRequest,
    deadline_minutes: int,
) -> str:
    """The request as the unit receives it (Annex II content)."""
    head = (
        "🆘 " + tr("URGENT request from the customs duty desk")
        if proposal.urgent_case
        else "📨 " + tr("Request from the customs duty desk")
    )
    lines = [
        "<b>" + escape(head) + "</b> · " + escape(incident.label),
        escape(tr(KIND_LABELS[proposal.kind])),
        escape(proposal.content),
    ]
    if incident.place:
        lines.append(f"📍 {escape(incident.place)}")
    if refs := refs_line(incident):
        lines.append(f"🔖 {escape(refs)}")
    lines += [
        "",
        escape(
            tr(
                "If you can answer at once, answer now. Otherwise, within {minutes} minutes "
                "(by {time}) name who handles it and when you expect to finish."
            ).format(minutes=deadline_minutes, time=tr.time(request.reply_due_at))
        ),
    ]
    return "\n".join(lines)


def request_buttons(tr: Translator, request: UnitRequest) -> Keyboard:
    """What the unit can press at each stage."""
    rid = request.id
    assert rid is not None
    if request.status == RequestStatus.WAITING:
        return keyboard(
            [
                [Button(tr("Can answer now"), REQUEST.data(RequestAction.NOW, rid))],
                [Button(tr("Acknowledge: contact + ETA"), REQUEST.data(RequestAction.ACK, rid))],
            ]
        )
    if request.status == RequestStatus.ACKNOWLEDGED:
        return keyboard([[Button(tr("Report result"), REQUEST.data(RequestAction.RESULT, rid))]])
    return []


def age(tr: Translator, since: dt.datetime, now: dt.datetime) -> str:
    """A short duration like '12 min' or '2 h 05'."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return tr("{minutes} min").format(minutes=minutes)
    return tr("{hours} h {minutes:02d}").format(hours=minutes // 60, minutes=minutes % 60)


def request_clock(tr: Translator, request: UnitRequest, now: dt.datetime) -> str:
    """Where a request's clock stands (HTML): time left or overdue, or the expected result."""
    if request.status == RequestStatus.WAITING:
        if now > request.reply_due_at:
            return "🔴 " + escape(
                tr("{age} overdue").format(age=age(tr, request.reply_due_at, now))
            )
        # Rounded up, as the unit's reminders say it: 14 min 59 s left is "15 min left".
        left = request.reply_due_at - now
        if left % dt.timedelta(minutes=1):
            left += dt.timedelta(minutes=1)
        return escape(tr("{age} left").format(age=age(tr, now, now + left)))
    if request.status == RequestStatus.ACKNOWLEDGED:
        eta = tr.datetime(request.eta) if request.eta else "—"
        late = " 🔴" if request.eta and now > request.eta else ""
        return escape(tr("expected {eta}").format(eta=eta)) + late
    return escape(tr(REQUEST_LABELS[RequestStatus(request.status)]))
