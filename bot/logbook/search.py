"""Search the logbook and the incidents: references, cameras, enterprises or free text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db.models import Incident, LogbookEntry

SHOWN = 10
# "[2026/0142]" in an entry's text names the incident it belongs to.
INCIDENT_LABEL = re.compile(r"\b(\d{4})/(\d{4})\b")
# Plates and container numbers are written with and without their separators.
SEPARATORS = "-. "
ENTRY_FIELDS = (
    "work_performed",
    "incident",
    "incident_place",
    "incident_refs",
    "direction",
    "direction_receiver",
    "result",
    "result_unit",
    "notes",
    "author_name",
)
INCIDENT_FIELDS = (
    "place",
    "camera",
    "declarations",
    "containers",
    "plates",
    "tax_codes",
    "description",
    "reporter_name",
)


@dataclass(frozen=True)
class Found:
    """What matched: the newest entries and incidents, and how many there are in all."""

    entries: list[LogbookEntry]
    entry_count: int
    incidents: list[Incident]
    incident_count: int


def terms_of(query: str) -> list[str]:
    """The words to look for, each of which must appear; quotes keep words together."""
    quoted = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", query)
    return [term.lower() for term in [*quoted, *rest.split()] if term.strip()]


def _squeezed(expression: ColumnElement[str]) -> ColumnElement[str]:
    for separator in SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


def _matches(columns: list[ColumnElement[str]], term: str) -> ColumnElement[bool]:
    options = [func.lower(column).contains(term, autoescape=True) for column in columns]
    squeezed = term.translate({ord(ch): None for ch in SEPARATORS})
    if squeezed:
        # "51C12345" finds "51C-123.45", and the other way round: separators dropped on both.
        options += [
            _squeezed(func.lower(column)).contains(squeezed, autoescape=True) for column in columns
        ]
    return or_(*options)


def search(engine: Engine, query: str, shown: int = SHOWN) -> Found:
    """Entries and incidents in which every term appears, newest first."""
    terms = terms_of(query)
    if not terms:
        return Found([], 0, [], 0)
    entry_columns: list[ColumnElement[str]] = [
        LogbookEntry.__table__.c[name]  # type: ignore[attr-defined]
        for name in ENTRY_FIELDS
    ]
    incident_columns: list[ColumnElement[str]] = [
        Incident.__table__.c[name]  # type: ignore[attr-defined]
        for name in INCIDENT_FIELDS
    ]
    entry_filter = and_(*(_matches(entry_columns, term) for term in terms))
    incident_filter = and_(
        *(or_(_matches(incident_columns, term), *_label_matches(term)) for term in terms)
    )
    with Session(engine) as session:
        entries = session.exec(
            select(LogbookEntry)
            .where(entry_filter)
            .order_by(col(LogbookEntry.created_at).desc(), col(LogbookEntry.id).desc())
            .limit(shown)
        ).all()
        entry_count = session.exec(
            select(func.count()).select_from(LogbookEntry).where(entry_filter)
        ).one()
        incidents = session.exec(
            select(Incident)
            .where(incident_filter)
            .order_by(col(Incident.received_at).desc())
            .limit(shown)
        ).all()
        incident_count = session.exec(
            select(func.count()).select_from(Incident).where(incident_filter)
        ).one()
    return Found(list(entries), entry_count, list(incidents), incident_count)


def _label_matches(term: str) -> list[ColumnElement[bool]]:
    label = INCIDENT_LABEL.fullmatch(term)
    if label is None:
        return []
    return [and_(col(Incident.year) == int(label[1]), col(Incident.number) == int(label[2]))]


def incident_label_in(entry: LogbookEntry) -> str | None:
    """The incident an entry speaks of, if its text names one."""
    found = INCIDENT_LABEL.search(f"{entry.incident} {entry.direction} {entry.result}")
    return f"{found[1]}/{found[2]}" if found else None
