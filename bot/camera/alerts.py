"""Camera alerts: stored first, posted with an annotated snapshot, folded when they repeat."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.camera.annotate import Caption, annotate, placeholder
from bot.camera.digest import OpenAlertLine, digest_pages, kind_label
from bot.camera.replays import PRUNE_GAP_SECONDS, Signature, claim, prune
from bot.clock import Clock
from bot.config import Camera, Settings
from bot.db.models import AlertSource, CameraAlert, CameraEventRecord, LogColumn, OutboxPriority
from bot.i18n import Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Button, Keyboard, Outbox, keyboard

log = logging.getLogger(__name__)

Snapshotter = Callable[[str], Awaitable[bytes | None]]

# Faults the logbook must record and the managing unit must hear of (888 Art. 14.1.1d).
FAULT_KINDS = frozenset(
    {
        "tampering",
        "video_loss",
        "hardware_failure",
        "storage_failure",
        "camera_offline",
        "defocus",
        "scene_change",
    }
)
DIGEST = "*"
# Events folded in one transaction when they arrive faster than one at a time.
FOLD_BATCH = 50
# Cards and the digest are redrawn at most this often: the sender edits a group's messages
# about once a second, and an event waits at most this long to be drawn.
REDRAW_GAP_SECONDS = 0.3
# Senders' event ids remembered, so a retry is answered without a failed insert.
EXTERNAL_IDS_KEPT = 20_000
# A unit hears of faults at most this often; faults found meanwhile join the notice that waits,
# so a storm reaches its chat as a few lists instead of a message per batch.
FAULT_NOTICE_GAP = dt.timedelta(seconds=15)
# Faults one notice lists; past that a new notice follows, so none runs past Telegram's limit.
FAULT_NOTICE_LINES = 25
# More new cards than alerts.digest_after_per_minute within this span is a storm.
STORM_SPAN = dt.timedelta(minutes=1)
_EVENTS = CameraEventRecord.__table__  # type: ignore[attr-defined]
_ALERTS = CameraAlert.__table__  # type: ignore[attr-defined]


def _inserted(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _event_row(alert: AlertInput, received_at: dt.datetime) -> dict[str, object]:
    return {
        "camera": alert.camera,
        "kind": alert.kind,
        "source": alert.source.value,
        "external_id": alert.external_id,
        "occurred_at": alert.occurred_at,
        "received_at": received_at,
        "detail": alert.detail,
        "refs": alert.refs,
    }


@dataclass(frozen=True)
class AlertInput:
    """An alert as an input translated it: from an ONVIF event or an HTTP webhook."""

    camera: str
    kind: str
    occurred_at: dt.datetime
    source: AlertSource
    detail: str = ""
    refs: str = ""
    external_id: str | None = None
    image: bytes | None = None
    # The signed request it came in (the intake's), recorded with the event to refuse replays.
    signature: Signature | None = None


@dataclass
class _OpenAlert:
    """What the folding worker keeps of an open alert."""

    id: int
    count: int
    last_seen_at: dt.datetime
    digest: bool


@dataclass
class _UnitNotice:
    """The last fault notice queued for a unit's chat: its outbox row, faults and time."""

    row_id: int
    faults: list[str]
    at: dt.datetime


@dataclass(frozen=True)
class Received:
    """What became of an alert."""

    event_id: int | None
    duplicate: bool = False
    # The signed request that carried it had been received before: nothing was stored.
    replayed: bool = False


REPLAYED = Received(None, replayed=True)
DUPLICATE = Received(None, duplicate=True)


def _received(event_id: int | None) -> Received:
    return Received(event_id) if event_id is not None else DUPLICATE


