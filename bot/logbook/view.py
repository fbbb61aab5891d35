"""How logbook entries read in a chat: compact, phone-sized, in the person's language."""

from __future__ import annotations

from html import escape

from bot.db.models import LogbookEntry, LogColumn
from bot.i18n import N_, Translator
from bot.logbook.buttons import page_button
from bot.logbook.service import EntryPage, entry_columns
from bot.outbox import keyboard
from bot.outbox.screens import Screen, turn_row
from bot.paging import SCREEN_UNITS, screens
from bot.shifts import ShiftWindow

COLUMN_LABELS = {
    LogColumn.WORK: N_("Work performed"),
    LogColumn.INCIDENT: N_("Incident"),
    LogColumn.DIRECTION: N_("Direction"),
    LogColumn.RESULT: N_("Result"),
    LogColumn.NOTE: N_("Notes"),
}
# A logbook line longer than this is cut in the chat view; the record keeps all of it.
PREVIEW_CHARS = 300


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def entry_lines(tr: Translator, entry: LogbookEntry, corrects_seq: int | None = None) -> str:
    """Render one entry: number, time, author, then its columns."""
    head = f"<b>{entry.seq}.</b> {tr.time(entry.created_at)} · {escape(entry.author_name)}"
    if entry.corrects_id is not None:
        head += " · ✏️ " + tr("correction of no. {number}").format(
            number=corrects_seq if corrects_seq is not None else "?"
        )
    body = [
        f"   <i>{escape(tr(COLUMN_LABELS[column]))}:</i> {escape(_preview(text))}"
        for column, text in entry_columns(entry).items()
    ]
    return "\n".join([head, *body])


def correction_notice(tr: Translator, entry: LogbookEntry, corrects_seq: int | None) -> str:
    """Tell the group an edit was recorded as a correction, not an overwrite."""
    return tr(
        "✏️ Correction recorded as logbook no. {number}; no. {original} is kept as it was."
    ).format(number=entry.seq, original=corrects_seq if corrects_seq else "?")


def written_notice(tr: Translator, entry: LogbookEntry) -> str:
    """Confirm an explicit logbook entry."""
    return (
        tr("✍ Written in the logbook as no. {number}.").format(number=entry.seq)
        + "\n"
        + (entry_lines(tr, entry))
    )


# The title and the span above a page's entries take at most this much of a screen.
HEADER_UNITS = 200
# Every entry of a shift, to cut into screens: more than any shift writes.
WHOLE_SHIFT = 1_000_000


def shift_screen(tr: Translator, whole: EntryPage, window: ShiftWindow, page: int) -> Screen:
    """One screen of a shift's logbook (`whole` holds every entry), under 1,500 characters.

    Pages are cut by size from the first entry on, so a page keeps its entries as more are
    written after it.
    """
    title = (
        "📒 <b>"
        + escape(tr("Duty logbook, shift of {date}").format(date=tr.date(whole.shift_date)))
        + "</b>"
    )
    span = f"{tr.datetime(window.starts_at)} → {tr.datetime(window.ends_at)}"
    if whole.total == 0:
        text = "\n".join([title, span, "", escape(tr("No entries yet in this shift."))])
        return Screen(text, [])
    lines = [
        entry_lines(
            tr, entry, whole.corrected.get(entry.corrects_id) if entry.corrects_id else None
        )
        for entry in whole.entries
    ]
    pages = screens(lines, SCREEN_UNITS - HEADER_UNITS)
    page = min(max(page, 0), len(pages) - 1)
    counter = tr.plural("{count} entry", "{count} entries", whole.total).format(count=whole.total)
    where = tr("page {page} of {pages}").format(page=page + 1, pages=len(pages))
    text = "\n".join([title, f"{span} · {escape(counter)} · {escape(where)}", "", *pages[page]])
    day = whole.shift_date
    row = turn_row(tr, lambda number: page_button(day, number), page, len(pages))
    return Screen(text, keyboard([row]))
