"""Who may take escalation's steps, from the roster of the shift running at the step's moment.

The central rule of the desk (888 Art. 4.3, 8): only the current shift leader decides a
proposal; only people on the current shift propose; the proposer or the duty section leader
edits a pending proposal. A kind of proposal decided elsewhere (an EPZ interim measure, 247
I.2.3c) brings its own rule (`KindRules`). Services check these themselves, so every way in
(the chat, the sandbox, the CLI, a second desk) meets the same rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from bot.db.models import Incident, Proposal
from bot.logbook.service import Author
from bot.shifts import Right, Role, Roster
from bot.steps import Refusal, Step

# The refusals that mean "not yours to do" (the handler writes them to the audit trail).
DENIALS = frozenset(
    {
        Refusal.NOT_SHIFT_LEADER,
        Refusal.NO_SHIFT_LEADER,
        Refusal.NOT_BRANCH_HEAD,
        Refusal.NO_BRANCH_HEAD_TO_DECIDE,
        Refusal.NOT_EDITOR,
        Refusal.NOT_ON_SHIFT,
        Refusal.NOT_ON_SHIFT_TO_OPEN,
        Refusal.NOT_ALLOWED,
        Refusal.NOT_ADDRESSEE,
        Refusal.NOT_ASSIGNED_OFFICER,
    }
)

ALLOWED: Step[None] = Step()
T = TypeVar("T")


def checked(allowed: Step[Any], value: T | None = None) -> Step[T]:
    """A check's outcome as a step about `value` (a refusal keeps who may take it instead)."""
    return Step(
        value,
        refusal=allowed.refusal,
        detail=allowed.detail,
        who=allowed.who,
        facts=allowed.facts,
        terms=allowed.terms,
    )


def leader_decides(roster: Roster, author: Author, now: dt.datetime) -> Step[None]:
    """Only the leader of the shift running now decides (and records the Director General's)."""
    if author.user_id is not None and Right.APPROVE in roster.rights(author.user_id, now):
        return ALLOWED
    leader = roster.shift_leader(roster.shift_date_at(now))
    if leader is None:
        return Step(refusal=Refusal.NO_SHIFT_LEADER)
    return Step(refusal=Refusal.NOT_SHIFT_LEADER, who=leader.name)


def on_shift(
    roster: Roster, author: Author, now: dt.datetime, refusal: Refusal = Refusal.NOT_ON_SHIFT
) -> Step[None]:
    """Only the people rostered on the shift running now propose handling or open incidents."""
    if author.user_id is not None and Right.WRITE_LOGBOOK in roster.rights(author.user_id, now):
        return ALLOWED
    return Step(refusal=refusal)


def may_edit(roster: Roster, proposal: Proposal, author: Author, now: dt.datetime) -> Step[None]:
    """The proposer, or the section leader of the shift running now, rewrites a proposal."""
    if author.user_id is not None and (
        proposal.proposer_id == author.user_id
        or Role.SECTION_LEADER in roster.roles(author.user_id, now)
    ):
        return ALLOWED
    return Step(refusal=Refusal.NOT_EDITOR)


# Who may propose a kind of proposal: (session, author, outage id, now).
MayPropose = Callable[[Session, Author, int | None, dt.datetime], Step[None]]
# Who may decide a proposal of a kind: (session, proposal, author, now).
MayDecide = Callable[[Session, Proposal, Author, dt.datetime], Step[None]]
# Carries out an approved proposal of a kind that is not a request to units (in its session).
CarryOut = Callable[[Session, Proposal, Incident, Author, dt.datetime], None]


@dataclass(frozen=True)
class KindRules:
    """A kind of proposal another domain owns: who proposes it, who decides, what approval does.

    Such proposals are decided like the others but reach no unit, and since someone other than
    the shift leader decides them, the leader is not reminded of them.
    """

    may_propose: MayPropose
    may_decide: MayDecide
    carry_out: CarryOut
