"""Camera faults: written in the logbook, and told to the camera's managing unit in few messages.

888 Art. 14.1.1d: a fault is recorded and the unit that manages the camera hears of it. In a
storm the unit's chat gets a few lists (see `folding.joins_waiting_notice` and
`folding.next_notice_at`) rather than a message per fault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from sqlmodel import Session

from bot.camera.alert_input import AlertInput
from bot.camera.digest import kind_label
from bot.camera.folding import joins_waiting_notice, next_notice_at
from bot.config import Camera
from bot.db.models import LogColumn, OutboxPriority
from bot.service import DeskService, ServiceContext, system_author


@dataclass
class _UnitNotice:
    """The last fault notice queued for a unit's chat: its outbox row, faults and time."""

    row_id: int
    faults: list[str]
    at: dt.datetime


class FaultNotices(DeskService):
    """Logs each fault and gathers the notices of a batch for the units' chats."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        # Fault notices of the batch being folded, by unit chat, sent as one message each.
        self._batch: dict[int, list[str]] = {}
        # The newest notice queued for each unit chat, which faults may still join.
        self._waiting: dict[int, _UnitNotice] = {}
        # Whether a fault was logged since the sender was last woken for it.
        self._queued = False

    def forget(self) -> None:
        """Drop what this remembers: the transaction that queued it failed."""
        self._batch, self._waiting = {}, {}

    def take_queued(self) -> bool:
        """Whether messages were queued since the last call (the sender is to be woken)."""
        queued, self._queued = self._queued, False
        return queued

    def log(
        self,
        session: Session,
        alert_id: int,
        alert: AlertInput,
        camera: Camera | None,
        received_at: dt.datetime,
    ) -> None:
        """Write the fault in the logbook; its unit hears of it with the batch."""
        tr = self._tr
        text = tr("Camera {camera} ({place}): {event}").format(
            camera=alert.camera,
            place=camera.place if camera else "—",
            event=kind_label(tr, alert.kind),
        )
        self._logbook.append(
            session,
            system_author(),
            received_at,
            {LogColumn.WORK: text},
            details={"incident_place": camera.place if camera else ""},
            source_key=f"alert:{alert_id}",
        )
        self._queued = True
        unit = self._settings.unit(camera.unit) if camera and camera.unit else None
        if unit is not None and unit.chat_id is not None:
            self._batch.setdefault(unit.chat_id, []).append(text)

    def send(self, session: Session, now: dt.datetime) -> None:
        """A batch's faults to each unit: joined to its notice still waiting, or a new one.

        The first notice goes at once; while faults keep coming, the next waits
        FAULT_NOTICE_GAP and collects them.
        """
        notices, self._batch = self._batch, {}
        for chat_id, faults in notices.items():
            last = self._waiting.get(chat_id)
            if last is not None and joins_waiting_notice(len(last.faults), len(faults)):
                joined = [*last.faults, *faults]
                if self._outbox.rewrite_waiting(last.row_id, self._text(joined), session):
                    last.faults = joined
                    continue
            at = next_notice_at(now, None if last is None else last.at)
            row_id = self._outbox.send(
                chat_id,
                self._text(faults),
                session=session,
                not_before=at,
                priority=OutboxPriority.URGENT,
            )
            self._waiting[chat_id] = _UnitNotice(row_id, faults, at)

    def _text(self, faults: list[str]) -> str:
        if len(faults) == 1:
            return "⚠️ " + escape(faults[0])
        tr = self._tr
        head = tr("{count} camera faults:").format(count=len(faults))
        return "\n".join(["⚠️ " + escape(head), *("• " + escape(t) for t in faults)])
