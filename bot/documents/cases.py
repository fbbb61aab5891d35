"""What a form about one incident is drawn from: the incident, a proposal, its requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import DocumentSettings, Enterprise, Person, Settings, Unit
from bot.customs.addressees import person_label
from bot.db.models import Incident, Proposal, ProposalKind, RequestStatus, UnitRequest
from bot.escalation.texts import KIND_LABELS, URGENT_LABELS, refs_line, unit_names
from bot.i18n import translator

# Forms are Vietnamese papers whatever the asker's language (see heading.py).
_VI = "vi"


class Annex(StrEnum):
    """The 888 forms drawn from one incident."""

    II = "annex2"
    III = "annex3"
    IV = "annex4"
    V = "annex5"


@dataclass(frozen=True)
class Case:
    """One proposal of an incident with what came of it, and the names to print."""

    incident: Incident
    proposal: Proposal
    # Its place among the incident's proposals (1, 2 …): the fax number's suffix.
    ordinal: int
    requests: list[UnitRequest]
    addressees: str
    request_names: dict[int, str]
    people: dict[int, str]
    documents: DocumentSettings
    tz: ZoneInfo
    # The desk's reply deadline (888 Art. 9's 30 minutes unless configured otherwise).
    reply_deadline_minutes: int = 30
    # The configured people, units and enterprises the forms name (phones, heads, parties).
    persons: dict[int, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    enterprises: tuple[Enterprise, ...] = ()

    def contact(self, person_id: int | None, name: str, role: str) -> str:
        """'Phạm Thị Dung (công chức trực ban), ĐT: 0903 123 456': a contact on a fax."""
        if not name:
            return ""
        person = self.persons.get(person_id) if person_id is not None else None
        phone = f", ĐT: {person.phone}" if person is not None and person.phone else ""
        return f"{name} ({role}){phone}"

    @property
    def fax_number(self) -> str:
        """The number the request went out under, e.g. 2026/0001-1."""
        return f"{self.incident.label}-{self.ordinal}"

    @property
    def kind_text(self) -> str:
        """The kind of handling, in Vietnamese."""
        tr = translator(_VI, self.tz)
        if self.proposal.urgent_case is not None:
            return tr(URGENT_LABELS[self.proposal.urgent_case])
        return tr(KIND_LABELS[self.proposal.kind])

    @property
    def refs(self) -> str:
        """The incident's references (TK, Cont, BKS, MST)."""
        return refs_line(self.incident)

    @property
    def sent_at(self) -> dt.datetime:
        """When the request went out: its first delivery, else the decision, else the proposal."""
        delivered = [r.delivered_at for r in self.requests]
        return min(delivered) if delivered else self.proposal.decided_at or self.proposal.created_at

    def reply_due_at(self) -> dt.datetime | None:
        """The earliest reply deadline of its requests."""
        due = [r.reply_due_at for r in self.requests]
        return min(due) if due else None

    def reply_minutes(self) -> int:
        """The reply time its requests were given (the desk's deadline before any is sent)."""
        first = min(self.requests, key=lambda r: r.reply_due_at, default=None)
        if first is None:
            return self.reply_deadline_minutes
        return round((first.reply_due_at - first.delivered_at).total_seconds() / 60)

    def reported(self) -> UnitRequest | None:
        """The latest request that a unit answered or reported on."""
        done = [
            r
            for r in self.requests
            if r.status in (RequestStatus.REPORTED, RequestStatus.ANSWERED) and r.reported_at
        ]
        return max(done, key=lambda r: r.reported_at or r.delivered_at) if done else None


def build_case(
    settings: Settings,
    incident: Incident,
    proposals: list[Proposal],
    requests: list[UnitRequest],
    annex: Annex,
) -> Case | None:
    """Choose the proposal an annex is about; None when the incident has none that fits.

    Annexes II and V are requests that went out, Annex IV a unit's report, Annex III any
    proposal: the latest that fits, since the latest handling is the one asked for.
    """
    by_proposal: dict[int, list[UnitRequest]] = {}
    for request in requests:
        by_proposal.setdefault(request.proposal_id, []).append(request)
    ordered = [p for p in proposals if p.kind is not ProposalKind.INTERIM_MEASURE]
    chosen: Proposal | None = None
    for proposal in reversed(ordered):
        sent = by_proposal.get(proposal.id or 0, [])
        fits = {
            Annex.III: True,
            Annex.II: bool(sent),
            Annex.V: bool(sent),
            Annex.IV: any(
                r.status in (RequestStatus.REPORTED, RequestStatus.ANSWERED) for r in sent
            ),
        }[annex]
        if fits:
            chosen = proposal
            break
    if chosen is None or chosen.id is None:
        return None
    names = {unit.key: unit.name for unit in settings.units}
    people = {person.id: person_label(person) for person in settings.people}
    chosen_requests = by_proposal.get(chosen.id, [])
    return Case(
        incident=incident,
        proposal=chosen,
        ordinal=ordered.index(chosen) + 1,
        requests=chosen_requests,
        addressees=unit_names(chosen, names, people),
        request_names={
            r.id: (
                people.get(r.person_id, str(r.person_id))
                if r.person_id
                else names.get(r.unit_key, r.unit_key)
            )
            for r in chosen_requests
            if r.id is not None
        },
        people=people,
        documents=settings.documents,
        tz=settings.tz,
        reply_deadline_minutes=settings.escalation.reply_deadline_minutes,
        persons={person.id: person for person in settings.people},
        units={unit.key: unit for unit in settings.units},
        enterprises=tuple(settings.enterprises),
    )
