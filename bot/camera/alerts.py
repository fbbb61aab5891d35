"""Camera alerts: stored first, folded when they repeat, posted by the board.

Who does what: `folding` holds the rules (fold window, storm threshold, faults), `alert_store`
the rows, `board` the cards and the digest in the duty group, `fault_notices` the logbook lines
and the units' notices, `turns` the gathering of one loop turn's requests. This module keeps the
open alerts in memory and runs each batch through them in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.camera.alert_input import REPLAYED, AlertInput, Received, received
from bot.camera.alert_store import AlertStore, event_row
from bot.camera.board import AlertBoard, BoardChanges, Snapshotter
from bot.camera.card import alert_caption, silence_buttons
from bot.camera.digest import kind_label
from bot.camera.fault_notices import FaultNotices
from bot.camera.folding import (
    STORM_SPAN,
    FoldOutcome,
    OpenAlert,
    fold_target,
    is_fault,
    storming,
)
from bot.camera.silences import Preset, record_silence
from bot.camera.turns import SameTurn
from bot.db.models import CameraAlert, LogColumn, OutboxPriority
from bot.db.off_loop import waits_for_a_server
from bot.logbook.service import Author
from bot.service import DeskService, ServiceContext
from bot.shifts import Right

log = logging.getLogger(__name__)

# Events folded in one transaction when they arrive faster than one at a time.
FOLD_BATCH = 50
# Senders' event ids remembered, so a retry is answered without a failed insert.
EXTERNAL_IDS_KEPT = 20_000

# Alerts just opened that get a card of their own, with the input that opened each.
Created = list[tuple[int, AlertInput]]


@dataclass
class Folded:
    """What a batch's transaction did, acted on in the loop once it committed."""

    now: dt.datetime | None = None
    created: Created = field(default_factory=list)
    # The alerts repeats folded into, and how many repeats each got in this batch.
    bumped: dict[int, OpenAlert] = field(default_factory=dict)
    counted: Counter[int] = field(default_factory=Counter)
    board: BoardChanges = field(default_factory=BoardChanges)
    external_ids: set[str] = field(default_factory=set)
    # Events stored one by one after a retry broke the batch, for the worker to fold.
    unfolded: list[tuple[int, AlertInput]] = field(default_factory=list)


