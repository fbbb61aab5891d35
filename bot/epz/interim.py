"""The interim supervision measure of an EPZ outage (247 I.2.3c): proposed by the assigned
officer, decided through the approval flow by the head of the managing branch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Person, Settings, Unit
from bot.db.models import (
    EpzOutage,
    Incident,
    LogColumn,
    OutageStatus,
    OutboxPriority,
    Proposal,
    ProposalKind,
)
from bot.escalation.approvals import Approvals
from bot.escalation.incidents import next_number
from bot.escalation.rights import ALLOWED, KindRules, checked
from bot.escalation.texts import proposal_buttons, proposal_card
from bot.i18n import Translator
from bot.logbook.service import Author
from bot.service import ServiceContext
from bot.shifts import Right
from bot.steps import Refusal, Step


@dataclass(frozen=True)
class Decider:
    """Who decides an enterprise's interim measures: the head of its managing branch."""

    branch: Unit
    head: Person


class InterimMeasures:
    """Puts interim measures through the approval flow and records the decision on the outage."""

    def __init__(self, ctx: ServiceContext, approvals: Approvals) -> None:
        self._ctx = ctx
        self._approvals = approvals
        approvals.register_kind(
            ProposalKind.INTERIM_MEASURE,
            KindRules(self._may_propose, self._may_decide, self._carry_out),
        )

    @property
    def _settings(self) -> Settings:
        return self._ctx.settings

    @property
    def _engine(self) -> Engine:
        return self._ctx.engine

    def decider(self, enterprise_key: str) -> Decider | None:
        """The branch head who decides for an enterprise, if one is configured."""
        enterprise = self._settings.enterprise(enterprise_key)
        branch = (
            self._settings.unit(enterprise.branch) if enterprise and enterprise.branch else None
        )
        head = self._settings.person(branch.head) if branch and branch.head else None
        return Decider(branch, head) if branch and head else None

    def may_propose(self, author: Author, outage_id: int, now: dt.datetime) -> Step[Decider]:
        """Whether the author proposes this outage's measure; if so, who will decide it."""
        with Session(self._engine) as session:
            return self._proposer(session, author, outage_id, now)

    def propose(
        self, author: Author, outage_id: int, content: str, now: dt.datetime
    ) -> Step[Proposal]:
        """Put the officer's measure before the branch head (the outage's incident is made once)."""
        with Session(self._engine, expire_on_commit=False) as session:
            found = self._proposer(session, author, outage_id, now)
            if not found.ok or found.value is None:
                return checked(found)
            decider = found.value
            outage = session.get(EpzOutage, outage_id)
            assert outage is not None
            if outage.status == OutageStatus.CLOSED:
                return Step(refusal=Refusal.OUTAGE_CLOSED)
            if not content.strip():
                # Refused before an incident is made for nothing.
                return Step(refusal=Refusal.EMPTY)
            incident_id = outage.incident_id or self._incident_for(session, outage, author, now)
            session.commit()
        step = self._approvals.propose(
            author,
            incident_id,
            ProposalKind.INTERIM_MEASURE,
            [decider.branch.key],
            content,
            now,
            outage_id=outage_id,
        )
        if step.ok and step.value is not None:
            self._ask_head(step.value, decider)
        return step

    def _proposer(
        self, session: Session, author: Author, outage_id: int | None, now: dt.datetime
    ) -> Step[Decider]:
        """The officer assigned to the enterprise (or an administrator) proposes its measure."""
        outage = session.get(EpzOutage, outage_id) if outage_id else None
        enterprise = self._settings.enterprise(outage.enterprise) if outage else None
        if enterprise is None:
            return Step(refusal=Refusal.NOT_FOUND)
        roster = self._ctx.roster
        if enterprise.officer != author.user_id and not (
            author.user_id is not None and Right.ADMINISTER in roster.rights(author.user_id, now)
        ):
            officer = self._settings.person(enterprise.officer) if enterprise.officer else None
            return Step(
                refusal=Refusal.NOT_ASSIGNED_OFFICER,
                who=officer.name if officer else "",
                facts={"name": enterprise.name, "officer": officer.name if officer else "—"},
            )
        decider = self.decider(enterprise.key)
        if decider is None:
            return Step(refusal=Refusal.NO_BRANCH_HEAD)
        return Step(decider)

    def _may_propose(
        self, session: Session, author: Author, outage_id: int | None, now: dt.datetime
    ) -> Step[None]:
        return checked(self._proposer(session, author, outage_id, now))

    def _may_decide(
        self, session: Session, proposal: Proposal, author: Author, now: dt.datetime
    ) -> Step[None]:
        """The head of the enterprise's managing branch decides, whoever leads the shift."""
        outage = session.get(EpzOutage, proposal.outage_id) if proposal.outage_id else None
        decider = self.decider(outage.enterprise) if outage else None
        if decider is None:
            return Step(refusal=Refusal.NO_BRANCH_HEAD_TO_DECIDE)
        if author.user_id != decider.head.id:
            return Step(
                refusal=Refusal.NOT_BRANCH_HEAD,
                who=decider.head.name,
                facts={"branch": decider.branch.name},
            )
        return ALLOWED

    def latest(self, outage_id: int) -> Proposal | None:
        """The outage's latest interim-measure proposal, decided or not."""
        with Session(self._engine) as session:
            return session.exec(
                select(Proposal)
                .where(Proposal.outage_id == outage_id)
                .order_by(col(Proposal.id).desc())
            ).first()

    def _incident_for(
        self, session: Session, outage: EpzOutage, author: Author, now: dt.datetime
    ) -> int:
        # The outage is the matter the decision is about; its notice is already in the logbook
        # and the group, so the incident is recorded without a card or an entry of its own.
        enterprise = self._settings.enterprise(outage.enterprise)
        year = now.astimezone(self._settings.tz).year
        incident = Incident(
            year=year,
            number=next_number(session, year),
            shift_date=self._ctx.roster.shift_date_at(now),
            arisen_at=outage.arisen_at,
            received_at=outage.notified_at,
            reporter_id=author.user_id,
            reporter_name=author.name,
            place=enterprise.address if enterprise else "",
            camera=outage.cameras,
            tax_codes=enterprise.tax_code if enterprise else "",
            description=self._ctx.desk_tr()("EPZ outage no. {number} of {name}: {text}").format(
                number=outage.id,
                name=enterprise.name if enterprise else outage.enterprise,
                text=outage.description,
            ),
        )
        session.add(incident)
        session.flush()
        assert incident.id is not None
        outage.incident_id = incident.id
        session.add(outage)
        return incident.id

    def _ask_head(self, proposal: Proposal, decider: Decider) -> None:
        with Session(self._engine) as session:
            incident = session.get(Incident, proposal.incident_id)
            assert incident is not None
            tr = self._ctx.translator_for(decider.head.id)
            self._ctx.outbox.send(
                decider.head.id,
                proposal_card(tr, proposal, incident, self._ctx.unit_names()),
                buttons=proposal_buttons(tr, proposal),
                session=session,
                priority=OutboxPriority.URGENT,
            )
            session.commit()
        self._ctx.outbox.notify()

    def _carry_out(
        self,
        session: Session,
        proposal: Proposal,
        incident: Incident,
        author: Author,
        now: dt.datetime,
    ) -> None:
        """The decision goes into the logbook and to the proposing officer; nothing to a unit."""
        outage = session.get(EpzOutage, proposal.outage_id) if proposal.outage_id else None
        enterprise = self._settings.enterprise(outage.enterprise) if outage else None

        def render(tr: Translator) -> str:
            return tr(
                "Interim supervision measure for {name}, outage no. {number}, decided by {head}: "
                "{measure}"
            ).format(
                name=enterprise.name if enterprise else "—",
                number=proposal.outage_id,
                head=author.name,
                measure=proposal.content,
            )

        text = render(self._ctx.desk_tr())
        self._ctx.logbook.append(
            session,
            author,
            now,
            {LogColumn.DIRECTION: f"[{incident.label}] {text}"},
            details={"direction_at": now, "direction_channel": "message"},
            source_key=f"interim:{proposal.id}",
        )
        if proposal.proposer_id is not None:
            self._ctx.outbox.send(
                proposal.proposer_id,
                "✅ " + escape(render(self._ctx.translator_for(proposal.proposer_id))),
                session=session,
            )
