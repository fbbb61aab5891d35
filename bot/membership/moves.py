"""Groups upgraded to supergroups: the old id -> new id map, kept in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db.models import ChatMigration

# A supergroup never migrates again; the bound only guards against a cycle in bad data.
MAX_HOPS = 4


class ChatMoves:
    """Resolves a chat id to the one Telegram uses now; read once, then kept in memory."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._moved: dict[int, int] | None = None

    def _map(self) -> dict[int, int]:
        if self._moved is None:
            with Session(self._engine) as session:
                rows = session.exec(select(ChatMigration)).all()
            self._moved = {row.old_chat_id: row.new_chat_id for row in rows}
        return self._moved

    def resolve(self, chat_id: int) -> int:
        """The id to use for a chat: its supergroup's id once it was upgraded."""
        moved = self._map()
        for _ in range(MAX_HOPS):
            if chat_id not in moved:
                break
            chat_id = moved[chat_id]
        return chat_id

    def record(self, session: Session, old_chat_id: int, new_chat_id: int, at: dt.datetime) -> bool:
        """Write the move in the caller's transaction; False if it was known already."""
        if session.get(ChatMigration, old_chat_id) is not None:
            return False
        session.add(ChatMigration(old_chat_id=old_chat_id, new_chat_id=new_chat_id, migrated_at=at))
        return True

    def remember(self, old_chat_id: int, new_chat_id: int) -> None:
        """Use the move from now on (after its transaction committed)."""
        self._map()[old_chat_id] = new_chat_id
