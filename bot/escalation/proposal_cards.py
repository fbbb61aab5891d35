"""The proposal's card in the group tells its whole story: after approval, each request's
delivery and deadline, then who acknowledged it with what contact and time, its result, or
its breach, edited in place as each happens."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sqlmodel import Session, col, select

from bot.config import Person
from bot.db.models import Incident, OutboxPriority, Proposal, RequestStatus, UnitRequest
from bot.escalation.texts import proposal_buttons, proposal_card
from bot.i18n import Translator
from bot.service import ServiceContext


def leader_of(ctx: ServiceContext, proposal: Proposal) -> Person | None:
    """The shift leader who decides the proposal: of the shift it was made in."""
    return ctx.roster.shift_leader(ctx.roster.shift_date_at(proposal.created_at))


def request_lines(
    ctx: ServiceContext, tr: Translator, requests: Sequence[UnitRequest]
) -> list[str]:
    """A line per request: where it stands now."""
    lines = []
    for request in requests:
        to = ctx.addressee_name(request)
        if request.status == RequestStatus.REPORTED and request.reported_at:
            text = "🏁 " + tr("{to}: result reported at {time}").format(
                to=to, time=tr.time(request.reported_at)
            )
        elif request.acknowledged_at and request.eta:
            text = "📥 " + tr(
                "{to}: acknowledged by {name} at {time}; contact {contact}, expected by {eta}"
            ).format(
                to=to,
                name=request.responder_name,
                time=tr.time(request.acknowledged_at),
                contact=request.contact,
                eta=tr.datetime(request.eta),
            )
        elif request.status == RequestStatus.UNREACHABLE:
            text = "⚠️ " + tr("{to}: not delivered; to be phoned").format(to=to)
        elif request.breached_at:
            text = "🔴 " + tr("{to}: no answer by {due} (the 30-minute rule)").format(
                to=to, due=tr.time(request.reply_due_at)
            )
        else:
            text = "📨 " + tr("{to}: delivered at {time}, answer due by {due}").format(
                to=to, time=tr.time(request.delivered_at), due=tr.time(request.reply_due_at)
            )
        lines.append(escape(text))
    return lines


def card_text(ctx: ServiceContext, session: Session, proposal: Proposal, incident: Incident) -> str:
    """The card as it stands: the proposal, its decision, and its requests."""
    tr = ctx.desk_tr()
    text = proposal_card(
        tr, proposal, incident, ctx.unit_names(), ctx.people_names(), leader_of(ctx, proposal)
    )
    requests = session.exec(
        select(UnitRequest)
        .where(UnitRequest.proposal_id == proposal.id)
        .order_by(col(UnitRequest.id))
    ).all()
    return "\n".join([text, *request_lines(ctx, tr, requests)])


def refresh_card(
    ctx: ServiceContext, session: Session, proposal: Proposal, incident: Incident
) -> None:
    """Edit the proposal's card to what it says now, in the caller's transaction."""
    if proposal.card_outbox_id is None or ctx.group_id is None:
        return
    ctx.outbox.edit_sent(
        ctx.group_id,
        proposal.card_outbox_id,
        card_text(ctx, session, proposal, incident),
        buttons=proposal_buttons(ctx.desk_tr(), proposal),
        session=session,
        priority=OutboxPriority.URGENT,
    )


def refresh_card_of(ctx: ServiceContext, session: Session, request: UnitRequest) -> None:
    """Edit the card of the proposal a request belongs to."""
    proposal = session.get(Proposal, request.proposal_id)
    incident = session.get(Incident, proposal.incident_id) if proposal else None
    if proposal is not None and incident is not None:
        refresh_card(ctx, session, proposal, incident)
