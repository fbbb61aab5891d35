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
}


def refusal_text(tr: Translator, step: Step[Any]) -> str:
    """Why a step was refused, in the person's language."""
    assert step.refusal is not None
    return tr(REFUSAL_TEXTS[step.refusal]).format(name=step.who or "—")
