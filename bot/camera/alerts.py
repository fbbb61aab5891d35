"""Camera alerts: stored first, posted with an annotated snapshot, folded when they repeat."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.camera.annotate import Caption, annotate, placeholder
from bot.clock import Clock
from bot.config import Camera, Settings
from bot.db.models import AlertSource, CameraAlert, CameraEventRecord, LogColumn
from bot.i18n import N_, Translator, translator
from bot.logbook.service import Author, Logbook
from bot.outbox import Button, Keyboard, Outbox, keyboard

log = logging.getLogger(__name__)

Snapshotter = Callable[[str], Awaitable[bytes | None]]

KIND_LABELS = {
    "motion": N_("Motion"),
    "tampering": N_("Tampering"),
    "scene_change": N_("Scene changed"),
    "defocus": N_("Image blurred"),
    "too_dark": N_("Image too dark"),
    "too_bright": N_("Image too bright"),
    "video_loss": N_("Video signal lost"),
    "hardware_failure": N_("Hardware failure"),
    "storage_failure": N_("Storage failure"),
    "camera_offline": N_("Camera offline"),
    "line_crossing": N_("Line crossed"),
    "intrusion": N_("Intrusion"),
    "risk": N_("Risk alert (analytics)"),
}
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
DIGEST_REFRESH = -1
_EVENTS = CameraEventRecord.__table__  # type: ignore[attr-defined]
# A digest message's text budget, under Telegram's 4,096 characters with room for markup.
DIGEST_CHARS = 3600


def kind_label(tr: Translator, kind: str) -> str:
    """An event kind in the reader's language (unknown kinds as sent)."""
    return tr(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


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


@dataclass(frozen=True)
class Received:
    """What became of an alert."""

    event_id: int | None
    duplicate: bool = False


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
        # Events wait here, already stored, for the one worker that folds them in order.
        self._queue: asyncio.Queue[tuple[int, AlertInput]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._posting: set[asyncio.Task[None]] = set()
        # Snapshots still on their way for alerts already posted; kept so none is collected.
        self._late: set[asyncio.Task[None]] = set()

    @property
    def _tr(self) -> Translator:
        return translator(self._settings.locale, self._settings.tz)

    async def receive(self, alert: AlertInput) -> Received:
        """Store the event first (the truth), then hand it to the folding worker."""
        event_id = self._record(alert)
        if event_id is None:
            return Received(None, duplicate=True)
        self._queue.put_nowait((event_id, alert))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="camera-alerts")
        return Received(event_id)

    def _record(self, alert: AlertInput) -> int | None:
        """One plain insert per event, so the intake answers fast; None for a retried event."""
        values = {
            "camera": alert.camera,
            "kind": alert.kind,
            "source": alert.source.value,
            "external_id": alert.external_id,
            "occurred_at": alert.occurred_at,
            "received_at": self._clock.now(),
            "detail": alert.detail,
            "refs": alert.refs,
        }
        with Session(self._engine) as session:
            try:
                result = session.connection().execute(_EVENTS.insert(), values)
            except IntegrityError:
                # The sender retried an event already received.
                session.rollback()
                return None
            session.commit()
        key = result.inserted_primary_key
        return int(key[0]) if key else None

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
        """Wait until every received event is folded or posted (tests, shutdown)."""
        await self._queue.join()
        while self._posting:
            await asyncio.gather(*list(self._posting), return_exceptions=True)

    async def stop(self) -> None:
        """Stop the worker; unprocessed events stay in the database for recover()."""
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
                created = []
            finally:
                for _ in batch:
                    self._queue.task_done()
            for alert_id, alert in created:
                task = asyncio.create_task(self._post_new(alert_id, alert))
                self._posting.add(task)
                task.add_done_callback(self._posting.discard)
            self._outbox.notify()

    def _fold_batch(self, batch: list[tuple[int, AlertInput]]) -> list[tuple[int, AlertInput]]:
        """Fold or open alerts for a batch of events, in one transaction."""
        created = []
        # Cards and the digest are redrawn once per batch, however many events touched them.
        stale: set[int] = set()
        with Session(self._engine, expire_on_commit=False) as session:
            for event_id, alert in batch:
                alert_id = self._fold_one(session, event_id, alert, stale)
                if alert_id is not None:
                    created.append((alert_id, alert))
            for alert_id in sorted(stale - {DIGEST_REFRESH}):
                folded = session.get(CameraAlert, alert_id)
                if folded is not None and folded.digest:
                    stale.add(DIGEST_REFRESH)
                elif folded is not None:
                    self._refresh_card(session, folded, self._settings.camera(folded.camera))
            if DIGEST_REFRESH in stale:
                self._refresh_digest(session, self._clock.now())
            session.commit()
        return created

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
            )
            session.commit()
        self._outbox.notify()

    def _fold_one(
        self, session: Session, event_id: int, alert: AlertInput, stale: set[int]
    ) -> int | None:
        """Fold an event into its open alert, or open one; the id of an alert to post."""
        camera = self._settings.camera(alert.camera)
        now = self._clock.now()
        window = dt.timedelta(seconds=self._settings.alerts.fold_window_seconds)
        event = session.get(CameraEventRecord, event_id)
        if event is None or event.alert_id is not None:
            return None
        open_alert = session.exec(
            select(CameraAlert)
            .where(
                CameraAlert.camera == alert.camera,
                CameraAlert.kind == alert.kind,
                col(CameraAlert.last_seen_at) >= now - window,
                CameraAlert.false_alarm_by == "",
            )
            .order_by(col(CameraAlert.id).desc())
        ).first()
        if open_alert is not None:
            open_alert.count += 1
            open_alert.last_seen_at = now
            event.alert_id = open_alert.id
            session.add_all([open_alert, event])
            assert open_alert.id is not None
            stale.add(open_alert.id)
            session.flush()
            return None
        row = CameraAlert(
            camera=alert.camera,
            kind=alert.kind,
            source=alert.source,
            occurred_at=alert.occurred_at,
            received_at=now,
            last_seen_at=now,
            detail=alert.detail,
            refs=alert.refs,
        )
        session.add(row)
        session.flush()
        event.alert_id = row.id
        session.add(event)
        if alert.kind in FAULT_KINDS:
            self._log_fault(session, row, camera)
        if self._storming(session, now):
            row.digest = True
            session.add(row)
            stale.add(DIGEST_REFRESH)
            session.flush()
            return None
        session.flush()
        return row.id

    def _storming(self, session: Session, now: dt.datetime) -> bool:
        recent = session.exec(
            select(func.count())
            .select_from(CameraAlert)
            .where(
                col(CameraAlert.received_at) >= now - dt.timedelta(minutes=1),
                col(CameraAlert.digest).is_(False),
            )
        ).one()
        # Counted by the one folding worker, the alert being stored included, and whether or
        # not its card has been queued yet, so a burst cannot slip past the threshold.
        return recent > self._settings.alerts.digest_after_per_minute

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
            )

    def _refresh_digest(self, session: Session, now: dt.datetime) -> None:
        """Redraw the digest: as many messages as it takes, each under Telegram's limit."""
        group = self._settings.telegram.duty_group_id
        if group is None:
            return
        window = dt.timedelta(seconds=self._settings.alerts.fold_window_seconds)
        members = session.exec(
            select(CameraAlert)
            .where(
                col(CameraAlert.digest).is_(True),
                col(CameraAlert.last_seen_at) >= now - window,
                ~col(CameraAlert.camera).startswith(DIGEST),
            )
            .order_by(col(CameraAlert.camera))
        ).all()
        pages = digest_pages(self._tr, list(members), self._settings)
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
                    group, text, thread_id=self._settings.telegram.topics.alerts, session=session
                )
            else:
                digest.last_seen_at = now
                if digest.card_outbox_id is not None:
                    self._outbox.edit_sent(group, digest.card_outbox_id, text, session=session)
            session.add(digest)

    def _log_fault(self, session: Session, alert: CameraAlert, camera: Camera | None) -> None:
        tr = self._tr
        text = tr("Camera {camera} ({place}): {event}").format(
            camera=alert.camera,
            place=camera.place if camera else "—",
            event=kind_label(tr, alert.kind),
        )
        self._logbook.append(
            session,
            Author(None, "duty-desk"),
            alert.received_at,
            {LogColumn.WORK: text},
            details={"incident_place": camera.place if camera else ""},
            source_key=f"alert:{alert.id}",
        )
        unit = self._settings.unit(camera.unit) if camera and camera.unit else None
        if unit is not None and unit.chat_id is not None:
            self._outbox.send(unit.chat_id, "⚠️ " + escape(text), session=session)

    def mark_false(self, alert_id: int, author: Author, reason: str) -> CameraAlert | None:
        """Record who called an alert false and why; the card says so."""
        with Session(self._engine, expire_on_commit=False) as session:
            alert = session.get(CameraAlert, alert_id)
            if alert is None or alert.false_alarm_by:
                return alert
            alert.false_alarm_by, alert.false_alarm_reason = author.name, reason.strip()
            session.add(alert)
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


def digest_pages(tr: Translator, members: list[CameraAlert], settings: Settings) -> list[str]:
    """Many cameras at once: one line each, split into messages under Telegram's limit."""
    lines = []
    for alert in members:
        camera = settings.camera(alert.camera)
        place = f" · {escape(camera.place)}" if camera and camera.place else ""
        lines.append(
            f"• CAM {escape(alert.camera)}{place} — {escape(kind_label(tr, alert.kind))}"
            f" ×{alert.count} ({escape(tr.time(alert.last_seen_at))})"
        )
    chunks: list[list[str]] = [[]]
    for line in lines:
        if sum(len(item) + 1 for item in chunks[-1]) + len(line) > DIGEST_CHARS:
            chunks.append([])
        chunks[-1].append(line)
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        title = tr("Alerts from {count} cameras").format(count=len(members))
        if len(chunks) > 1:
            title += f" ({number}/{len(chunks)})"
        pages.append("\n".join(["🚨 <b>" + escape(title) + "</b>", *chunk]))
    return pages