class Alerts:
    """Records alerts and keeps the duty group's view of them readable."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        clock: Clock,
        outbox: Outbox,
        logbook: Logbook,
        snapshot: Snapshotter | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._clock = clock
        self._outbox = outbox
        self._logbook = logbook
        self.snapshot = snapshot
        # Events that arrived in the same turn of the loop, stored together in one insert.
        self._arriving: list[tuple[AlertInput, asyncio.Future[Received]]] = []
        # Events wait here, already stored, for the one worker that folds them in order.
        self._queue: asyncio.Queue[tuple[int, AlertInput]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._posting: set[asyncio.Task[None]] = set()
        # Snapshots still on their way for alerts already posted; kept so none is collected.
        self._late: set[asyncio.Task[None]] = set()
        # The open alert of each camera and kind. Only the folding worker changes counts, so
        # what it remembers is what the database holds; a miss asks the database.
        self._open: dict[tuple[str, str], _OpenAlert] = {}
        # When the alerts of the last minute that got a card of their own were opened.
        self._carded: deque[dt.datetime] = deque()
        self._loaded = False
        self._queued_messages = False
        self._external_ids: OrderedDict[str, None] = OrderedDict()
        # Fault notices of the batch being folded, by unit chat, sent as one message each.
        self._fault_notices: dict[int, list[str]] = {}
        # The newest notice queued for each unit chat, which faults may still join.
        self._unit_notices: dict[int, _UnitNotice] = {}
        # Cards and the digest to redraw, at most every REDRAW_GAP: Telegram takes an edit a
        # second, so drawing one per batch of events would be work thrown away.
        self._stale: set[int] = set()
        self._digest_stale = False
        self._digest_active_until: dt.datetime | None = None
        self._redraw_handle: asyncio.TimerHandle | None = None
        self._last_redraw = 0.0
        self._signatures_pruned_at: float | None = None

    def _forget(self) -> None:
        # A transaction that failed took its changes with it: what this remembers must go too.
        self._loaded, self._fault_notices, self._unit_notices = False, {}, {}

    @property
    def _tr(self) -> Translator:
        return translator(self._settings.locale, self._settings.tz)

    @property
    def _window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self._settings.alerts.fold_window_seconds)

    async def receive(self, alert: AlertInput) -> Received:
        """Store the event, folded into its alert, in one transaction with its neighbours."""
        loop = asyncio.get_running_loop()
        stored: asyncio.Future[Received] = loop.create_future()
        self._arriving.append((alert, stored))
        if len(self._arriving) == 1:
            # After the callbacks already due: requests that came in together commit together.
            loop.call_soon(self._store_arrived)
        return await stored

    def _store_arrived(self) -> None:
        arrived, self._arriving = self._arriving, []
        alerts = [alert for alert, _ in arrived]
        try:
            results, created = self._store_folded(alerts)
        except IntegrityError:
            # A retry this process has not seen (sent before a restart): find it the slow
            # way; the worker folds the others.
            self._forget()
            results, created = self._store_for_worker(alerts), []
        except Exception as exc:
            self._forget()
            for _, stored in arrived:
                if not stored.done():
                    stored.set_exception(exc)
            return
        for (_, stored), result in zip(arrived, results, strict=True):
            if not stored.done():
                stored.set_result(result)
        self._after_fold(created)

    def _claim_signatures(
        self, connection: Connection, alerts: list[AlertInput], now: dt.datetime
    ) -> set[int]:
        """Record the batch's request signatures; the indexes of the requests replayed."""
        signed = [alert.signature for alert in alerts if alert.signature is not None]
        if not signed:
            return set()
        seconds = now.timestamp()
        pruned = self._signatures_pruned_at
        if pruned is None or not pruned <= seconds < pruned + PRUNE_GAP_SECONDS:
            prune(connection, seconds, self._settings.intake.replay_window_seconds)
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

    def _store_folded(
        self, alerts: list[AlertInput]
    ) -> tuple[list[Received], list[tuple[int, AlertInput]]]:
        """Store events already folded, in one transaction; retries known here are skipped."""
        now = self._clock.now()
        created: list[tuple[int, AlertInput]] = []
        bumped: dict[int, _OpenAlert] = {}
        rows: list[dict[str, object]] = []
        fresh: list[int] = []
        batch_ids: set[str] = set()
        with Session(self._engine, expire_on_commit=False) as session:
            replayed = self._claim_signatures(session.connection(), alerts, now)
            for index, alert in enumerate(alerts):
                if index in replayed:
                    continue
                if alert.external_id is not None:
                    if alert.external_id in self._external_ids or alert.external_id in batch_ids:
                        continue
                    batch_ids.add(alert.external_id)
                alert_id = self._target(session, alert, now, created, bumped)
                rows.append({**_event_row(alert, now), "alert_id": alert_id})
                fresh.append(index)
            ids: list[int | None] = [None] * len(alerts)
            if rows:
                result = session.connection().execute(
                    _EVENTS.insert().returning(_EVENTS.c.id, sort_by_parameter_order=True), rows
                )
                for index, event_id in zip(fresh, result.scalars().all(), strict=True):
                    ids[index] = int(event_id)
                self._write_counts(session, bumped)
            self._send_fault_notices(session)
            session.commit()
        self._remember_external(batch_ids)
        self._mark_stale(bumped, now)
        results = [
            REPLAYED if index in replayed else _received(event_id)
            for index, event_id in enumerate(ids)
        ]
        return results, created

    def _store_for_worker(self, alerts: list[AlertInput]) -> list[Received]:
        results = self._record_many(alerts)
        for alert, result in zip(alerts, results, strict=True):
            if result.event_id is not None:
                self._queue.put_nowait((result.event_id, alert))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="camera-alerts")
        return results

    def _remember_external(self, ids: set[str]) -> None:
        # The senders' ids of the last events, to answer a retry without a failed insert.
        for external_id in ids:
            self._external_ids[external_id] = None
        while len(self._external_ids) > EXTERNAL_IDS_KEPT:
            self._external_ids.popitem(last=False)

    def _record_many(self, alerts: list[AlertInput]) -> list[Received]:
        """One insert for the lot; if one was a retry, one insert each to find which."""
        now = self._clock.now()
        if len(alerts) > 1:
            try:
                with self._engine.begin() as connection:
                    replayed = self._claim_signatures(connection, alerts, now)
                    fresh = [i for i in range(len(alerts)) if i not in replayed]
                    results = [REPLAYED] * len(alerts)
                    if fresh:
                        result = connection.execute(
                            _EVENTS.insert().returning(_EVENTS.c.id, sort_by_parameter_order=True),
                            [_event_row(alerts[index], now) for index in fresh],
                        )
                        for index, row_id in zip(fresh, result.scalars().all(), strict=True):
                            results[index] = Received(int(row_id))
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
                result = connection.execute(_EVENTS.insert(), _event_row(alert, now))
            except IntegrityError:
                connection.rollback()
                # A retry of an event stored before: still, this request is not to be replayed.
                if signed:
                    claim(connection, signed)
                    connection.commit()
                return DUPLICATE
            connection.commit()
        key = result.inserted_primary_key
        return _received(int(key[0]) if key else None)

    def recover(self) -> int:
        """Queue events stored but not yet folded or posted (the bot stopped in between)."""
        with Session(self._engine) as session:
            pending = session.exec(
                select(CameraEventRecord)
                .where(col(CameraEventRecord.alert_id).is_(None))
                .order_by(col(CameraEventRecord.id))
            ).all()
        for event in pending:
            assert event.id is not None
            self._queue.put_nowait(
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
            )
        if pending and (self._worker is None or self._worker.done()):
            self._worker = asyncio.create_task(self._work(), name="camera-alerts")
        return len(pending)

    async def settle(self) -> None:
        """Wait until every received event is folded, drawn and posted (tests, shutdown)."""
        await asyncio.sleep(0)
        await self._queue.join()
        self._redraw()
        while self._posting:
            await asyncio.gather(*list(self._posting), return_exceptions=True)

    async def stop(self) -> None:
        """Stop the worker; unprocessed events stay in the database for recover()."""
        if self._redraw_handle is not None:
            self._redraw_handle.cancel()
            self._redraw_handle = None
        tasks = [t for t in [self._worker, *self._posting, *self._late] if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._worker = None

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < FOLD_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                # In the loop, not a thread: SQLite has one writer, and a thread holding it
                # would stall every other write the loop makes (the intake's included).
                created = self._fold_batch(batch)
            except Exception:
                # The events are stored; a failed batch is taken up again at the next start.
                log.exception("Folding %s camera events failed", len(batch))
                self._forget()
                created = []
            finally:
                for _ in batch:
                    self._queue.task_done()
            self._after_fold(created)
            # Let the intake answer between batches.
            await asyncio.sleep(0)

    def _fold_batch(self, batch: list[tuple[int, AlertInput]]) -> list[tuple[int, AlertInput]]:
        """Fold or open alerts for events stored earlier, in one transaction."""
        created: list[tuple[int, AlertInput]] = []
        now = self._clock.now()
        bumped: dict[int, _OpenAlert] = {}
        with Session(self._engine, expire_on_commit=False) as session:
            links = [
                {"event": event_id, "alert": self._target(session, alert, now, created, bumped)}
                for event_id, alert in batch
            ]
            session.connection().execute(
                update(_EVENTS)
                .where(_EVENTS.c.id == bindparam("event"))
                .values(alert_id=bindparam("alert")),
                links,
            )
            self._write_counts(session, bumped)
            self._send_fault_notices(session)
            session.commit()
        self._mark_stale(bumped, now)
        return created

    def _target(
        self,
        session: Session,
        alert: AlertInput,
        now: dt.datetime,
        created: list[tuple[int, AlertInput]],
        bumped: dict[int, _OpenAlert],
    ) -> int:
        """The alert an event belongs to: its open one, counted up, or a new one."""
        known = self._open_alert(session, alert, now)
        if known is not None:
            known.count += 1
            known.last_seen_at = now
            bumped[known.id] = known
            if known.digest:
                self._digest_active_until = now + self._window
            return known.id
        alert_id, carded = self._open_new(session, alert, now)
        if carded:
            created.append((alert_id, alert))
        return alert_id

    def _write_counts(self, session: Session, bumped: dict[int, _OpenAlert]) -> None:
        if not bumped:
            return
        session.connection().execute(
            update(_ALERTS)
            .where(_ALERTS.c.id == bindparam("alert"))
            .values(count=bindparam("count"), last_seen_at=bindparam("seen")),
            [
                {"alert": alert_id, "count": known.count, "seen": known.last_seen_at}
                for alert_id, known in bumped.items()
            ],
        )

    def _mark_stale(self, bumped: dict[int, _OpenAlert], now: dt.datetime) -> None:
        # A card just opened is drawn when it is posted; only repeats need a redraw. A digest
        # line has no card: the digest is redrawn instead.
        self._stale.update(alert_id for alert_id, known in bumped.items() if not known.digest)
        if any(known.digest for known in bumped.values()):
            self._digest_stale = True
        elif self._digest_active_until is not None and now < self._digest_active_until:
            # While a storm's digest is up it lists every camera, carded ones too.
            self._digest_stale = self._digest_stale or bool(bumped)

    def _after_fold(self, created: list[tuple[int, AlertInput]]) -> None:
        """Post the new cards, redraw what changed (soon), wake the sender for notices."""
        for alert_id, alert in created:
            task = asyncio.create_task(self._post_new(alert_id, alert))
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)
        self._schedule_redraw()
        if self._queued_messages:
            # Fault notices for the units; cards and redraws wake the sender themselves.
            self._queued_messages = False
            self._outbox.notify()

    def _open_alert(
        self, session: Session, alert: AlertInput, now: dt.datetime
    ) -> _OpenAlert | None:
        if not self._loaded:
            self._load_open(session, now)
        known = self._open.get((alert.camera, alert.kind))
        if known is not None and known.last_seen_at >= now - self._window:
            return known
        return None

    def _load_open(self, session: Session, now: dt.datetime) -> None:
        """Learn the open alerts once; from then on this worker is the only one changing them."""
        rows = session.exec(
            select(CameraAlert)
            .where(
                col(CameraAlert.last_seen_at) >= now - self._window,
                ~col(CameraAlert.camera).startswith(DIGEST),
                CameraAlert.false_alarm_by == "",
            )
            .order_by(col(CameraAlert.id))
        ).all()
        self._open = {
            (row.camera, row.kind): _OpenAlert(row.id, row.count, row.last_seen_at, row.digest)
            for row in rows
            if row.id is not None
        }
        self._carded = deque(
            sorted(
                row.received_at
                for row in rows
                if not row.digest and row.received_at >= now - STORM_SPAN
            )
        )
        self._loaded = True

    def _open_new(self, session: Session, alert: AlertInput, now: dt.datetime) -> tuple[int, bool]:
        """Open an alert for an event: its id, and whether it gets a card of its own."""
        camera = self._settings.camera(alert.camera)
        digest = self._storming(now)
        # A plain insert of a plain row: in a storm hundreds of alerts open in a minute.
        alert_id = _inserted(
            session.connection().execute(
                _ALERTS.insert(),
                {
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
        self._open[(alert.camera, alert.kind)] = _OpenAlert(alert_id, 1, now, digest)
        if alert.kind in FAULT_KINDS:
            self._log_fault(session, alert_id, alert, camera, now)
            self._queued_messages = True
        if digest:
            self._digest_active_until = now + self._window
            self._digest_stale = True
            return alert_id, False
        self._carded.append(now)
        return alert_id, True

    def _storming(self, now: dt.datetime) -> bool:
        # Counted by the one folding worker, whether or not the cards have been queued yet,
        # so a burst cannot slip past the threshold.
        while self._carded and self._carded[0] < now - STORM_SPAN:
            self._carded.popleft()
        return len(self._carded) >= self._settings.alerts.digest_after_per_minute

    def _schedule_redraw(self) -> None:
        if self._redraw_handle is not None or not (self._stale or self._digest_stale):
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self._last_redraw + REDRAW_GAP_SECONDS - loop.time())
        self._redraw_handle = loop.call_later(wait, self._redraw)

    def _redraw(self) -> None:
        """Queue the edits of every card and digest page whose alerts changed."""
        if self._redraw_handle is not None:
            self._redraw_handle.cancel()
            self._redraw_handle = None
        self._last_redraw = asyncio.get_running_loop().time()
        stale, self._stale = self._stale, set()
        digest, self._digest_stale = self._digest_stale, False
        if not stale and not digest:
            return
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                # Only carded alerts are marked stale; digest lines redraw the digest instead.
                cards = (
                    session.exec(
                        select(CameraAlert).where(col(CameraAlert.id).in_(sorted(stale)))
                    ).all()
                    if stale
                    else []
                )
                for alert in cards:
                    self._refresh_card(session, alert, self._settings.camera(alert.camera))
                if digest:
                    self._refresh_digest(session, self._clock.now())
                session.commit()
        except Exception:
            log.exception("Redrawing %s camera alerts failed", len(stale))
        self._outbox.notify()

    async def _post_new(self, alert_id: int, alert: AlertInput) -> None:
        camera = self._settings.camera(alert.camera)
        if alert.image is not None or self.snapshot is None:
            await self._post(alert_id, camera, alert.image)
            self._outbox.notify()
            return
        fetching = asyncio.create_task(self._fetch_snapshot(alert.camera))
        done, _ = await asyncio.wait({fetching}, timeout=self._settings.alerts.post_within_seconds)
        if done:
            await self._post(alert_id, camera, fetching.result())
        else:
            # The camera is slow: the group sees the alert now, the picture when it comes.
            await self._post(alert_id, camera, None)
            swap = asyncio.create_task(self._swap_in(alert_id, camera, fetching))
            self._late.add(swap)
            swap.add_done_callback(self._late.discard)
        self._outbox.notify()

    async def _swap_in(
        self, alert_id: int, camera: Camera | None, fetching: asyncio.Task[bytes | None]
    ) -> None:
        image = await fetching
        group = self._settings.telegram.duty_group_id
        alert = self.get(alert_id)
        if image is None or alert is None or alert.card_outbox_id is None or group is None:
            return
        jpeg = await asyncio.to_thread(self._annotated, alert, camera, image)
        with Session(self._engine) as session:
            alert = session.get(CameraAlert, alert_id)
            assert alert is not None and alert.card_outbox_id is not None
            self._outbox.edit_photo_sent(
                group,
                alert.card_outbox_id,
                jpeg,
                alert_caption(self._tr, alert, camera),
                buttons=alert_buttons(self._tr, alert, camera),
                session=session,
                priority=OutboxPriority.URGENT,
            )
            session.commit()
        self._outbox.notify()

    async def _fetch_snapshot(self, number: str) -> bytes | None:
        if self.snapshot is None:
            return None
        try:
            return await asyncio.wait_for(
                self.snapshot(number), self._settings.alerts.snapshot_timeout_seconds
            )
        except TimeoutError:
            log.info("Snapshot of camera %s too slow; posting without it", number)
        except Exception as exc:
            log.info("Snapshot of camera %s failed: %s", number, exc)
        return None

    async def _post(self, alert_id: int, camera: Camera | None, image: bytes | None) -> None:
        tr = self._tr
        stored = self.get(alert_id)
        assert stored is not None
        # Pillow work runs off the event loop, so a storm of snapshots does not stall it.
        jpeg = await asyncio.to_thread(self._annotated, stored, camera, image)
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            assert alert is not None
            group = self._settings.telegram.duty_group_id
            if group is None:
                return
            alert.card_outbox_id = self._outbox.send_photo(
                group,
                jpeg,
                alert_caption(tr, alert, camera),
                buttons=alert_buttons(tr, alert, camera),
                thread_id=self._settings.telegram.topics.alerts,
                session=session,
                priority=OutboxPriority.URGENT,
            )
            session.add(alert)
            session.commit()

    def _annotated(self, alert: CameraAlert, camera: Camera | None, image: bytes | None) -> bytes:
        tr = self._tr
        label = Caption(
            camera=alert.camera,
            place=camera.place if camera else "",
            time=tr.datetime(alert.occurred_at),
            event=kind_label(tr, alert.kind),
        )
        try:
            return annotate(image, label) if image else placeholder(label)
        except OSError:
            log.info("Snapshot of camera %s is not a readable image", alert.camera)
            return placeholder(label)

    def _refresh_card(self, session: Session, alert: CameraAlert, camera: Camera | None) -> None:
        group = self._settings.telegram.duty_group_id
        if alert.digest:
            self._refresh_digest(session, self._clock.now())
        elif alert.card_outbox_id is not None and group is not None:
            self._outbox.edit_caption_sent(
                group,
                alert.card_outbox_id,
                alert_caption(self._tr, alert, camera),
                buttons=alert_buttons(self._tr, alert, camera),
                session=session,
                priority=OutboxPriority.URGENT,
            )

    def _refresh_digest(self, session: Session, now: dt.datetime) -> None:
        """Redraw the digest of every camera with an alert open: as few messages as fit."""
        group = self._settings.telegram.duty_group_id
        if group is None:
            return
        window = self._window
        # Plain rows, not ORM objects: in a storm this runs a few times a second over hundreds.
        members = session.connection().execute(
            sa_select(
                _ALERTS.c.camera, _ALERTS.c.kind, _ALERTS.c.count, _ALERTS.c.last_seen_at
            ).where(
                _ALERTS.c.last_seen_at >= now - window,
                ~_ALERTS.c.camera.startswith(DIGEST),
                _ALERTS.c.false_alarm_by == "",
            )
        )
        pages = digest_pages(
            self._tr, [OpenAlertLine(*row) for row in members], self._settings, now
        )
        for number, text in enumerate(pages, start=1):
            key = f"{DIGEST}{number}"
            digest = session.exec(
                select(CameraAlert).where(
                    CameraAlert.camera == key, col(CameraAlert.last_seen_at) >= now - window
                )
            ).first()
            if digest is None:
                digest = CameraAlert(
                    camera=key,
                    kind="digest",
                    source=AlertSource.ONVIF,
                    occurred_at=now,
                    received_at=now,
                    last_seen_at=now,
                    digest=True,
                )
                session.add(digest)
                session.flush()
                digest.card_outbox_id = self._outbox.send(
                    group,
                    text,
                    thread_id=self._settings.telegram.topics.alerts,
                    session=session,
                    first=True,
                    priority=OutboxPriority.URGENT,
                )
            else:
                digest.last_seen_at = now
                if digest.card_outbox_id is not None:
                    # The digest shows every camera: its edit goes before any card's.
                    self._outbox.edit_sent(
                        group,
                        digest.card_outbox_id,
                        text,
                        session=session,
                        first=True,
                        priority=OutboxPriority.URGENT,
                    )
            session.add(digest)

    def _log_fault(
        self,
        session: Session,
        alert_id: int,
        alert: AlertInput,
        camera: Camera | None,
        received_at: dt.datetime,
    ) -> None:
        tr = self._tr
        text = tr("Camera {camera} ({place}): {event}").format(
            camera=alert.camera,
            place=camera.place if camera else "—",
            event=kind_label(tr, alert.kind),
        )
        self._logbook.append(
            session,
            Author(None, "duty-desk"),
            received_at,
            {LogColumn.WORK: text},
            details={"incident_place": camera.place if camera else ""},
            source_key=f"alert:{alert_id}",
        )
        unit = self._settings.unit(camera.unit) if camera and camera.unit else None
        if unit is not None and unit.chat_id is not None:
            self._fault_notices.setdefault(unit.chat_id, []).append(text)

    def _send_fault_notices(self, session: Session) -> None:
        """A batch's faults to each unit: joined to its notice still waiting, or a new one.

        The first notice goes at once; while faults keep coming, the next waits
        FAULT_NOTICE_GAP and collects them.
        """
        notices, self._fault_notices = self._fault_notices, {}
        now = self._clock.now()
        for chat_id, faults in notices.items():
            last = self._unit_notices.get(chat_id)
            if last is not None and len(last.faults) + len(faults) <= FAULT_NOTICE_LINES:
                joined = [*last.faults, *faults]
                if self._outbox.rewrite_waiting(last.row_id, self._fault_text(joined), session):
                    last.faults = joined
                    continue
            at = now if last is None else max(now, last.at + FAULT_NOTICE_GAP)
            row_id = self._outbox.send(
                chat_id,
                self._fault_text(faults),
                session=session,
                not_before=at,
                priority=OutboxPriority.URGENT,
            )
            self._unit_notices[chat_id] = _UnitNotice(row_id, faults, at)

    def _fault_text(self, faults: list[str]) -> str:
        if len(faults) == 1:
            return "⚠️ " + escape(faults[0])
        tr = self._tr
        head = tr("{count} camera faults:").format(count=len(faults))
        return "\n".join(["⚠️ " + escape(head), *("• " + escape(t) for t in faults)])

    def mark_false(self, alert_id: int, author: Author, reason: str) -> CameraAlert | None:
        """Record who called an alert false and why; the card says so."""
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is None or alert.false_alarm_by:
                return alert
            alert.false_alarm_by, alert.false_alarm_reason = author.name, reason.strip()
            session.add(alert)
            # A repeat after this opens a new alert rather than counting on a false one.
            self._open.pop((alert.camera, alert.kind), None)
            camera = self._settings.camera(alert.camera)
            tr = self._tr
            self._logbook.append(
                session,
                author,
                self._clock.now(),
                {
                    LogColumn.NOTE: tr("False alarm on camera {camera} ({event}): {reason}").format(
                        camera=alert.camera, event=kind_label(tr, alert.kind), reason=reason
                    )
                },
                source_key=f"false:{alert.id}",
            )
            self._refresh_card(session, alert, camera)
            session.commit()
        self._outbox.notify()
        return alert

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


def alert_caption(tr: Translator, alert: CameraAlert, camera: Camera | None) -> str:
    """The alert's caption: camera, place, event, time, and the fold counter."""
    name = f" · {escape(camera.name)}" if camera else ""
    lines = [
        f"🚨 <b>CAM {escape(alert.camera)}</b>{name} — <b>"
        + escape(kind_label(tr, alert.kind))
        + "</b>"
    ]
    if camera and camera.place:
        lines.append("📍 " + escape(camera.place))
    lines.append("🕒 " + escape(tr.datetime(alert.occurred_at)))
    if alert.detail:
        lines.append(escape(alert.detail))
    if alert.refs:
        lines.append("🔖 " + escape(alert.refs))
    if alert.count > 1:
        lines.append(
            "🔁 "
            + escape(
                tr("{count} times, last at {time}").format(
                    count=alert.count, time=tr.time(alert.last_seen_at)
                )
            )
        )
    if alert.false_alarm_by:
        lines.append(
            "✖ "
            + escape(
                tr("False alarm ({name}): {reason}").format(
                    name=alert.false_alarm_by, reason=alert.false_alarm_reason
                )
            )
        )
    return "\n".join(lines)


def alert_buttons(tr: Translator, alert: CameraAlert, camera: Camera | None) -> Keyboard:
    """Open incident, neighbouring cameras, false alarm."""
    if alert.false_alarm_by:
        return []
    row = [Button("📝 " + tr("Open incident"), f"al:inc:{alert.id}")]
    if camera and camera.neighbours:
        row.append(Button("🎥 " + tr("Neighbouring cameras"), f"al:nb:{alert.id}"))
    return keyboard([row, [Button("✖ " + tr("False alarm"), f"al:fa:{alert.id}")]])
