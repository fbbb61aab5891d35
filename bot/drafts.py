"""Guided conversations in progress: what each person typed so far, kept in the database."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import Clock
from bot.db.models import Draft

log = logging.getLogger(__name__)


@dataclass
class DraftState:
    """One person's conversation in one chat: which flow, which step, the answers so far."""

    user_id: int
    chat_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


class Drafts:
    """Stores one draft per person and chat, so a restart loses nothing already typed."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        # Most messages come from people with no draft; remember who has one.
        self._holders: set[tuple[int, int]] | None = None

    def get(self, user_id: int, chat_id: int) -> DraftState | None:
        """Return the person's draft in this chat, if any."""
        if self._holders is None:
            with Session(self._engine) as session:
                self._holders = {(d.user_id, d.chat_id) for d in session.exec(select(Draft))}
        if (user_id, chat_id) not in self._holders:
            return None
        with Session(self._engine) as session:
            row = session.exec(
                select(Draft).where(Draft.user_id == user_id, Draft.chat_id == chat_id)
            ).first()
        if row is None:
            return None
        try:
            data = json.loads(row.data)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            # Unreadable answers would fail every later message of the person; start afresh.
            log.warning("Dropped the unreadable %s draft of user %s", row.flow, user_id)
            self.drop(user_id, chat_id)
            return None
        return DraftState(row.user_id, row.chat_id, row.flow, row.step, data)

    def save(self, state: DraftState) -> None:
        """Start or advance a draft (a new flow replaces the old one)."""
        with Session(self._engine) as session:
            row = session.exec(
                select(Draft).where(Draft.user_id == state.user_id, Draft.chat_id == state.chat_id)
            ).first()
            if row is None:
                row = Draft(
                    user_id=state.user_id,
                    chat_id=state.chat_id,
                    flow=state.flow,
                    step=state.step,
                    updated_at=self._clock.now(),
                )
            row.flow, row.step = state.flow, state.step
            row.data = json.dumps(state.data, ensure_ascii=False, default=str)
            row.updated_at = self._clock.now()
            session.add(row)
            session.commit()
        if self._holders is not None:
            self._holders.add((state.user_id, state.chat_id))

    def drop(self, user_id: int, chat_id: int) -> bool:
        """Forget a draft; True if there was one."""
        with Session(self._engine) as session:
            row = session.exec(
                select(Draft).where(Draft.user_id == user_id, Draft.chat_id == chat_id)
            ).first()
            if row is not None:
                session.delete(row)
                session.commit()
        if self._holders is not None:
            self._holders.discard((user_id, chat_id))
        return row is not None
