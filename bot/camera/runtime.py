"""The cameras at run time: event streams, snapshots and the health round (888 Art. 14.1.1)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable, Collection
from functools import partial
from html import escape
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from bot.camera.alert_input import AlertInput
from bot.camera.alerts import Alerts
from bot.camera.annotate import Caption, annotate
from bot.camera.events import RawEvent, is_alarm, parse_event
from bot.camera.onvif_device.values import (
    CameraAddress,
    EventsCallback,
    EventsFault,
    HealthReason,
    StreamState,
)
from bot.camera.subscriptions import SubscriptionRecords
from bot.clock import sleep_on
from bot.config import Camera
from bot.db.models import (
    AlertSource,
    CameraState,
    CameraStatus,
    CameraTransition,
    LogColumn,
    OutboxPriority,
)
from bot.i18n import N_
from bot.service import DeskService, ServiceContext, system_author

if TYPE_CHECKING:
    # The ONVIF library is imported by the first camera watched, probed or asked for a
    # picture (onvif_device/values.py says why): a desk without ONVIF access never loads it.
    from bot.camera.onvif_device.device import OnvifDevice
    from bot.camera.onvif_device.stream import EventCallback, EventStream

log = logging.getLogger(__name__)

REASON_LABELS = {
    HealthReason.UNREACHABLE: N_("no answer"),
    HealthReason.TIMEOUT: N_("no answer in time"),
    HealthReason.AUTH: N_("credentials refused"),
    HealthReason.SLOW: N_("answers slowly"),
    HealthReason.SNAPSHOT: N_("no picture"),
    HealthReason.PROTOCOL: N_("unexpected answer"),
}
SLOW_ROUNDS_BEFORE_DEGRADED = 2
STATE_LABELS = {
    CameraState.UP: N_("working again"),
    CameraState.DEGRADED: N_("unstable"),
    CameraState.DOWN: N_("down"),
}
EVENTS_FAULT_LABELS = {
    EventsFault.REFUSED: N_(
        "the camera refuses to subscribe the desk to its events (its subscription places "
        "are all taken, e.g. by the NVR)"
    ),
    EventsFault.FAILING: N_("its event service keeps failing"),
}


def events_fault(status: CameraStatus) -> EventsFault | None:
    """Why a camera's events do not reach the desk, as its status row last recorded."""
    try:
        return EventsFault(status.events_fault) if status.events_fault else None
    except ValueError:
        return EventsFault.FAILING  # written by a newer version: failing all the same


def address_of(camera: Camera) -> CameraAddress | None:
    """The ONVIF address of a camera, if it has one."""
    if camera.onvif is None:
        return None
    return CameraAddress(
        camera.onvif.host, camera.onvif.port, camera.onvif.username, camera.onvif.password_value()
    )


