"""Each camera's event subscription, recorded so that a restarted bot takes it up or ends it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, delete, select

from bot.camera.onvif_device.values import (
    StoredSubscription,
    SubscriptionKind,
    SubscriptionMemory,
)
from bot.clock import Clock
from bot.db.models import CameraSubscription

log = logging.getLogger(__name__)

_KINDS: dict[str, SubscriptionKind] = {"pullpoint": "pullpoint", "notify": "notify"}


class SubscriptionRecords:
    """The subscription records of one desk's cameras, written by this process."""

    def __init__(self, engine: Engine, clock: Clock, desk: str = "") -> None:
        self._engine = engine
        self._clock = clock
        self._desk = desk
        self.process = f"{socket.gethostname()}:{os.getpid()}"
        self.run = uuid.uuid4().hex

    def memory(self, camera: str) -> SubscriptionMemory:
        """The record of one camera, as its event stream keeps it."""
        return _CameraRecord(self, camera)

    def recall(self, camera: str) -> StoredSubscription | None:
        """The subscription recorded for a camera, if any."""
        with Session(self._engine) as session:
            row = self._row(session, camera)
            if row is None or row.kind not in _KINDS:
                return None
            left = (row.terminates_at - self._clock.now()).total_seconds()
            made_by = f"{row.process} (run {row.run[:8]}, {row.made_at:%Y-%m-%d %H:%M:%S} UTC)"
            return StoredSubscription(_KINDS[row.kind], row.address, left, made_by)

    def remember(
        self, camera: str, kind: SubscriptionKind, address: str, seconds_left: float
    ) -> None:
        """Record a camera's live subscription: a new one replaces the old, a renewal dates it."""
        now = self._clock.now()
        terminates_at = now + dt.timedelta(seconds=max(seconds_left, 0.0))
        with Session(self._engine) as session:
            row = self._row(session, camera)
            if row is None:
                row = CameraSubscription(
                    desk=self._desk,
                    camera=camera,
                    kind=kind,
                    address=address,
                    terminates_at=terminates_at,
                    made_at=now,
                    renewed_at=now,
                    process=self.process,
                    run=self.run,
                )
            elif row.address != address or row.kind != kind:
                row.kind, row.address, row.made_at = kind, address, now
                row.process, row.run = self.process, self.run
            row.terminates_at, row.renewed_at = terminates_at, now
            session.add(row)
            session.commit()

    def forget(self, camera: str) -> None:
        """Drop a camera's record once its subscription is ended."""
        with Session(self._engine) as session:
            session.exec(
                delete(CameraSubscription).where(
                    col(CameraSubscription.desk) == self._desk,
                    col(CameraSubscription.camera) == camera,
                )
            )
            session.commit()

    def _row(self, session: Session, camera: str) -> CameraSubscription | None:
        return session.exec(
            select(CameraSubscription).where(
                CameraSubscription.desk == self._desk, CameraSubscription.camera == camera
            )
        ).first()


class _CameraRecord:
    """One camera's record; a database that fails is logged and never stops the events."""

    def __init__(self, records: SubscriptionRecords, camera: str) -> None:
        self._records = records
        self._camera = camera

    def recall(self) -> StoredSubscription | None:
        try:
            return self._records.recall(self._camera)
        except SQLAlchemyError:
            log.warning("Camera %s: subscription record unreadable", self._camera, exc_info=True)
            return None

    def remember(self, kind: SubscriptionKind, address: str, seconds_left: float) -> None:
        try:
            self._records.remember(self._camera, kind, address, seconds_left)
        except SQLAlchemyError:
            log.warning("Camera %s: subscription not recorded", self._camera, exc_info=True)

    def forget(self) -> None:
        try:
            self._records.forget(self._camera)
        except SQLAlchemyError:
            log.warning("Camera %s: subscription record not cleared", self._camera, exc_info=True)
