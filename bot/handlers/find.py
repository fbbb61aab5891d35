"""/find: search the logbook and the incidents from a chat."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot.db.models import Incident, LogbookEntry
from bot.handlers.common import App, Context, desk_of, reply, requires, tr_for
from bot.handlers.logbook import NOT_ON_DESK
from bot.i18n import Translator
from bot.logbook.search import ENTRY_FIELDS, incident_label_in, search
from bot.shifts import Right

# A line of the answer: enough to recognise the entry on a phone, not the whole of it.
SNIPPET = 140


def usage_find(tr: Translator) -> str:
    """How to use /find."""
    return tr(
        "Write /find followed by what to look for: a container or declaration number, a plate, "
        'a camera, an enterprise or any words, e.g. /find 51C-123.45 or /find "Cát Lái" camera. '
        "Every word must appear; quotes keep words together."
    )


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _entry_line(tr: Translator, entry: LogbookEntry) -> str:
    content = next((getattr(entry, name) for name in ENTRY_FIELDS if getattr(entry, name)), "")
    label = incident_label_in(entry)
    where = tr("{day} no. {seq}").format(day=tr.date(entry.shift_date), seq=entry.seq)
    lines = [
        f"• <b>{escape(where)}</b> ({escape(tr.time(entry.created_at))}, "
        f"{escape(entry.author_name)})" + (f" [{escape(label)}]" if label else ""),
        "  " + escape(_snippet(content)),
    ]
    return "\n".join(lines)


def _incident_line(tr: Translator, incident: Incident) -> str:
    place = f" · {escape(incident.place)}" if incident.place else ""
    return (
        f"• <b>{escape(incident.label)}</b> {escape(tr.datetime(incident.received_at))}{place}\n"
        f"  {escape(_snippet(incident.description))}"
    )


@requires(Right.VIEW, NOT_ON_DESK)
async def cmd_find(update: Update, context: Context) -> None:
    """Answer with the newest matching incidents and logbook entries."""
    desk = desk_of(context)
    tr = tr_for(update, context)
    query = " ".join(context.args or []).strip()
    if not query:
        reply(update, context, escape(usage_find(tr)))
        return
    found = search(desk.engine, query)
    if not found.entries and not found.incidents:
        reply(
            update,
            context,
            escape(
                tr(
                    "Nothing in the logbook or the incidents matches {query}. Try fewer words, "
                    "or part of the number."
                ).format(query=query)
            ),
        )
        return
    lines = [
        "🔎 "
        + escape(
            tr("{query}: incidents {incidents}, logbook entries {entries}").format(
                query=query, incidents=found.incident_count, entries=found.entry_count
            )
        )
    ]
    if found.incidents:
        lines += ["", "<b>" + escape(tr("Incidents")) + "</b>"]
        lines += [_incident_line(tr, incident) for incident in found.incidents]
    if found.entries:
        lines += ["", "<b>" + escape(tr("Logbook")) + "</b>"]
        lines += [_entry_line(tr, entry) for entry in found.entries]
    if found.entry_count > len(found.entries) or found.incident_count > len(found.incidents):
        lines += ["", escape(tr("The newest are shown; add a word to narrow the search."))]
    reply(update, context, "\n".join(lines))


def register(app: App) -> None:
    """Wire /find."""
    app.add_handler(CommandHandler("find", cmd_find))
