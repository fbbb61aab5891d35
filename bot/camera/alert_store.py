"""The alerts' rows: events, alerts and request signatures, written as a storm needs them.

In a storm hundreds of events a second arrive: rows go in as plain inserts of plain dicts and
counts as one executemany, not as ORM objects, and a batch of requests shares one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, case, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col, select

from bot.camera.alert_input import DUPLICATE, REPLAYED, AlertInput, Received, received
from bot.camera.digest import OpenAlertLine
from bot.camera.folding import DIGEST, OpenAlert
from bot.camera.replays import PRUNE_GAP_SECONDS, claim, prune
from bot.coordination.keys import FOLDING, key
from bot.db.desk_scope import DEFAULT_DESK, engine_desk
from bot.db.models import AlertSource, CameraAlert, CameraEventRecord

_EVENTS = CameraEventRecord.__table__  # type: ignore[attr-defined]
_ALERTS = CameraAlert.__table__  # type: ignore[attr-defined]


def _inserted(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def event_row(alert: AlertInput, received_at: dt.datetime, desk: str) -> dict[str, object]:
    """The camera_event row of an alert received at a time (its alert id added by the caller)."""
    return {
        "desk": desk,
        "camera": alert.camera,
        "kind": alert.kind,
        "source": alert.source.value,
        "external_id": alert.external_id,
        "occurred_at": alert.occurred_at,
        "received_at": received_at,
        "detail": alert.detail,
        "refs": alert.refs,
    }


class AlertStore:
    """Reads and writes the alert tables for the alerts service."""

    def __init__(self, engine: Engine, replay_window_seconds: int) -> None:
        self._engine = engine
        # Named in the plain inserts below, which the desk's session does not stamp.
        self.desk = engine_desk(engine) or DEFAULT_DESK
        self._replay_window_seconds = replay_window_seconds
        self._signatures_pruned_at: float | None = None

    # --- events ------------------------------------------------------------------------------

    def claim_signatures(
        self, connection: Connection, alerts: Sequence[AlertInput], now: dt.datetime
    ) -> set[int]:
        """Record the batch's request signatures; the indexes of the requests replayed."""
        signed = [alert.signature for alert in alerts if alert.signature is not None]
        if not signed:
            return set()
        seconds = now.timestamp()
        pruned = self._signatures_pruned_at
        if pruned is None or not pruned <= seconds < pruned + PRUNE_GAP_SECONDS:
            prune(connection, seconds, self._replay_window_seconds)
            self._signatures_pruned_at = seconds
        claimed = claim(connection, signed)
        replayed: set[int] = set()
        for index, alert in enumerate(alerts):
            if alert.signature is None:
                continue
            if alert.signature.digest in claimed:
                # The first copy in the batch takes the claim; a second is a replay.
                claimed.discard(alert.signature.digest)
            else:
                replayed.add(index)
        return replayed

    def insert_events(self, connection: Connection, rows: list[dict[str, object]]) -> list[int]:
        """Insert event rows in one statement; their ids in the rows' order."""
        result = connection.execute(
            _EVENTS.insert().returning(_EVENTS.c.id, sort_by_parameter_order=True), rows
        )
        return [int(event_id) for event_id in result.scalars().all()]

    def record_many(self, alerts: list[AlertInput], now: dt.datetime) -> list[Received]:
        """Store events not yet folded: one insert for the lot; if one was a retry, one each."""
        if len(alerts) > 1:
            try:
                with self._engine.begin() as connection:
                    replayed = self.claim_signatures(connection, alerts, now)
                    fresh = [i for i in range(len(alerts)) if i not in replayed]
                    results = [REPLAYED] * len(alerts)
                    if fresh:
                        ids = self.insert_events(
                            connection,
                            [event_row(alerts[index], now, self.desk) for index in fresh],
                        )
                        for index, row_id in zip(fresh, ids, strict=True):
                            results[index] = Received(row_id)
                    return results
            except IntegrityError:
                pass
        return [self._record(alert, now) for alert in alerts]

    def _record(self, alert: AlertInput, now: dt.datetime) -> Received:
        """One plain insert, with its request's signature; a retry or a replay stores nothing."""
        signed = [alert.signature] if alert.signature is not None else []
        with self._engine.connect() as connection:
            if signed and not claim(connection, signed):
                connection.rollback()
                return REPLAYED
            try:
                result = connection.execute(_EVENTS.insert(), event_row(alert, now, self.desk))
            except IntegrityError:
                connection.rollback()
                # A retry of an event stored before: still, this request is not to be replayed.
                if signed:
                    claim(connection, signed)
                    connection.commit()
                return DUPLICATE
            connection.commit()
        key = result.inserted_primary_key
        return received(int(key[0]) if key else None)

    def unfolded(
        self, cameras: Collection[str] | None = None, except_cameras: Collection[str] = ()
    ) -> list[tuple[int, AlertInput]]:
        """Events stored but not yet folded into an alert (the bot stopped in between).

        Only those of `cameras` if given, never those of `except_cameras`.
        """
        query = select(CameraEventRecord).where(col(CameraEventRecord.alert_id).is_(None))
        if cameras is not None:
            query = query.where(col(CameraEventRecord.camera).in_(list(cameras)))
        if except_cameras:
            query = query.where(col(CameraEventRecord.camera).not_in(list(except_cameras)))
        with Session(self._engine) as session:
            pending = session.exec(query.order_by(col(CameraEventRecord.id))).all()
        return [
            (
                event.id,
                AlertInput(
                    camera=event.camera,
                    kind=event.kind,
                    occurred_at=event.occurred_at,
                    source=AlertSource(event.source),
                    detail=event.detail,
                    refs=event.refs,
                    external_id=event.external_id,
                ),
            )
            for event in pending
            if event.id is not None
        ]

    def link_events(self, session: Session, links: list[dict[str, int]]) -> None:
        """Attach stored events to their alerts ({"event": id, "alert": id} each)."""
        session.connection().execute(
            update(_EVENTS)
            .where(_EVENTS.c.id == bindparam("event"))
            .values(alert_id=bindparam("alert")),
            links,
        )

    # --- alerts ------------------------------------------------------------------------------

    def open_alerts(self, session: Session, since: dt.datetime) -> Sequence[CameraAlert]:
        """The alerts seen since a time that repeats may still fold into (no digest page)."""
        return session.exec(
            select(CameraAlert)
            .where(
                col(CameraAlert.last_seen_at) >= since,
                ~col(CameraAlert.camera).startswith(DIGEST),
                CameraAlert.false_alarm_by == "",
            )
            .order_by(col(CameraAlert.id))
        ).all()

    def insert_alert(
        self, session: Session, alert: AlertInput, now: dt.datetime, digest: bool
    ) -> int:
        """Open an alert for an event; its id."""
        # A plain insert of a plain row: in a storm hundreds of alerts open in a minute.
        return _inserted(
            session.connection().execute(
                _ALERTS.insert(),
                {
                    "desk": self.desk,
                    "camera": alert.camera,
                    "kind": alert.kind,
                    "source": alert.source.value,
                    "occurred_at": alert.occurred_at,
                    "received_at": now,
                    "last_seen_at": now,
                    "count": 1,
                    "detail": alert.detail,
                    "refs": alert.refs,
                    "digest": digest,
                    "false_alarm_by": "",
                    "false_alarm_reason": "",
                },
            )
        )

    def write_counts(
        self, session: Session, bumped: Mapping[int, OpenAlert], counted: Mapping[int, int]
    ) -> None:
        """Add the repeats a batch folded into alerts, and move their last-seen times on.

        Added, not set: on PostgreSQL another process may count repeats of the same alert.
        """
        if not bumped:
            return
        seen: BindParameter[dt.datetime] = bindparam("seen")
        last_seen = _ALERTS.c.last_seen_at
        session.connection().execute(
            update(_ALERTS)
            .where(_ALERTS.c.id == bindparam("alert"))
            .values(
                count=_ALERTS.c.count + bindparam("repeats"),
                last_seen_at=case((last_seen < seen, seen), else_=last_seen),
            ),
            [
                {"alert": alert_id, "repeats": counted[alert_id], "seen": known.last_seen_at}
                for alert_id, known in bumped.items()
            ],
        )

    def lock_folding(self, session: Session) -> None:
        """Hold the desk's folding until this transaction ends (PostgreSQL's advisory lock).

        Processes sharing a database open a desk's alerts one at a time: the second sees what
        the first opened, so a camera's repeats reaching two processes fold into one alert.
        """
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(:space, :desk)"),
            {"space": FOLDING, "desk": key(self.desk)},
        )

    def open_alerts_of(
        self, session: Session, cameras: Collection[str], since: dt.datetime
    ) -> Sequence[CameraAlert]:
        """The open alerts of these cameras (opened by any process), as `open_alerts` reads."""
        return session.exec(
            select(CameraAlert)
            .where(
                col(CameraAlert.camera).in_(list(cameras)),
                col(CameraAlert.last_seen_at) >= since,
                CameraAlert.false_alarm_by == "",
            )
            .order_by(col(CameraAlert.id))
        ).all()

    def carded_since(self, session: Session, since: dt.datetime) -> list[dt.datetime]:
        """When the desk's alerts with a card of their own were opened, since a time."""
        return sorted(
            session.exec(
                select(CameraAlert.received_at).where(
                    col(CameraAlert.received_at) >= since,
                    col(CameraAlert.digest).is_(False),
                    ~col(CameraAlert.camera).startswith(DIGEST),
                )
            ).all()
        )

    def digest_members(self, session: Session, since: dt.datetime) -> list[OpenAlertLine]:
        """Every camera's alert seen since a time, as the digest lists them."""
        # Plain rows, not ORM objects: in a storm this runs a few times a second over hundreds.
        members = session.connection().execute(
            sa_select(
                _ALERTS.c.camera, _ALERTS.c.kind, _ALERTS.c.count, _ALERTS.c.last_seen_at
            ).where(
                _ALERTS.c.desk == self.desk,
                _ALERTS.c.last_seen_at >= since,
                ~_ALERTS.c.camera.startswith(DIGEST),
                _ALERTS.c.false_alarm_by == "",
            )
        )
        return [OpenAlertLine(*row) for row in members]

    def digest_page(self, session: Session, number: int, since: dt.datetime) -> CameraAlert | None:
        """The row of the digest's page `number` still showing (seen since a time)."""
        return session.exec(
            select(CameraAlert).where(
                CameraAlert.camera == digest_key(number), col(CameraAlert.last_seen_at) >= since
            )
        ).first()

    def cards(self, session: Session, alert_ids: set[int]) -> Sequence[CameraAlert]:
        """The alerts with these ids."""
        return session.exec(
            select(CameraAlert).where(col(CameraAlert.id).in_(sorted(alert_ids)))
        ).all()

    def get(self, alert_id: int) -> CameraAlert | None:
        """Return an alert by id."""
        with Session(self._engine) as session:
            return session.get(CameraAlert, alert_id)

    def link_incident(self, alert_id: int, incident_id: int) -> None:
        """Remember which incident an alert was opened as."""
        with Session(self._engine) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is not None:
                alert.incident_id = incident_id
                session.add(alert)
                session.commit()


def digest_key(number: int) -> str:
    """The camera column of the digest's page `number` (1, 2, …)."""
    return f"{DIGEST}{number}"
