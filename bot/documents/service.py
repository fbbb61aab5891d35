"""The documents the desk can produce, by what they are about; each comes back as a file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.db.models import EpzOutage
from bot.documents.blocks import Form
from bot.documents.cases import Annex, build_case
from bot.documents.coordination import annex_ii, annex_v
from bot.documents.epz_notice import epz_notice
from bot.documents.equipment import equipment_report
from bot.documents.logbook import LogbookReader, LogbookSheet
from bot.documents.periods import Period
from bot.documents.proposal import annex_iii
from bot.documents.result import annex_iv
from bot.epz.enrolment import legal_representative
from bot.epz.workdays import desk_calendar
from bot.escalation.incidents import find_by_label, load_history
from bot.logbook import chain
from bot.shifts import Roster
from bot.stats.figures import Statistics
from bot.stats.periods import StatsPeriod


class Format(StrEnum):
    """A file format."""

    DOCX = "docx"
    XLSX = "xlsx"
    PDF = "pdf"


LOGBOOK_FORMATS = (Format.DOCX, Format.XLSX, Format.PDF)
FORM_FORMATS = (Format.DOCX, Format.PDF)
# The equipment report is mostly tables of figures: a spreadsheet of it is worth having.
REPORT_FORMATS = (Format.DOCX, Format.XLSX, Format.PDF)


class Writer(Protocol):
    """What writes a document in one format (docx_out, xlsx_out, pdf_out)."""

    def render_form(self, form: Form) -> bytes: ...

    def render_logbook(self, sheet: LogbookSheet) -> bytes: ...


def writer(fmt: Format) -> Writer:
    """The module writing this format, imported by the first document made in it.

    python-docx, openpyxl (with numpy) and reportlab take about half a second and 66 MB to
    import, and most processes never make a document: the bot starts without them.
    """
    if fmt is Format.DOCX:
        from bot.documents import docx_out

        return docx_out
    if fmt is Format.XLSX:
        from bot.documents import xlsx_out

        return xlsx_out
    from bot.documents import pdf_out

    return pdf_out


class Missing(StrEnum):
    """Why a document could not be made; the caller says so in the person's language."""

    NO_INCIDENT = "no_incident"
    NO_PROPOSAL = "no_proposal"
    NOT_SENT = "not_sent"
    NO_RESULT = "no_result"
    NO_OUTAGE = "no_outage"
    WRONG_FORMAT = "wrong_format"


@dataclass(frozen=True)
class Exported:
    """A document as a file."""

    filename: str
    data: bytes


class Documents:
    """Draws the official documents from the records."""

    def __init__(
        self, settings: Settings, engine: Engine, roster: Roster, stats: Statistics | None = None
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._reader = LogbookReader(engine, roster, settings.tz)
        self._stats = stats or Statistics(settings, engine, roster, desk_calendar(settings))

    def logbook(
        self,
        period: Period,
        fmt: Format,
        now: dt.datetime,
        chain_head: str | None = None,
    ) -> Exported:
        """The Annex I logbook of a period, with the chain head in the footer.

        The head is the database's (bot/logbook/chain.py) unless given: a printed logbook can
        then be checked against `duty-desk logbook verify`.
        """
        chain_head = chain_head or chain.head(self._engine)
        tz = self._settings.tz
        sheet = self._reader.sheet(
            period.first,
            period.last,
            self._settings.documents,
            now.astimezone(tz).date(),
            chain_head,
        )
        span = (
            f"{period.first:%Y-%m-%d}"
            if period.first == period.last
            else f"{period.first:%Y-%m-%d}_{period.last:%Y-%m-%d}"
        )
        return Exported(f"nhat-ky-truc-ban_{span}.{fmt.value}", writer(fmt).render_logbook(sheet))

    def equipment(self, period: StatsPeriod, fmt: Format, now: dt.datetime) -> Exported:
        """The equipment status report (96 part III) of a period, from the statistics' figures."""
        figures = self._stats.figures(period, now)
        form = equipment_report(figures, self._settings.documents, self._settings.tz)
        name = f"bao-cao-thiet-bi_{period.slug()}.{fmt.value}"
        return Exported(name, writer(fmt).render_form(form))

    def incident(
        self, label: str, annex: Annex, fmt: Format, now: dt.datetime
    ) -> Exported | Missing:
        """Annex II, III, IV or V about one incident (its latest proposal that fits)."""
        if fmt not in FORM_FORMATS:
            return Missing.WRONG_FORMAT
        with Session(self._engine) as session:
            incident = find_by_label(session, label, now.astimezone(self._settings.tz).year)
            if incident is None:
                return Missing.NO_INCIDENT
            history = load_history(session, incident)
        case = build_case(self._settings, incident, history.proposals, history.requests, annex)
        if case is None:
            return {
                Annex.II: Missing.NOT_SENT,
                Annex.V: Missing.NOT_SENT,
                Annex.IV: Missing.NO_RESULT,
            }.get(annex, Missing.NO_PROPOSAL)
        if annex is Annex.IV:
            reported = case.reported()
            assert reported is not None
            form = annex_iv(case, reported)
        else:
            form = {Annex.II: annex_ii, Annex.III: annex_iii, Annex.V: annex_v}[annex](case)
        roman = {Annex.II: "II", Annex.III: "III", Annex.IV: "IV", Annex.V: "V"}[annex]
        name = f"phu-luc-{roman}_vu-viec-{incident.year}-{incident.number:04d}.{fmt.value}"
        return Exported(name, writer(fmt).render_form(form))

    def outage(self, number: int, fmt: Format) -> Exported | Missing:
        """The 247 Annex II fault notice of one EPZ outage."""
        if fmt not in FORM_FORMATS:
            return Missing.WRONG_FORMAT
        settings = self._settings
        with Session(self._engine) as session:
            outage = session.get(EpzOutage, number)
        enterprise = settings.enterprise(outage.enterprise) if outage else None
        if outage is None or enterprise is None:
            return Missing.NO_OUTAGE
        branch = settings.unit(enterprise.branch) if enterprise.branch else None
        representative = legal_representative(self._engine, enterprise)
        form = epz_notice(
            outage, enterprise, branch.name if branch else "", representative, settings.tz
        )
        return Exported(f"thong-bao-su-co_{number}.{fmt.value}", writer(fmt).render_form(form))
