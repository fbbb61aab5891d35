"""What every duty-desk command shares: the operator's language and how a refusal ends it."""

from __future__ import annotations

import os
import sys
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.i18n import Translator, translator

EXIT_CONFIG = 2
EXIT_NOT_READY = 3


def operator_tr(settings: Settings | None) -> Translator:
    """The words of the operator's console: the desk's language, else DUTY_DESK_LOCALE's."""
    locale = settings.locale if settings else os.environ.get("DUTY_DESK_LOCALE", "vi")
    return translator(locale, ZoneInfo("Asia/Ho_Chi_Minh"))


def fail(message: str, code: int) -> int:
    """Say why on stderr and return the exit code."""
    print(message, file=sys.stderr)
    return code
