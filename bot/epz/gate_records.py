"""The gate log kept while a gate camera is down: each vehicle in or out, and who wrote it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from bot.db.models import EnterpriseContact, GateMovementRecord
from bot.epz.gatelog import GateMovement
from bot.epz.gatelog_export import GateLogRow
from bot.service import DeskService


class GateRecords(DeskService):
    """Stores and reads the gate movements recorded under an outage (part of `Outages`)."""

    def record_gate(
        self, outage_id: int, movements: list[GateMovement], recorded_by: int, now: dt.datetime
    ) -> int:
        """Store gate movements against the outage they happen under."""
        with Session(self._engine) as session:
            for movement in movements:
                session.add(
                    GateMovementRecord(
                        outage_id=outage_id,
                        plate=movement.plate,
                        container=movement.container,
                        direction=movement.direction.value,
                        at=movement.at,
                        recorded_at=now,
                        recorded_by=recorded_by,
                    )
                )
            session.commit()
        return len(movements)

    def gate_log(self, outage_id: int) -> list[GateMovementRecord]:
        """The gate movements recorded for an outage, in time order."""
        with Session(self._engine) as session:
            return list(
                session.exec(
                    select(GateMovementRecord)
                    .where(GateMovementRecord.outage_id == outage_id)
                    .order_by(col(GateMovementRecord.at))
                ).all()
            )

    def gate_log_rows(self, outage_id: int) -> list[GateLogRow]:
        """The gate log with the name of whoever recorded each movement, for listing."""
        with Session(self._engine) as session:
            records = list(
                session.exec(
                    select(GateMovementRecord)
                    .where(GateMovementRecord.outage_id == outage_id)
                    .order_by(col(GateMovementRecord.at), col(GateMovementRecord.id))
                ).all()
            )
            contacts = dict(
                session.exec(select(EnterpriseContact.user_id, EnterpriseContact.name)).all()
            )

        def name(user_id: int | None) -> str:
            person = self._settings.person(user_id) if user_id is not None else None
            return person.name if person else contacts.get(user_id or 0) or str(user_id or "—")

        return [GateLogRow(record, name(record.recorded_by)) for record in records]
