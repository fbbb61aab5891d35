"""Role names as people read them, Vietnamese first."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.shifts import Role

ROLE_LABELS = {
    Role.SHIFT_LEADER: N_("Shift leader"),
    Role.SECTION_LEADER: N_("Duty section leader"),
    Role.CLERK: N_("Logbook clerk"),
    Role.OFFICER: N_("Duty officer"),
}


def role_label(tr: Translator, role: Role) -> str:
    """Return a role's name in the person's language."""
    return tr(ROLE_LABELS[role])
