"""The sender's side of the outbox: which rows are due, and what became of each one sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select, update

from bot.clock import Clock
from bot.db.models import OutboxMessage, OutboxStatus
from bot.db.off_loop import BlockingCalls

# Why a row was dropped unsent, kept in its error for the operator.
STALE = "dropped unsent: stale"


# The sender has at most this many requests under way (sender/workers.IN_FLIGHT), plus its
# round's look at which chats have messages due.
SENDER_THREADS = 9


class Deliveries:
    """Reads the due rows for the one sender and records each outcome on its row."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        # The sender's reads and records, in threads of its own where the database is a
        # server: as many as requests it has under way, each reading and recording its own.
        self.blocking = BlockingCalls(engine, threads=SENDER_THREADS, name="sender-db")

    def drop_expired(self, now: dt.datetime, chat_id: int) -> int:
        """Mark a chat's pending rows that are worth nothing by now as dropped; how many."""
        with self._engine.begin() as connection:
            # Looked for first, written only if found: the sender asks every round, and an
            # empty write would still take SQLite's write lock from the intake in a storm.
            stale = (
                connection.execute(
                    select(OutboxMessage.id).where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.chat_id == chat_id,
                        col(OutboxMessage.expires_at) <= now,
                    )
                )
                .scalars()
                .all()
            )
            if not stale:
                return 0
            connection.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(stale),
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.DROPPED, error=STALE)
            )
        return len(stale)

    def unsent(self, outbox_ids: set[int]) -> set[int]:
        """Those of these rows still waiting to be sent."""
        if not outbox_ids:
            return set()
        with Session(self._engine) as session:
            found = session.exec(
                select(OutboxMessage.id).where(
                    col(OutboxMessage.id).in_(outbox_ids),
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
            ).all()
        return {row_id for row_id in found if row_id is not None}

    def media_of(self, outbox_id: int) -> bytes:
        """The bytes (image, album, file) a row carries."""
        with Session(self._engine) as session:
            media = session.exec(
                select(OutboxMessage.media).where(OutboxMessage.id == outbox_id)
            ).first()
            return media or b""

    def telegram_id(self, outbox_id: int) -> int | None:
        """Return the Telegram message id of a sent outbox row."""
        with Session(self._engine) as session:
            row = session.get(OutboxMessage, outbox_id)
            return row.telegram_message_id if row else None

    def due(
        self, now: dt.datetime, limit: int = 50, chat_id: int | None = None
    ) -> list[OutboxMessage]:
        """Return pending messages whose time has come (of one chat, if given).

        The most urgent come first, each priority oldest first.
        """
        with Session(self._engine) as session:
            # Without the images: the sender looks again before every message it sends, and
            # reads the bytes (media_of) only of the one it chose.
            query = (
                select(OutboxMessage)
                .options(defer(OutboxMessage.media))  # type: ignore[arg-type]
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    col(OutboxMessage.not_before) <= now,
                )
            )
            if chat_id is not None:
                query = query.where(OutboxMessage.chat_id == chat_id)
            query = query.order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
            return list(session.exec(query.limit(limit)).all())

    def group_sends_since(self, since: dt.datetime) -> list[tuple[int, str, dt.datetime]]:
        """Messages that reached a group since a moment: chat, method, when; oldest first."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(OutboxMessage.chat_id, OutboxMessage.method, OutboxMessage.sent_at)
                .where(
                    OutboxMessage.status == OutboxStatus.SENT,
                    col(OutboxMessage.chat_id) < 0,
                    col(OutboxMessage.sent_at) >= since,
                    col(OutboxMessage.telegram_message_id).is_not(None),
                )
                .order_by(col(OutboxMessage.sent_at))
            ).all()
        return [(chat_id, method, sent_at) for chat_id, method, sent_at in rows if sent_at]

    def due_chats(self, now: dt.datetime) -> list[int]:
        """The chats that have messages due."""
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(OutboxMessage.chat_id)
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        col(OutboxMessage.not_before) <= now,
                    )
                    .distinct()
                ).all()
            )

    def mark_sent(
        self,
        row_id: int,
        telegram_message_id: int | None,
        file_id: str | None = None,
        sent_payload: str | None = None,
    ) -> None:
        """Record that a message reached Telegram (and the id of a photo it uploaded).

        With `sent_payload`, a row whose content was merged with a newer edit while it was
        being sent stays pending, so the newer content goes out too.
        """
        self._update(
            row_id,
            only_if_payload=sent_payload,
            status=OutboxStatus.SENT,
            sent_at=self._clock.now(),
            telegram_message_id=telegram_message_id,
            telegram_file_id=file_id,
        )

    def postpone(self, row_id: int, delay: dt.timedelta, error: str, attempts: int) -> None:
        """Try a message again later (flood control, network trouble)."""
        self._update(row_id, not_before=self._clock.now() + delay, error=error, attempts=attempts)

    def mark_failed(self, row_id: int, error: str, attempts: int) -> None:
        """Give up on a message Telegram refused for good; the error is kept for the operator."""
        self._update(row_id, status=OutboxStatus.FAILED, error=error, attempts=attempts)

    def _update(self, row_id: int, only_if_payload: str | None = None, **values: Any) -> None:
        # One statement by primary key: the sender records every message it sends.
        statement = update(OutboxMessage).where(col(OutboxMessage.id) == row_id)
        if only_if_payload is not None:
            statement = statement.where(col(OutboxMessage.payload) == only_if_payload)
        with self._engine.begin() as connection:
            connection.execute(statement.values(**values))