class Cameras(DeskService):
    """Owns one connection and one event stream per ONVIF camera."""

    def __init__(
        self,
        ctx: ServiceContext,
        held_by_notice: Callable[[dt.datetime], Collection[str]] = lambda _now: (),
    ) -> None:
        """`held_by_notice(now)` names the cameras an EPZ outage notice has marked down."""
        super().__init__(ctx)
        self._held_by_notice = held_by_notice
        self.alerts = Alerts(ctx, self.snapshot)
        self._devices: dict[str, OnvifDevice] = {}
        self._streams: dict[str, EventStream] = {}
        self._round_lock = asyncio.Lock()
        self._slow_rounds: dict[str, int] = {}
        self._subscriptions = SubscriptionRecords(ctx.engine, ctx.clock)

    async def start(self) -> None:
        """Take up stored events not yet shown, then watch every camera (one process alone)."""
        self.take_up_events(except_cameras=())
        for number in self.streamable():
            await self.watch(number, take_up=False)

    def streamable(self) -> list[str]:
        """The cameras with an ONVIF address: those whose events a process must watch."""
        return [camera.number for camera in self._settings.cameras if address_of(camera)]

    def take_up_events(self, except_cameras: Collection[str]) -> int:
        """Queue stored events not yet folded or posted (the bot stopped in between).

        The events of the cameras named are left to whichever process watches them.
        """
        recovered = self.alerts.recover(except_cameras=except_cameras)
        if recovered:
            log.info("Taking up %s camera events received before the restart", recovered)
        return recovered

    async def watch(self, number: str, *, take_up: bool = True) -> None:
        """Subscribe to a camera's events (this process now holds its stream)."""
        camera = self._settings.camera(number)
        address = address_of(camera) if camera else None
        if camera is None or address is None or number in self._streams:
            return
        if take_up:
            # Its last watcher's open alerts, and the events it stored but did not fold.
            self.alerts.relearn()
            self.alerts.recover(cameras=(number,))
        from bot.camera.onvif_device.stream import EventStream

        stream = EventStream(
            self._device(number, address),
            self._on_event_for(number),
            notify_url=self.notify_url(number),
            memory=self._subscriptions.memory(number),
            on_events=self._on_events_for(camera),
            sleep=partial(sleep_on, self._clock),
        )
        self._streams[number] = stream
        await stream.start()

    async def unwatch(self, number: str) -> None:
        """Unsubscribe from a camera's events (another process takes its stream)."""
        stream = self._streams.pop(number, None)
        if stream is not None:
            await stream.stop()

    async def settled(self, timeout: float) -> None:  # noqa: ASYNC109 (a wait, not a call)
        """Wait until no event stream is still making its first connection (or the timeout)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        # Polled: a stream's state changes inside its own task, with nothing to wait on.
        while loop.time() < until and any(  # noqa: ASYNC110
            stream.state == StreamState.CONNECTING for stream in self._streams.values()
        ):
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Unsubscribe and close every connection."""
        await self.alerts.stop()
        await asyncio.gather(
            *(stream.stop() for stream in self._streams.values()), return_exceptions=True
        )
        self._streams.clear()
        await asyncio.gather(
            *(device.close() for device in self._devices.values()), return_exceptions=True
        )
        self._devices.clear()

    def stream(self, number: str) -> EventStream | None:
        """The event stream of a camera (for its mode and state)."""
        return self._streams.get(number)

    def notify_token(self, number: str) -> str:
        """The secret path part a camera posts its Notify to (cameras cannot sign requests)."""
        secret = self._settings.intake.secret
        key = secret.get_secret_value() if secret else ""
        return hmac.new(key.encode(), f"notify:{number}".encode(), hashlib.sha256).hexdigest()[:32]

    def notify_url(self, number: str) -> str | None:
        """Where a camera should push its events, when the intake is reachable by cameras."""
        base = self._settings.intake.camera_notify_base_url
        if not (base and self._settings.intake.enabled):
            return None
        return f"{base.rstrip('/')}/onvif/notify/{number}/{self.notify_token(number)}"

    async def on_notify(self, number: str, token: str, body: bytes) -> int | None:
        """Pass a camera's Notify POST to its stream; None if the path is not genuine."""
        stream = self._streams.get(number)
        if stream is None or not hmac.compare_digest(token, self.notify_token(number)):
            return None
        return await stream.handle_notify(body)

    def _on_event_for(self, number: str) -> EventCallback:
        async def on_event(raw: RawEvent) -> None:
            event = parse_event(raw)
            if event is None or not is_alarm(event):
                return
            await self.alerts.receive(
                AlertInput(
                    camera=number,
                    kind=event.kind.value,
                    occurred_at=event.at,
                    source=AlertSource.ONVIF,
                    detail=event.detail,
                )
            )

        return on_event

    def _on_events_for(self, camera: Camera) -> EventsCallback:
        def on_events(fault: EventsFault | None) -> None:
            self._record_events(camera, fault)

        return on_events

    def _record_events(self, camera: Camera, fault: EventsFault | None) -> None:
        """Store whether a camera's events reach the desk; tell a change like any camera fault.

        The stream reports what it sees; the row says what the desk was last told, so a fault
        outlives a restart and its end is told even when it ends in the next run.
        """
        now = self._clock.now()
        with Session(self._engine) as session:
            row = session.get(CameraStatus, camera.number)
            before = row.events_fault if row else ""
            after = fault.value if fault else ""
            if before == after:
                return
            if row is None:
                row = CameraStatus(
                    camera=camera.number, state=CameraState.UNKNOWN, since=now, checked_at=now
                )
            row.events_fault = after
            session.add(row)
            # A change of kind while failing is recorded, not told again.
            if bool(before) != bool(after) and camera.number not in self._held_by_notice(now):
                self._announce_events(session, camera, fault, now)
            session.commit()
        self._outbox.notify()

    def _announce_events(
        self, session: Session, camera: Camera, fault: EventsFault | None, now: dt.datetime
    ) -> None:
        tr = self._tr
        place = camera.place or camera.name
        if fault is None:
            text = tr("Camera {number} ({place}) is sending its events to the desk again.").format(
                number=camera.number, place=place
            )
            self._notice(session, camera, "🟢", text, now)
            return
        text = tr(
            "Camera {number} ({place}) is not sending its events to the desk: {reason}. "
            "Its alarms will not reach the group until this is fixed; the desk keeps trying."
        ).format(number=camera.number, place=place, reason=tr(EVENTS_FAULT_LABELS[fault]))
        self._notice(session, camera, "🟡", text, now)

    async def snapshot(self, number: str) -> bytes | None:
        """A fresh JPEG from a camera, or None when it has no ONVIF access or fails."""
        camera = self._settings.camera(number)
        address = address_of(camera) if camera else None
        if address is None:
            return None
        return await self._device(number, address).snapshot()

    def _device(self, number: str, address: CameraAddress) -> OnvifDevice:
        """One connection per camera, shared by events, snapshots and PTZ."""
        device = self._devices.get(number)
        if device is None:
            from bot.camera.onvif_device.device import OnvifDevice

            device = self._devices[number] = OnvifDevice(address)
        return device

    async def snapshots(self, numbers: list[str]) -> list[tuple[bytes, str]]:
        """Annotated snapshots of several cameras (those that answer), for an album."""
        tr = self._tr
        timeout = self._settings.alerts.snapshot_timeout_seconds

        async def one(number: str) -> tuple[bytes, str] | None:
            camera = self._settings.camera(number)
            try:
                image = await asyncio.wait_for(self.snapshot(number), timeout)
            except Exception as exc:
                log.info("Snapshot of camera %s failed: %s", number, exc)
                return None
            if image is None or camera is None:
                return None
            caption = Caption(number, camera.place, tr.datetime(self._clock.now()), camera.name)
            jpeg = await asyncio.to_thread(annotate, image, caption)
            return jpeg, f"CAM {escape(number)} · {escape(camera.name)}"

        results = await asyncio.gather(*(one(number) for number in numbers))
        return [result for result in results if result is not None]

    def statuses(self) -> dict[str, CameraStatus]:
        """The last known state of every camera."""
        with Session(self._engine) as session:
            return {row.camera: row for row in session.exec(select(CameraStatus))}

    async def health_round(self) -> int:
        """Probe every ONVIF camera (bounded concurrency); return how many changed state."""
        if self._round_lock.locked():
            # A slow round is still running; a second one would only double the load.
            return 0
        from bot.camera.onvif_device.health import probe

        async with self._round_lock:
            limit = asyncio.Semaphore(self._settings.alerts.health_concurrency)
            held = set(self._held_by_notice(self._clock.now()))

            async def check(camera: Camera) -> bool:
                address = address_of(camera)
                if address is None:
                    return False
                async with limit:
                    health = await probe(address, self._settings.alerts.snapshot_timeout_seconds)
                up = health.status.value == CameraState.UP
                drift = await self._drifted(camera, address) if up else False
                reason = self._tr(REASON_LABELS[health.reason]) if health.reason else ""
                state = CameraState(health.status.value)
                return self._record(camera, state, reason, drift, camera.number in held)

            # Only the cameras this process watches: each is probed, and told, by one process.
            watched = [c for c in self._settings.cameras if c.number in self._streams]
            changed = await asyncio.gather(*(check(c) for c in watched))
        self._outbox.notify()
        return sum(changed)

    async def _drifted(self, camera: Camera, address: CameraAddress) -> bool:
        if camera.preset is None:
            return False
        try:
            position = await self._device(camera.number, address).ptz_position()
        except Exception as exc:
            log.info("PTZ position of camera %s unavailable: %s", camera.number, exc)
            return False
        if position is None:
            return False
        pan, tilt, zoom = position
        preset = camera.preset
        return (
            max(abs(pan - preset.pan), abs(tilt - preset.tilt), abs(zoom - preset.zoom))
            > preset.tolerance
        )

    def _record(
        self, camera: Camera, state: CameraState, reason: str, drift: bool, held: bool
    ) -> bool:
        """Store what the round found; announce a change unless an outage notice holds the camera.

        A held camera's outage was logged and told when notified: its line coming and going
        during the repair is recorded, not announced, or the unit would hear of it every round.
        """
        now = self._clock.now()
        if state == CameraState.DEGRADED:
            # One slow answer is often the network or a busy moment; two in a row is a trend.
            self._slow_rounds[camera.number] = self._slow_rounds.get(camera.number, 0) + 1
            if self._slow_rounds[camera.number] < SLOW_ROUNDS_BEFORE_DEGRADED:
                return False
        else:
            self._slow_rounds.pop(camera.number, None)
        with Session(self._engine) as session:
            row = session.get(CameraStatus, camera.number)
            before = CameraState(row.state) if row else CameraState.UNKNOWN
            if row is None:
                row = CameraStatus(camera=camera.number, state=state, since=now, checked_at=now)
            newly_drifted = drift and not row.drift
            changed = before != state and not (
                before == CameraState.UNKNOWN and state == CameraState.UP
            )
            if before != state:
                row.state, row.since = state, now
                # Kept for the daily report's availability, which needs the whole shift.
                session.add(CameraTransition(camera=camera.number, state=state, at=now))
            row.checked_at, row.reason, row.drift = now, reason, drift
            session.add(row)
            if changed and not held:
                self._announce_state(session, camera, state, reason, now)
            if newly_drifted and not held:
                self._announce_drift(session, camera, now)
            session.commit()
        return changed and not held

    def _announce_state(
        self, session: Session, camera: Camera, state: CameraState, reason: str, now: dt.datetime
    ) -> None:
        tr = self._tr
        text = tr("Camera {number} ({place}) is {state}").format(
            number=camera.number, place=camera.place or camera.name, state=tr(STATE_LABELS[state])
        ) + (f": {reason}" if reason else ".")
        icon = {"up": "🟢", "degraded": "🟡", "down": "🔴"}[state.value]
        self._notice(session, camera, icon, text, now)

    def _announce_drift(self, session: Session, camera: Camera, now: dt.datetime) -> None:
        tr = self._tr
        text = tr(
            "Camera {number} ({place}) is not at its preset position on the camera map."
        ).format(number=camera.number, place=camera.place or camera.name)
        self._notice(session, camera, "↗️", text, now)

    def _notice(
        self, session: Session, camera: Camera, icon: str, text: str, now: dt.datetime
    ) -> None:
        """Log a camera's change in the logbook and tell the group and its managing unit."""
        self._logbook.append(
            session,
            system_author(),
            now,
            {LogColumn.WORK: text},
            details={"incident_place": camera.place},
        )
        self._tell(session, camera, f"{icon} {escape(text)}")

    def _tell(self, session: Session, camera: Camera, html: str) -> None:
        group = self._settings.telegram.duty_group_id
        if group is not None:
            self._outbox.send(
                group,
                html,
                thread_id=self._settings.telegram.topics.alerts,
                session=session,
                priority=OutboxPriority.URGENT,
            )
        unit = self._settings.unit(camera.unit) if camera.unit else None
        if unit is not None and unit.chat_id is not None:
            self._outbox.send(unit.chat_id, html, session=session, priority=OutboxPriority.URGENT)
