"""Recording the duty group's conversation and the logbook entries drawn from it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.clock import Clock
from bot.db.desk_scope import DEFAULT_DESK, engine_desk
from bot.db.models import (
    ChatMessage,
    DutyShift,
    EntryOrigin,
    LogbookEntry,
    LogColumn,
    MessageKind,
)
from bot.logbook import chain
from bot.logbook.hashtags import is_command, may_file, split_columns, strip_command
from bot.shifts import Right, Roster


@dataclass(frozen=True)
class Author:
    """Who wrote something: a Telegram user id (None for the bot) and a display name."""

    user_id: int | None
    name: str


@dataclass(frozen=True)
class IncomingMessage:
    """A duty-group message (or a revision of one), as plain values."""

    chat_id: int
    message_id: int
    author: Author
    sent_at: dt.datetime
    kind: MessageKind = MessageKind.TEXT
    text: str = ""
    edited_at: dt.datetime | None = None
    file_id: str | None = None
    reply_to_message_id: int | None = None
    thread_id: int | None = None

    @property
    def revision_at(self) -> dt.datetime:
        """The moment this revision was made."""
        return self.edited_at or self.sent_at


class Outcome(StrEnum):
    """What happened to a message or a request to write the logbook."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    ENTRY = "entry"
    CORRECTION = "correction"
    NOT_ALLOWED = "not_allowed"
    EMPTY = "empty"
    NOT_FOUND = "not_found"


@dataclass
class Recorded:
    """The result of recording: the outcome and any entries written."""

    outcome: Outcome
    entries: list[LogbookEntry] = field(default_factory=list)


@dataclass(frozen=True)
class EntryPage:
    """A page of a shift's logbook."""

    shift_date: dt.date
    entries: list[LogbookEntry]
    page: int
    pages: int
    total: int
    # Line numbers of the entries that entries on this page correct, by entry id.
    corrected: dict[int, int] = field(default_factory=dict)


chain.install()

_CHAT_MESSAGE = ChatMessage.__table__  # type: ignore[attr-defined]

# Line numbers handed out in the current transaction, by shift: a burst of desk events in
# one transaction asks the database for the shift's last line once, not once per line.
_LAST_SEQ = "logbook_last_seq"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_line_numbers(session: Session, *_: object) -> None:
    session.info.pop(_LAST_SEQ, None)


_COLUMN_FIELDS = {
    LogColumn.WORK: "work_performed",
    LogColumn.INCIDENT: "incident",
    LogColumn.DIRECTION: "direction",
    LogColumn.RESULT: "result",
    LogColumn.NOTE: "notes",
}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _revision_key(message: IncomingMessage) -> tuple[int, int, dt.datetime]:
    return message.chat_id, message.message_id, _utc(message.revision_at)


def entry_columns(entry: LogbookEntry) -> dict[LogColumn, str]:
    """Return the non-empty Annex I text columns of an entry."""
    found = {column: getattr(entry, name) for column, name in _COLUMN_FIELDS.items()}
    return {column: text for column, text in found.items() if text}