class Alerts(DeskService):
    """Records alerts and keeps the duty group's view of them readable."""

    def __init__(self, ctx: ServiceContext, snapshot: Snapshotter | None = None) -> None:
        super().__init__(ctx)
        self._store = AlertStore(ctx.engine, ctx.settings.intake.replay_window_seconds)
        self._faults = FaultNotices(ctx)
        self._board = AlertBoard(ctx, self._store, snapshot)
        # Events that arrived in the same turn of the loop, stored together in one insert.
        # On PostgreSQL several processes may fold one desk's alerts, and the transactions
        # run in a thread (see turns.py).
        self._shared = waits_for_a_server(ctx.engine)
        self._turn: SameTurn[AlertInput, Received] = SameTurn(
            self._store_turn, self._after_turn, off_loop=self._shared
        )
        # What the last batch did, for the loop to act on once it committed.
        self._turn_done = Folded()
        # Events wait here, already stored, for the one worker that folds them in order.
        self._queue: asyncio.Queue[tuple[int, AlertInput]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        # The open alert of each camera and kind. Only the folding worker changes counts, so
        # what it remembers is what the database holds; a miss asks the database.
        self._open: dict[tuple[str, str], OpenAlert] = {}
        # When the alerts of the last minute that got a card of their own were opened.
        self._carded: deque[dt.datetime] = deque()
        self._loaded = False
        self._external_ids: OrderedDict[str, None] = OrderedDict()
        # Told what became of each event, for the operator's metrics (set by the wiring).
        self.on_received: Callable[[AlertInput, Received], None] | None = None
        self.on_folded: Callable[[FoldOutcome], None] | None = None
        # Where this transaction's events went, told once it commits (a rollback forgets them).
        self._outcomes: list[FoldOutcome] = []

    def relearn(self) -> None:
        """Read the open alerts again at the next fold: another process made some.

        A camera whose stream moved here (its last watcher died) has open alerts this process
        never saw; a repeat must fold into them, not open a second card.
        """
        self._loaded = False

    def _forget(self) -> None:
        # A transaction that failed took its changes with it: what this remembers must go too.
        self._loaded = False
        self._faults.forget()
        self._outcomes.clear()

    @property
    def _window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self._settings.alerts.fold_window_seconds)

    # --- receiving ---------------------------------------------------------------------------

    async def receive(self, alert: AlertInput) -> Received:
        """Store the event, folded into its alert, in one transaction with its neighbours."""
        result = await self._turn.submit(alert)
        if self.on_received is not None:
            self.on_received(alert, result)
        return result

    def _store_turn(self, alerts: list[AlertInput]) -> list[Received]:
        """Store a batch (in a thread on PostgreSQL): nothing here may touch the loop."""
        try:
            results, self._turn_done = self._store_folded(alerts)
        except IntegrityError:
            # A retry this process has not seen (sent before a restart): find it the slow
            # way; the worker folds the others.
            self._forget()
            results = self._store.record_many(alerts, self._clock.now())
            self._turn_done = Folded(
                unfolded=[
                    (result.event_id, alert)
                    for alert, result in zip(alerts, results, strict=True)
                    if result.event_id is not None
                ]
            )
        except Exception:
            self._forget()
            raise
        return results

    def _after_turn(self) -> None:
        done, self._turn_done = self._turn_done, Folded()
        if done.unfolded:
            for event in done.unfolded:
                self._queue.put_nowait(event)
            self._start_worker()
        self._settle_fold(done)

    def _store_folded(self, alerts: list[AlertInput]) -> tuple[list[Received], Folded]:
        """Store events already folded, in one transaction; retries known here are skipped."""
        now = self._clock.now()
        done = Folded(now=now)
        rows: list[dict[str, object]] = []
        fresh: list[int] = []
        with Session(self._engine, expire_on_commit=False) as session:
            replayed = self._store.claim_signatures(session.connection(), alerts, now)
            for index, alert in enumerate(alerts):
                if index in replayed:
                    continue
                if alert.external_id is not None:
                    if (
                        alert.external_id in self._external_ids
                        or alert.external_id in done.external_ids
                    ):
                        continue
                    done.external_ids.add(alert.external_id)
                fresh.append(index)
            self._learn_others(session, [alerts[index] for index in fresh], now)
            for index in fresh:
                alert = alerts[index]
                alert_id = self._target(session, alert, now, done)
                rows.append({**event_row(alert, now, self._store.desk), "alert_id": alert_id})
            ids: list[int | None] = [None] * len(alerts)
            if rows:
                event_ids = self._store.insert_events(session.connection(), rows)
                for index, event_id in zip(fresh, event_ids, strict=True):
                    ids[index] = event_id
                self._store.write_counts(session, done.bumped, done.counted)
            self._faults.send(session, self._clock.now())
            session.commit()
        results = [
            REPLAYED if index in replayed else received(event_id)
            for index, event_id in enumerate(ids)
        ]
        return results, done

    def _learn_others(self, session: Session, alerts: list[AlertInput], now: dt.datetime) -> None:
        """Before opening alerts on PostgreSQL, learn those other processes opened meanwhile.

        Under the desk's folding lock, held to the commit: of two processes given the same
        camera's repeats, the second finds the first one's alert and folds into it, and the
        storm threshold counts the cards every process opened.
        """
        if not self._shared:
            return
        if not self._loaded:
            self._load_open(session, now)
        missing = {
            alert.camera
            for alert in alerts
            if fold_target(self._open, alert.camera, alert.kind, now, self._window) is None
        }
        if not missing:
            return
        self._store.lock_folding(session)
        self._open.update(
            _by_camera_and_kind(self._store.open_alerts_of(session, missing, now - self._window))
        )
        self._carded = deque(self._store.carded_since(session, now - STORM_SPAN))

    def _settle_fold(self, done: Folded) -> None:
        """In the loop, after a batch committed: tell, remember, redraw and post."""
        self._tell_folds()
        self._remember_external(done.external_ids)
        if done.now is not None:
            self._board.apply(done.board, done.bumped, done.now)
        self._after_fold(done.created)

    def _remember_external(self, ids: set[str]) -> None:
        # The senders' ids of the last events, to answer a retry without a failed insert.
        for external_id in ids:
            self._external_ids[external_id] = None
        while len(self._external_ids) > EXTERNAL_IDS_KEPT:
            self._external_ids.popitem(last=False)

    def recover(
        self, cameras: Collection[str] | None = None, except_cameras: Collection[str] = ()
    ) -> int:
        """Queue events stored but not yet folded or posted (the bot stopped in between).

        Only those of `cameras` if given, never those of `except_cameras`.
        """
        pending = self._store.unfolded(cameras, except_cameras)
        for event in pending:
            self._queue.put_nowait(event)
        if pending:
            self._start_worker()
        return len(pending)

    async def settle(self) -> None:
        """Wait until every received event is folded, drawn and posted (tests, shutdown)."""
        await asyncio.sleep(0)
        await self._queue.join()
        await self._board.settle()

    async def stop(self) -> None:
        """Stop the worker; unprocessed events stay in the database for recover()."""
        # A batch already in its thread commits whatever happens: its board work and the
        # answers to its requests come before the board stops, not after.
        await self._turn.finish()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        await self._board.stop()

    # --- folding -----------------------------------------------------------------------------

    def _start_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="camera-alerts")

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < FOLD_BATCH:
                batch.append(self._queue.get_nowait())
            # In the loop, not a thread: this is the rare path (a restart's backlog, a retry),
            # and the lock keeps it from folding beside the intake's batch in its thread.
            async with self._turn.lock:
                try:
                    done = self._fold_batch(batch)
                except Exception:
                    # The events are stored; a failed batch is taken up again at the next start.
                    log.exception("Folding %s camera events failed", len(batch))
                    self._forget()
                    done = Folded()
                finally:
                    for _ in batch:
                        self._queue.task_done()
            self._settle_fold(done)
            # Let the intake answer between batches.
            await asyncio.sleep(0)

    def _fold_batch(self, batch: list[tuple[int, AlertInput]]) -> Folded:
        """Fold or open alerts for events stored earlier, in one transaction."""
        now = self._clock.now()
        done = Folded(now=now)
        with Session(self._engine, expire_on_commit=False) as session:
            self._learn_others(session, [alert for _, alert in batch], now)
            links = [
                {"event": event_id, "alert": self._target(session, alert, now, done)}
                for event_id, alert in batch
            ]
            self._store.link_events(session, links)
            self._store.write_counts(session, done.bumped, done.counted)
            self._faults.send(session, self._clock.now())
            session.commit()
        return done

    def _target(self, session: Session, alert: AlertInput, now: dt.datetime, done: Folded) -> int:
        """The alert an event belongs to: its open one, counted up, or a new one."""
        if not self._loaded:
            self._load_open(session, now)
        known = fold_target(self._open, alert.camera, alert.kind, now, self._window)
        if known is not None:
            known.count += 1
            known.last_seen_at = now
            done.bumped[known.id] = known
            done.counted[known.id] += 1
            if known.digest:
                done.board.digest_folded = True
            self._folded(FoldOutcome.FOLDED)
            return known.id
        alert_id, carded = self._open_new(session, alert, now, done.board)
        if carded:
            done.created.append((alert_id, alert))
        self._folded(FoldOutcome.CARD if carded else FoldOutcome.DIGEST)
        return alert_id

    def _folded(self, outcome: FoldOutcome) -> None:
        if self.on_folded is not None:
            self._outcomes.append(outcome)

    def _tell_folds(self) -> None:
        """Tell where the events of the transaction just committed went."""
        outcomes, self._outcomes = self._outcomes, []
        if self.on_folded is not None:
            for outcome in outcomes:
                self.on_folded(outcome)

    def _after_fold(self, created: Created) -> None:
        """Post the new cards, redraw what changed (soon), wake the sender for notices."""
        self._board.post(created)
        if self._faults.take_queued():
            # Fault notices for the units; cards and redraws wake the sender themselves.
            self._outbox.notify()

    def _load_open(self, session: Session, now: dt.datetime) -> None:
        """Learn the open alerts once; from then on this worker is the only one changing them."""
        rows = self._store.open_alerts(session, now - self._window)
        self._open = _by_camera_and_kind(rows)
        self._carded = deque(
            sorted(
                row.received_at
                for row in rows
                if not row.digest and row.received_at >= now - STORM_SPAN
            )
        )
        self._loaded = True

    def _open_new(
        self, session: Session, alert: AlertInput, now: dt.datetime, board: BoardChanges
    ) -> tuple[int, bool]:
        """Open an alert for an event: its id, and whether it gets a card of its own."""
        camera = self._settings.camera(alert.camera)
        # Counted by the one folding worker, whether or not the cards have been queued yet,
        # so a burst cannot slip past the threshold.
        while self._carded and self._carded[0] < now - STORM_SPAN:
            self._carded.popleft()
        digest = storming(self._carded, now, self._settings.alerts.digest_after_per_minute)
        alert_id = self._store.insert_alert(session, alert, now, digest)
        self._open[(alert.camera, alert.kind)] = OpenAlert(alert_id, 1, now, digest)
        if is_fault(alert.kind):
            self._faults.log(session, alert_id, alert, camera, now)
        if digest:
            board.digest_opened = True
            return alert_id, False
        self._carded.append(now)
        return alert_id, True

    # --- officers' actions -------------------------------------------------------------------

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
            self._board.refresh_card(session, alert, camera)
            session.commit()
        self._outbox.notify()
        return alert

    def mark_seen(self, alert_id: int, author: Author) -> CameraAlert | None:
        """Record who has the alert in hand (one press, logged); the card says so.

        Only the people on the shift running now may; a second press changes nothing.
        """
        if not self._on_shift(author):
            return None
        now = self._clock.now()
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is None or alert.seen_by or alert.false_alarm_by or alert.digest:
                return alert
            alert.seen_by, alert.seen_at = author.name, now
            session.add(alert)
            tr = self._tr
            self._logbook.append(
                session,
                author,
                now,
                {
                    LogColumn.NOTE: tr("Alert seen on camera {camera} ({event})").format(
                        camera=alert.camera, event=kind_label(tr, alert.kind)
                    )
                },
                source_key=f"seen:{alert.id}",
            )
            self._board.refresh_card(session, alert, self._settings.camera(alert.camera))
            session.commit()
        self._outbox.notify()
        return alert

    def offer_silence(self, alert_id: int, author: Author) -> CameraAlert | None:
        """Turn the card's buttons into the periods its camera can be paused for."""
        if not self._on_shift(author):
            return None
        alert = self._store.get(alert_id)
        group = self._settings.telegram.duty_group_id
        if alert is None or alert.card_outbox_id is None or group is None:
            return alert
        self._outbox.edit_caption_sent(
            group,
            alert.card_outbox_id,
            alert_caption(self._tr, alert, self._settings.camera(alert.camera)),
            buttons=silence_buttons(self._tr, alert),
            priority=OutboxPriority.URGENT,
        )
        return alert

    def silence(self, alert_id: int, author: Author, preset: Preset) -> CameraAlert | None:
        """Pause the alerts of the alert's camera for the preset's period (logged, summed up
        when it ends); only the people on the shift running now may."""
        if not self._on_shift(author):
            return None
        now = self._clock.now()
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is None or alert.digest:
                return alert
            if not alert.silence_note:
                record_silence(self._ctx, session, alert, author, preset, now)
            self._board.refresh_card(session, alert, self._settings.camera(alert.camera))
            session.commit()
        self._outbox.notify()
        return alert

    def _on_shift(self, author: Author) -> bool:
        return author.user_id is not None and Right.WRITE_LOGBOOK in self._roster.rights(
            author.user_id, self._clock.now()
        )

    def refresh_card(self, alert_id: int) -> None:
        """Redraw an alert's card from what the database holds of it now."""
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is None:
                return
            self._board.refresh_card(session, alert, self._settings.camera(alert.camera))
            session.commit()
        self._outbox.notify()

    def get(self, alert_id: int) -> CameraAlert | None:
        """Return an alert by id."""
        return self._store.get(alert_id)

    def link_incident(self, alert_id: int, incident_id: int) -> None:
        """Remember which incident an alert was opened as."""
        self._store.link_incident(alert_id, incident_id)


def _by_camera_and_kind(rows: Iterable[CameraAlert]) -> dict[tuple[str, str], OpenAlert]:
    """What the folding keeps of open alerts read from the database."""
    return {
        (row.camera, row.kind): OpenAlert(row.id, row.count, row.last_seen_at, row.digest)
        for row in rows
        if row.id is not None
    }
