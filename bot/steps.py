"""What a service's step returns: what it produced, or why it was refused.

Every service says no the same way: a `Step` with a `Refusal`, and, when the refusal names who
may take the step instead, `who`. `refusal_text` is the one place a refusal becomes the
person's words, so the chat, the sandbox and any later way in say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
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

# A refusal whose text names `who` and `detail` otherwise than {name} and {detail}.
PLACEHOLDERS: dict[Refusal, tuple[str, str]] = {
    Refusal.NOT_BRANCH_HEAD: ("name", "branch"),
    Refusal.NOT_ASSIGNED_OFFICER: ("officer", "name"),
}


def refusal_text(tr: Translator, step: Step[Any]) -> str:
    """Why a step was refused, in the person's language."""
    assert step.refusal is not None
    who, about = PLACEHOLDERS.get(step.refusal, ("name", "detail"))
    return tr(REFUSAL_TEXTS[step.refusal]).format_map({who: step.who or "—", about: step.detail})
