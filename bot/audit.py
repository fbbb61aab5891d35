"""The audit trail: refusals and other attempts that must stay traceable."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import Clock
from bot.db.models import AuditEvent


class Audit:
    """Writes and reads audit lines."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def record(
        self, action: str, *, user_id: int | None, chat_id: int | None, detail: str = ""
    ) -> None:
        """Append one audit line."""
        with Session(self._engine) as session:
            session.add(
                AuditEvent(
                    at=self._clock.now(),
                    action=action,
                    user_id=user_id,
                    chat_id=chat_id,
                    detail=detail[:500],
                )
            )
            session.commit()

    def seen(self, action: str, *, chat_id: int) -> bool:
        """True if an action was already recorded for a chat."""
        with Session(self._engine) as session:
            query = select(AuditEvent.id).where(
                AuditEvent.action == action, AuditEvent.chat_id == chat_id
            )
            return session.exec(query).first() is not None

    def lines(self, action: str | None = None) -> list[AuditEvent]:
        """Return audit lines, oldest first, optionally of one action."""
        with Session(self._engine) as session:
            query = select(AuditEvent).order_by(AuditEvent.id)  # type: ignore[arg-type]
            if action is not None:
                query = query.where(AuditEvent.action == action)
            return list(session.exec(query).all())
