"""The duty group's view of the alerts: cards posted with a snapshot, redrawn as they fold.

A new alert's card goes out within `alerts.post_within_seconds`, with the camera's snapshot if
it came in time, else without it and the picture swapped in when it comes. Repeats and the storm
digest are redrawn at most every REDRAW_GAP_SECONDS: Telegram takes an edit of a message about
once a second, so drawing one per batch of events would be work thrown away.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session

from bot.camera.alert_input import AlertInput
from bot.camera.alert_reminders import start_reminders
from bot.camera.alert_store import AlertStore, digest_key
from bot.camera.annotate import alert_image
from bot.camera.card import alert_buttons, alert_caption
from bot.camera.digest import digest_pages
from bot.camera.folding import OpenAlert
from bot.config import Camera
from bot.db.models import AlertSource, CameraAlert, OutboxPriority
from bot.service import DeskService, ServiceContext

log = logging.getLogger(__name__)

Snapshotter = Callable[[str], Awaitable[bytes | None]]

# Cards and the digest are redrawn at most this often: the sender edits a group's messages
# once a second at most (pacing.py spreads edits over the minute), so drawing more often is
# work thrown away, ten desks' worth of it in a deployment of ten; an event waits at most this
# long to be drawn.
REDRAW_GAP_SECONDS = 1.0


@dataclass
class BoardChanges:
    """What a batch did to the digest, applied by the board in the loop once it committed."""

    digest_opened: bool = False
    digest_folded: bool = False


class AlertBoard(DeskService):
    """Posts the alerts' cards and keeps them and the storm digest current."""

    def __init__(
        self, ctx: ServiceContext, store: AlertStore, snapshot: Snapshotter | None
    ) -> None:
        super().__init__(ctx)
        self._store = store
        self._snapshot = snapshot
        self._posting: set[asyncio.Task[None]] = set()
        # Snapshots still on their way for alerts already posted; kept so none is collected.
        self._late: set[asyncio.Task[None]] = set()
        # Cards and the digest to redraw, at most every REDRAW_GAP_SECONDS.
        self._stale: set[int] = set()
        self._digest_stale = False
        self._digest_active_until: dt.datetime | None = None
        self._redraw_handle: asyncio.TimerHandle | None = None
        self._last_redraw = 0.0

    @property
    def _window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self._settings.alerts.fold_window_seconds)

    # --- what changed ------------------------------------------------------------------------

    def apply(
        self, changes: BoardChanges, bumped: Mapping[int, OpenAlert], now: dt.datetime
    ) -> None:
        """Take in what a committed batch changed: the digest and the cards to redraw."""
        if changes.digest_opened:
            self.digest_opened(now)
        elif changes.digest_folded:
            self.digest_folded(now)
        self.mark_stale(bumped, now)

    def digest_opened(self, now: dt.datetime) -> None:
        """An alert opened as a line of the digest: the digest is redrawn."""
        self.digest_folded(now)
        self._digest_stale = True

    def digest_folded(self, now: dt.datetime) -> None:
        """A digest line counted a repeat: the digest stays up for another window."""
        self._digest_active_until = now + self._window

    def mark_stale(self, bumped: Mapping[int, OpenAlert], now: dt.datetime) -> None:
        """Redraw (soon) the cards and digest whose alerts counted repeats."""
        # A card just opened is drawn when it is posted; only repeats need a redraw. A digest
        # line has no card: the digest is redrawn instead.
        self._stale.update(alert_id for alert_id, known in bumped.items() if not known.digest)
        if any(known.digest for known in bumped.values()):
            self._digest_stale = True
        elif self._digest_active_until is not None and now < self._digest_active_until:
            # While a storm's digest is up it lists every camera, carded ones too.
            self._digest_stale = self._digest_stale or bool(bumped)

    def post(self, created: list[tuple[int, AlertInput]]) -> None:
        """Post the cards of alerts just opened; redraw what changed, soon."""
        for alert_id, alert in created:
            task = asyncio.create_task(self._post_new(alert_id, alert))
            self._posting.add(task)
            task.add_done_callback(self._posting.discard)
        self._schedule_redraw()

    async def settle(self) -> None:
        """Redraw now and wait for the cards still being posted."""
        self.redraw()
        while self._posting:
            await asyncio.gather(*list(self._posting), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the redraw and the posts under way."""
        if self._redraw_handle is not None:
            self._redraw_handle.cancel()
            self._redraw_handle = None
        tasks = [*self._posting, *self._late]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- redrawing ---------------------------------------------------------------------------

    def _schedule_redraw(self) -> None:
        if self._redraw_handle is not None or not (self._stale or self._digest_stale):
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self._last_redraw + REDRAW_GAP_SECONDS - loop.time())
        self._redraw_handle = loop.call_later(wait, self.redraw)

    def redraw(self) -> None:
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
                cards = self._store.cards(session, stale) if stale else []
                for alert in cards:
                    self.refresh_card(session, alert, self._settings.camera(alert.camera))
                if digest:
                    self._refresh_digest(session, self._clock.now())
                session.commit()
        except Exception:
            log.exception("Redrawing %s camera alerts failed", len(stale))
        self._outbox.notify()

    def refresh_card(self, session: Session, alert: CameraAlert, camera: Camera | None) -> None:
        """Queue the edit of an alert's card (or of the digest that lists it)."""
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
        since = now - self._window
        members = self._store.digest_members(session, since)
        pages = digest_pages(self._tr, members, self._settings, now)
        for number, text in enumerate(pages, start=1):
            digest = self._store.digest_page(session, number, since)
            if digest is None:
                digest = CameraAlert(
                    camera=digest_key(number),
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

    # --- posting -----------------------------------------------------------------------------

    async def _post_new(self, alert_id: int, alert: AlertInput) -> None:
        camera = self._settings.camera(alert.camera)
        if alert.image is not None or self._snapshot is None:
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
        alert = self._store.get(alert_id)
        if image is None or alert is None or alert.card_outbox_id is None or group is None:
            return
        jpeg = await asyncio.to_thread(alert_image, self._tr, alert, camera, image)
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
        if self._snapshot is None:
            return None
        try:
            return await asyncio.wait_for(
                self._snapshot(number), self._settings.alerts.snapshot_timeout_seconds
            )
        except TimeoutError:
            log.info("Snapshot of camera %s too slow; posting without it", number)
        except Exception as exc:
            log.info("Snapshot of camera %s failed: %s", number, exc)
        return None

    async def _post(self, alert_id: int, camera: Camera | None, image: bytes | None) -> None:
        tr = self._tr
        stored = self._store.get(alert_id)
        assert stored is not None
        # Pillow work runs off the event loop, so a storm of snapshots does not stall it.
        jpeg = await asyncio.to_thread(alert_image, tr, stored, camera, image)
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
            start_reminders(session, self._settings, alert_id, self._clock.now())
            session.commit()
