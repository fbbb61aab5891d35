"""Reading what someone asks to export: '/export logbook 2026-11-01..2026-11-30 xlsx' and so on."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.documents.cases import Annex
from bot.documents.periods import Period, parse_period
from bot.documents.service import FORM_FORMATS, LOGBOOK_FORMATS, REPORT_FORMATS, Format, Missing
from bot.i18n import N_
from bot.stats.periods import StatsPeriod, parse_stats_period
from bot.values import row_id

# A PDF opens on any phone and prints as the annex looks.
DEFAULT_FORMAT = Format.PDF
# Every incident that has a proposal has its Annex III.
DEFAULT_ANNEX = Annex.III
_ANNEX_WORDS = {
    **{annex.value: annex for annex in Annex},
    **{f"pl{n}": annex for n, annex in zip((2, 3, 4, 5), Annex, strict=True)},
    **{str(n): annex for n, annex in zip((2, 3, 4, 5), Annex, strict=True)},
    **{roman: annex for roman, annex in zip(("ii", "iii", "iv", "v"), Annex, strict=True)},
}
_LABEL = re.compile(r"^#?(\d{4}\s*/\s*)?\d{1,6}$")


class Subject(StrEnum):
    """What a document is about."""

    LOGBOOK = "logbook"
    INCIDENT = "incident"
    OUTAGE = "outage"
    EQUIPMENT = "equipment"


SUBJECT_WORDS = {
    "logbook": Subject.LOGBOOK,
    "nhatky": Subject.LOGBOOK,
    "incident": Subject.INCIDENT,
    "vuviec": Subject.INCIDENT,
    "outage": Subject.OUTAGE,
    "suco": Subject.OUTAGE,
    "equipment": Subject.EQUIPMENT,
    "thietbi": Subject.EQUIPMENT,
}
FORMATS = {
    Subject.LOGBOOK: LOGBOOK_FORMATS,
    Subject.INCIDENT: FORM_FORMATS,
    Subject.OUTAGE: FORM_FORMATS,
    Subject.EQUIPMENT: REPORT_FORMATS,
}


@dataclass(frozen=True)
class ExportAsk:
    """A readable export request."""

    subject: Subject
    fmt: Format
    period: Period | None = None
    label: str = ""
    annex: Annex = DEFAULT_ANNEX
    outage: int = 0
    # The equipment report's period: a week, month, quarter or range (bot/stats/periods.py).
    report_period: StatsPeriod | None = None


def parse_ask(words: list[str], current_shift: dt.date) -> ExportAsk | None:
    """Read the words after /export (or `duty-desk export`); None when they make no request."""
    if not words:
        return None
    subject = SUBJECT_WORDS.get(words[0].lower())
    if subject is None:
        return None
    rest = [word for word in words[1:] if word]
    formats = [Format(w.lower()) for w in rest if w.lower() in set(Format)]
    others = [w for w in rest if w.lower() not in set(Format)]
    if len(formats) > 1:
        return None
    fmt = formats[0] if formats else DEFAULT_FORMAT
    if fmt not in FORMATS[subject]:
        return None
    if subject is Subject.EQUIPMENT:
        report_period = parse_stats_period(" ".join(others), current_shift)
        return ExportAsk(subject, fmt, report_period=report_period) if report_period else None
    if subject is Subject.LOGBOOK:
        period = parse_period(" ".join(others), current_shift)
        return ExportAsk(subject, fmt, period=period) if period else None
    if subject is Subject.OUTAGE:
        outage = row_id(others[0].lstrip("#")) if len(others) == 1 else None
        return None if outage is None else ExportAsk(subject, fmt, outage=outage)
    annexes = [_ANNEX_WORDS[w.lower()] for w in others[1:] if w.lower() in _ANNEX_WORDS]
    if not others or not _LABEL.match(others[0]) or len(others) - 1 != len(annexes):
        return None
    if len(annexes) > 1:
        return None
    return ExportAsk(
        subject, fmt, label=others[0].lstrip("#"), annex=annexes[0] if annexes else DEFAULT_ANNEX
    )


# What to tell someone when the document cannot be made; {what} is the number asked for.
MISSING = {
    Missing.NO_INCIDENT: N_("There is no incident {what}."),
    Missing.NO_PROPOSAL: N_("Incident {what} has no proposal yet, so there is no form to make."),
    Missing.NOT_SENT: N_(
        "No request of incident {what} has gone to a unit yet (Annexes II and V are requests sent)."
    ),
    Missing.NO_RESULT: N_("No unit has reported a result for incident {what} yet (Annex IV)."),
    Missing.NO_OUTAGE: N_("There is no EPZ outage no. {what}."),
    Missing.WRONG_FORMAT: N_("The forms come as DOCX or PDF; only the logbook comes as XLSX too."),
}