class Logbook:
    """Keeps the conversation record and the append-only duty logbook."""

    def __init__(self, engine: Engine, roster: Roster, clock: Clock) -> None:
        self._engine = engine
        # Named in the plain insert of each message, which the desk's session does not stamp.
        self._desk = engine_desk(engine) or DEFAULT_DESK
        self._roster = roster
        self._clock = clock
        self._known_shifts: set[dt.date] = set()

    def record_message(self, message: IncomingMessage, *, filing: bool = True) -> Recorded:
        """Store a group message; hashtags file it in the logbook, edits add corrections.

        The bot's own messages are stored with filing off: its help texts quote hashtags.
        """
        return self.record_messages([message], filing=filing)[0]

    def record_messages(
        self, messages: Sequence[IncomingMessage], *, filing: bool = True
    ) -> list[Recorded]:
        """Store messages in the order given, in one transaction; one result for each.

        Each is stored and filed exactly as on its own (line numbers in order, corrections
        finding entries filed earlier in the same batch); one commit makes a backlog cheap.
        """
        try:
            return self._record(messages, filing, skip_stored=False)
        except IntegrityError:
            # Telegram re-delivers updates that were not confirmed before a restart: only
            # then is it worth asking which of them are stored already.
            return self._record(messages, filing, skip_stored=True)

    def _record(
        self, messages: Sequence[IncomingMessage], filing: bool, *, skip_stored: bool
    ) -> list[Recorded]:
        shift_dates = [self._roster.shift_date_at(message.sent_at) for message in messages]
        rows = [self._row(m, d) for m, d in zip(messages, shift_dates, strict=True)]
        with Session(self._engine, expire_on_commit=False) as session:
            for shift_date in dict.fromkeys(shift_dates):
                self._ensure_shift(session, shift_date)
            stored = self._stored(session, messages) if skip_stored else set()
            new = [
                row
                for message, row in zip(messages, rows, strict=True)
                if _revision_key(message) not in stored
            ]
            if new:
                # A plain insert, not the ORM's unit of work: this runs for every group message.
                session.connection().execute(_CHAT_MESSAGE.insert(), new)
            results = []
            for message, shift_date in zip(messages, shift_dates, strict=True):
                if _revision_key(message) in stored:
                    results.append(Recorded(Outcome.DUPLICATE))
                    continue
                wants_filing = message.edited_at is not None or may_file(message.text)
                results.append(
                    self._file_message(session, message, shift_date)
                    if filing and wants_filing
                    else Recorded(Outcome.STORED)
                )
            session.commit()
        return results

    @staticmethod
    def _stored(
        session: Session, messages: Sequence[IncomingMessage]
    ) -> set[tuple[int, int, dt.datetime]]:
        """Which of these revisions the conversation record holds already."""
        found = session.exec(
            select(ChatMessage.chat_id, ChatMessage.message_id, ChatMessage.revision_at).where(
                col(ChatMessage.chat_id).in_({m.chat_id for m in messages}),
                col(ChatMessage.message_id).in_({m.message_id for m in messages}),
            )
        )
        return {(chat_id, message_id, _utc(at)) for chat_id, message_id, at in found}

    def _row(self, message: IncomingMessage, shift_date: dt.date) -> dict[str, object]:
        return {
            "desk": self._desk,
            "chat_id": message.chat_id,
            "message_id": message.message_id,
            "revision_at": message.revision_at,
            "sent_at": message.sent_at,
            "is_edit": message.edited_at is not None,
            "user_id": message.author.user_id,
            "user_name": message.author.name,
            "shift_date": shift_date,
            "kind": message.kind.value,
            "text": message.text,
            "file_id": message.file_id,
            "reply_to_message_id": message.reply_to_message_id,
            "thread_id": message.thread_id,
        }

    def _file_message(
        self, session: Session, message: IncomingMessage, shift_date: dt.date
    ) -> Recorded:
        is_edit = message.edited_at is not None
        earlier = (
            self._entries_from(session, message.chat_id, message.message_id) if is_edit else []
        )
        text = strip_command(message.text)
        columns = split_columns(text)
        if message.edited_at is not None and earlier:
            original = earlier[0]
            columns = columns or {next(iter(entry_columns(original)), LogColumn.WORK): text}
            entry = self._add_entry(
                session,
                message.author,
                columns,
                message.edited_at,
                EntryOrigin.CORRECTION,
                source_key=f"edit:{message.chat_id}:{message.message_id}:"
                f"{message.edited_at.isoformat()}",
                source=(message.chat_id, message.message_id),
                corrects=original,
                flush=False,
            )
            return Recorded(Outcome.CORRECTION, [entry])
        if not columns or is_command(message.text):
            # Commands write their own entries; filing their hashtags too would double them.
            return Recorded(Outcome.STORED)
        if not self._may_write(message.author, message.revision_at):
            return Recorded(Outcome.NOT_ALLOWED)
        entry = self._add_entry(
            session,
            message.author,
            columns,
            message.revision_at,
            EntryOrigin.HASHTAG,
            source_key=f"tag:{message.chat_id}:{message.message_id}",
            source=(message.chat_id, message.message_id),
            shift_date=shift_date,
            flush=False,
        )
        return Recorded(Outcome.ENTRY, [entry])

    def write(
        self,
        author: Author,
        text: str,
        when: dt.datetime,
        *,
        source: tuple[int, int] | None,
        source_key: str | None,
        note: str = "",
    ) -> Recorded:
        """Write an explicit entry (/log); hashtags choose its columns, else 'work performed'."""
        if not self._may_write(author, when):
            return Recorded(Outcome.NOT_ALLOWED)
        text = text.strip()
        if not text:
            return Recorded(Outcome.EMPTY)
        columns = split_columns(text) or {LogColumn.WORK: text}
        if note.strip():
            columns[LogColumn.NOTE] = "\n".join(filter(None, [columns.get(LogColumn.NOTE), note]))
        with Session(self._engine, expire_on_commit=False) as session:
            if source_key and self._by_key(session, source_key):
                return Recorded(Outcome.DUPLICATE)
            entry = self._add_entry(
                session,
                author,
                columns,
                when,
                EntryOrigin.COMMAND,
                source_key=source_key,
                source=source,
            )
            session.commit()
        return Recorded(Outcome.ENTRY, [entry])

    def pin(self, author: Author, chat_id: int, message_id: int, when: dt.datetime) -> Recorded:
        """Make a stored group message a logbook entry (the 📌 reaction); once per message."""
        if not self._may_write(author, when):
            return Recorded(Outcome.NOT_ALLOWED)
        key = f"pin:{chat_id}:{message_id}"
        with Session(self._engine, expire_on_commit=False) as session:
            if self._by_key(session, key):
                return Recorded(Outcome.DUPLICATE)
            latest = session.exec(
                select(ChatMessage)
                .where(ChatMessage.chat_id == chat_id, ChatMessage.message_id == message_id)
                .order_by(col(ChatMessage.revision_at).desc())
            ).first()
            if latest is None:
                return Recorded(Outcome.NOT_FOUND)
            if not latest.text.strip():
                return Recorded(Outcome.EMPTY)
            columns = split_columns(latest.text) or {LogColumn.WORK: latest.text}
            writer = Author(latest.user_id, latest.user_name)
            entry = self._add_entry(
                session,
                writer,
                columns,
                when,
                EntryOrigin.REACTION,
                source_key=key,
                source=(chat_id, message_id),
                created_at=latest.sent_at,
            )
            pinned_by = self.name_of(author)
            entry.notes = "\n".join(filter(None, [entry.notes, f"📌 {pinned_by}"]))
            session.commit()
        return Recorded(Outcome.ENTRY, [entry])

    def append(
        self,
        session: Session,
        author: Author,
        when: dt.datetime,
        columns: dict[LogColumn, str],
        *,
        details: dict[str, object] | None = None,
        source_key: str | None = None,
    ) -> LogbookEntry:
        """Write a desk event (incident, direction, result...) in the caller's transaction.

        `details` fills the Annex I sub-fields, e.g. incident_place or direction_receiver.
        """
        entry = self._add_entry(
            session,
            author,
            columns,
            when,
            EntryOrigin.SYSTEM,
            source_key=source_key,
            source=None,
            flush=False,
        )
        for name, value in (details or {}).items():
            if not hasattr(entry, name):
                raise AttributeError(f"logbook entries have no field {name}")
            setattr(entry, name, value)
        session.add(entry)
        return entry

    def page(self, shift_date: dt.date, page: int, page_size: int = 8) -> EntryPage:
        """Return one page of a shift's entries, oldest first."""
        with Session(self._engine) as session:
            total = session.exec(
                select(func.count())
                .select_from(LogbookEntry)
                .where(LogbookEntry.shift_date == shift_date)
            ).one()
            pages = max(1, -(-total // page_size))
            page = min(max(page, 0), pages - 1)
            entries = list(
                session.exec(
                    select(LogbookEntry)
                    .where(LogbookEntry.shift_date == shift_date)
                    .order_by(col(LogbookEntry.seq))
                    .offset(page * page_size)
                    .limit(page_size)
                ).all()
            )
            targets = {e.corrects_id for e in entries if e.corrects_id is not None}
            corrected = (
                {
                    row_id: seq
                    for row_id, seq in session.exec(
                        select(LogbookEntry.id, LogbookEntry.seq).where(
                            col(LogbookEntry.id).in_(targets)
                        )
                    ).all()
                    if row_id is not None
                }
                if targets
                else {}
            )
        return EntryPage(shift_date, entries, page, pages, total, corrected)

    def entry_seq(self, entry_id: int) -> int | None:
        """Return the line number of an entry within its shift."""
        with Session(self._engine) as session:
            entry = session.get(LogbookEntry, entry_id)
            return entry.seq if entry else None

    def messages(self, shift_date: dt.date) -> list[ChatMessage]:
        """Return every stored revision of the group conversation in a shift."""
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(ChatMessage)
                    .where(ChatMessage.shift_date == shift_date)
                    .order_by(col(ChatMessage.id))
                ).all()
            )

    def name_of(self, author: Author) -> str:
        """How the logbook names an author: as the desk's people list does, when it names them.

        Every writer comes here, so a line filed from a chat message, a reaction or /log names
        its author as incidents and proposals do, not by a Telegram display name.
        """
        person = self._roster.person(author.user_id) if author.user_id is not None else None
        return person.name if person is not None else author.name

    def _may_write(self, author: Author, when: dt.datetime) -> bool:
        if author.user_id is None:
            return True
        return Right.WRITE_LOGBOOK in self._roster.rights(author.user_id, when)

    def _ensure_shift(self, session: Session, shift_date: dt.date) -> None:
        if shift_date in self._known_shifts:
            return
        if (
            session.exec(select(DutyShift).where(DutyShift.shift_date == shift_date)).first()
            is None
        ):
            window = self._roster.window(shift_date)
            composition = [
                {
                    "role": m.role.value,
                    "id": m.person.id,
                    "name": m.person.name,
                    "title": m.person.title,
                }
                for m in self._roster.members(shift_date)
            ]
            session.add(
                DutyShift(
                    shift_date=shift_date,
                    starts_at=window.starts_at,
                    ends_at=window.ends_at,
                    composition=json.dumps(composition, ensure_ascii=False),
                )
            )
            session.flush()
            # Remembered only once seen committed: this transaction may still roll back.
            return
        self._known_shifts.add(shift_date)

    def _entries_from(self, session: Session, chat_id: int, message_id: int) -> list[LogbookEntry]:
        return list(
            session.exec(
                select(LogbookEntry)
                .where(
                    LogbookEntry.source_chat_id == chat_id,
                    LogbookEntry.source_message_id == message_id,
                    col(LogbookEntry.corrects_id).is_(None),
                )
                .order_by(col(LogbookEntry.id))
            ).all()
        )

    def _by_key(self, session: Session, key: str) -> LogbookEntry | None:
        return session.exec(select(LogbookEntry).where(LogbookEntry.source_key == key)).first()

    def _add_entry(
        self,
        session: Session,
        author: Author,
        columns: dict[LogColumn, str],
        when: dt.datetime,
        origin: EntryOrigin,
        *,
        source_key: str | None,
        source: tuple[int, int] | None,
        corrects: LogbookEntry | None = None,
        shift_date: dt.date | None = None,
        created_at: dt.datetime | None = None,
        flush: bool = True,
    ) -> LogbookEntry:
        shift_date = shift_date or self._roster.shift_date_at(when)
        self._ensure_shift(session, shift_date)
        handed_out: dict[dt.date, int] = session.info.setdefault(_LAST_SEQ, {})
        last = handed_out.get(shift_date)
        if last is None:
            # Another process numbering this shift's lines (several on PostgreSQL) waits here
            # for this transaction: each takes the next line, none the same one twice.
            session.exec(
                select(DutyShift).where(DutyShift.shift_date == shift_date).with_for_update()
            ).first()
            last = session.exec(
                select(func.max(LogbookEntry.seq)).where(LogbookEntry.shift_date == shift_date)
            ).one()
        seq = handed_out[shift_date] = (last or 0) + 1
        entry = LogbookEntry(
            shift_date=shift_date,
            seq=seq,
            created_at=created_at or when,
            recorded_at=self._clock.now(),
            author_id=author.user_id,
            author_name=self.name_of(author),
            origin=origin,
            source_key=source_key,
            source_chat_id=source[0] if source else None,
            source_message_id=source[1] if source else None,
            corrects_id=corrects.id if corrects else None,
        )
        for column, text in columns.items():
            setattr(entry, _COLUMN_FIELDS[column], text)
        if LogColumn.INCIDENT in columns:
            entry.incident_received_at = when
        if LogColumn.DIRECTION in columns:
            entry.direction_at = when
            entry.direction_channel = "message"
        if LogColumn.RESULT in columns:
            entry.result_reported_at = when
        session.add(entry)
        if flush:
            session.flush()
        return entry
