"""What a service's step returns: what it produced, or why it was refused.

Every service says no the same way: a `Step` with a `Refusal`, and, when the refusal names who
may take the step instead, `who`. `refusal_text` is the one place a refusal becomes the
person's words, so the chat, the sandbox and any later way in say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.i18n import N_, Translator


class Refusal(StrEnum):
    """Why a step was not taken; the handler tells the person in their language."""

    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    STALE_VERSION = "stale_version"
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_PERSON = "unknown_person"
    EMPTY = "empty"
    NEEDS_LATE_REASON = "needs_late_reason"
    # The handover, the rotation's checks and the EPZ outages.
    HANDOVER_NOT_FOUND = "handover_not_found"
    HANDOVER_ACCEPTED = "handover_accepted"
    NOT_INCOMING_LEADER = "not_incoming_leader"
    NO_INCOMING_LEADER = "no_incoming_leader"
    NOT_OUTGOING_LEADER = "not_outgoing_leader"
    EMPTY_NOTE = "empty_note"
    CHECK_NOT_FOUND = "check_not_found"
    CHECK_RECORDED = "check_recorded"
    CHECK_PAST_MONTH = "check_past_month"
    EMPTY_FINDINGS = "empty_findings"
    NOT_CHECK_OFFICER = "not_check_officer"
    SOMEONE_ELSES = "someone_elses"
    NOT_INVITER = "not_inviter"
    NOT_ON_DUTY = "not_on_duty"
    # Escalation's rights (bot/escalation/rights.py): who decides, edits, proposes, answers.
    NOT_SHIFT_LEADER = "not_shift_leader"
    NO_SHIFT_LEADER = "no_shift_leader"
    NOT_BRANCH_HEAD = "not_branch_head"
    NO_BRANCH_HEAD_TO_DECIDE = "no_branch_head_to_decide"
    NOT_EDITOR = "not_editor"
    NOT_ON_SHIFT = "not_on_shift"
    NOT_ON_SHIFT_TO_OPEN = "not_on_shift_to_open"
    NOT_ADDRESSEE = "not_addressee"
    NOT_ASSIGNED_OFFICER = "not_assigned_officer"
    NO_BRANCH_HEAD = "no_branch_head"
    OUTAGE_CLOSED = "outage_closed"


T = TypeVar("T")


@dataclass(frozen=True)
class Step(Generic[T]):
    """The outcome of a step: what it produced, or why it was refused (and who may take it)."""

    value: T | None = None
    refusal: Refusal | None = None
    # What the refusal is about (e.g. the unknown unit's key), and who may take the step.
    detail: str = ""
    who: str = ""
    # Further words of the refusal's text: `facts` as they are (a month; a `name` that is not
    # who may, e.g. an enterprise's), `terms` message ids said in the reader's language (an
    # outcome's label).
    facts: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the step was taken."""
        return self.refusal is None


# Message ids (marked for extraction); `{name}` is the person who may take the step.
REFUSAL_TEXTS: dict[Refusal, str] = {
    Refusal.NOT_FOUND: N_("This no longer exists."),
    Refusal.ALREADY_DECIDED: N_("This was already decided; nothing changed."),
    Refusal.STALE_VERSION: N_("The proposal was edited since; decide on its new version."),
    Refusal.NOT_ALLOWED: N_("Only the unit this request was sent to may answer it."),
    Refusal.WRONG_STATE: N_("This step is already done; nothing changed."),
    Refusal.UNKNOWN_UNIT: N_("Unknown unit."),
    Refusal.UNKNOWN_PERSON: N_("Unknown person."),
    Refusal.EMPTY: N_("The text cannot be empty."),
    Refusal.NEEDS_LATE_REASON: N_("The result is late: give the reason and who is responsible."),
    Refusal.HANDOVER_NOT_FOUND: N_("This handover no longer exists."),
    Refusal.HANDOVER_ACCEPTED: N_("This handover has already been accepted."),
    Refusal.NOT_INCOMING_LEADER: N_(
        "Only {name}, the incoming shift leader, may accept this handover."
    ),
    Refusal.NO_INCOMING_LEADER: N_(
        "The roster names no incoming shift leader; the administrator must add one first."
    ),
    Refusal.NOT_OUTGOING_LEADER: N_(
        "Only the outgoing shift leader ({name}) may add notes to the handover."
    ),
    Refusal.EMPTY_NOTE: N_("The note cannot be empty."),
    Refusal.CHECK_NOT_FOUND: N_("This check no longer exists."),
    Refusal.CHECK_RECORDED: N_(
        "This check was already recorded ({outcome}, {name}); nothing changed."
    ),
    Refusal.CHECK_PAST_MONTH: N_(
        "This check belongs to the rotation of {month}, which is over; nothing changed. "
        "Record the checks of this month's plan (see /epz)."
    ),
    Refusal.EMPTY_FINDINGS: N_(
        "The findings cannot be empty. Write what you saw on the cameras, e.g. "
        "“camera C01 at the gate shows no picture”."
    ),
    Refusal.NOT_CHECK_OFFICER: N_("This check is assigned to {name}."),
    Refusal.SOMEONE_ELSES: N_("This is for someone else."),
    Refusal.NOT_INVITER: N_(
        "Only an administrator or the officer assigned to {name} may invite its contacts."
    ),
    Refusal.NOT_ON_DUTY: N_("Only people on duty may note focus items."),
    # Escalation's rights.
    Refusal.NOT_SHIFT_LEADER: N_("Only the shift leader of the current shift ({name}) may decide."),
    Refusal.NO_SHIFT_LEADER: N_(
        "Only the shift leader of the current shift may decide, and none is rostered now."
    ),
    Refusal.NOT_BRANCH_HEAD: N_(
        "Only the head of {branch} ({name}) decides the interim supervision measure."
    ),
    Refusal.NO_BRANCH_HEAD_TO_DECIDE: N_(
        "No branch head is configured to decide this interim measure."
    ),
    Refusal.NOT_EDITOR: N_("Only the proposer or the duty section leader may edit a proposal."),
    Refusal.NOT_ON_SHIFT: N_("Only the people rostered on the current shift may propose handling."),
    Refusal.NOT_ON_SHIFT_TO_OPEN: N_(
        "Only the people rostered on the current shift may open incidents."
    ),
    Refusal.NOT_ADDRESSEE: N_("Only {name}, to whom this request was sent, may answer it."),
    Refusal.NOT_ASSIGNED_OFFICER: N_(
        "Only the officer assigned to {name} ({officer}) proposes its measure."
    ),
    Refusal.NO_BRANCH_HEAD: N_(
        "No branch head is configured for this enterprise's branch; ask the administrator "
        "to set units.head."
    ),
    Refusal.OUTAGE_CLOSED: N_("The outage is closed; an interim measure is no longer needed."),
}


def refusal_text(tr: Translator, step: Step[Any]) -> str:
    """Why a step was refused, in the person's language."""
    assert step.refusal is not None
    values = {"name": step.who or "—", **step.facts}
    values.update({key: tr(message) for key, message in step.terms.items()})
    return tr(REFUSAL_TEXTS[step.refusal]).format(**values)
