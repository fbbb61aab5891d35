"""A camera's event stream: one subscription kept alive, with a state and a backoff.

The stream connects, subscribes, pulls (or receives Notify posts) until something fails, then
waits out a jittered, doubling backoff and starts over, unsubscribing the old subscription
first, so subscriptions never pile up on the camera.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Final

from onvif.util import is_auth_error, normalize_url, stringify_onvif_error
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault

from bot.camera.events import RawEvent
from bot.camera.onvif_device.device import OnvifDevice, text_of
from bot.camera.onvif_device.errors import (
    LIBRARY_ERRORS,
    CameraAuthError,
    CameraError,
    CameraProtocolError,
    translate,
)
from bot.camera.onvif_device.events_watch import EventsWatch
from bot.camera.onvif_device.notifications import add_topic_plugin, raw_events, read_notify
from bot.camera.onvif_device.subscription import (
    PULLPOINT_BINDING,
    RENEW_FRACTION,
    SUBSCRIPTION_SECONDS,
    UNSUBSCRIBE_TIMEOUT,
    Resubscribe,
    SubscriptionRef,
    SubscriptionRefused,
    granted_seconds,
    subscription_manager,
    unsubscribe,
)
from bot.camera.onvif_device.values import (
    EventsCallback,
    EventsFault,
    StoredSubscription,
    StreamState,
    SubscriptionKind,
    SubscriptionMemory,
)

# The ONVIF client logs under the package's one name: one level to set for all of it.
logger = logging.getLogger("bot.camera.onvif_device")

# Camera-side long-poll. Cameras commonly cap PullMessages timeouts at about a minute.
PULL_TIMEOUT_SECONDS: Final = 30.0
PULL_MESSAGE_LIMIT: Final = 100
# Slack on top of the camera-side timeout before a silent connection counts as dead.
_PULL_GRACE_SECONDS: Final = 10.0
BACKOFF_INITIAL_SECONDS: Final = 1.0
BACKOFF_MAX_SECONDS: Final = 60.0


EventCallback = Callable[[RawEvent], Awaitable[None]]


Sleep = Callable[[float], Awaitable[None]]


class EventStream:
    """Keeps one event subscription on a camera and hands every notification to a callback.

    PullPoint by default. With ``notify_url`` the camera is asked to POST notifications there
    (base notification) and whoever receives them passes the body to ``handle_notify``; if the
    camera refuses Subscribe the stream falls back to PullPoint. Before any new subscription
    the previous one is unsubscribed, so subscriptions never pile up on the camera.

    With a ``memory`` the subscription outlives the process: at start the one an earlier run
    recorded is renewed and taken up, or unsubscribed if the camera will not renew it. A camera
    that answers but gives no working subscription is reported to ``on_events`` (and working
    again with None); ``sleep`` waits out the backoff between attempts.
    """

    def __init__(
        self,
        device: OnvifDevice,
        callback: EventCallback,
        *,
        notify_url: str | None = None,
        subscription_seconds: float = SUBSCRIPTION_SECONDS,
        pull_timeout: float = PULL_TIMEOUT_SECONDS,
        message_limit: int = PULL_MESSAGE_LIMIT,
        backoff_initial: float = BACKOFF_INITIAL_SECONDS,
        backoff_max: float = BACKOFF_MAX_SECONDS,
        memory: SubscriptionMemory | None = None,
        on_events: EventsCallback | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.device = device
        self._callback = callback
        self._notify_url = notify_url
        self._lifetime = timedelta(seconds=subscription_seconds)
        self._pull_timeout = pull_timeout
        self._message_limit = message_limit
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._memory = memory
        self._recalled: StoredSubscription | None = None
        self._sleep = sleep
        self._watch = EventsWatch(device.address, on_events)
        self._state = StreamState.STOPPED
        self._task: asyncio.Task[None] | None = None
        self._current: SubscriptionRef | None = None
        self._stale: SubscriptionRef | None = None
        self._subscription: Any = None  # SubscriptionManager service (Renew / Unsubscribe)
        self._pullpoint: Any = None  # PullPointSubscription service (PullMessages)
        self._notify_operation: Any = None  # PullMessages operation, to parse Notify bodies
        self._renew_at = 0.0
        self._notify_refused = False
        self._proven = False  # the current subscription has answered a PullMessages or Renew
        self._streamed = False  # some subscription was proven since the last backoff
        self.mode: SubscriptionKind | None = None
        self.last_error: str | None = None
        self.subscriptions_made = 0

    @property
    def state(self) -> StreamState:
        return self._state

    @property
    def events_fault(self) -> EventsFault | None:
        """Why the camera's events do not reach the desk though it answers; None if they do."""
        return self._watch.fault

    def _set_state(self, state: StreamState) -> None:
        if state != self._state:
            logger.debug(
                "Camera %s: event stream %s -> %s", self.device.address, self._state, state
            )
            self._state = state

    async def start(self) -> None:
        """Start the background task (returns at once; connection happens in the task)."""
        if self._task is not None and not self._task.done():
            return
        self._set_state(StreamState.CONNECTING)
        if self._memory is not None:
            self._recalled = self._memory.recall()
        self._task = asyncio.create_task(self._run(), name=f"onvif-events-{self.device.address}")

    async def stop(self) -> None:
        """Stop pulling and unsubscribe (best effort)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_state(StreamState.STOPPED)
        self._retire_current()
        if self._stale is not None:
            with contextlib.suppress(CameraError, TimeoutError):
                async with asyncio.timeout(UNSUBSCRIBE_TIMEOUT):
                    await self._unsubscribe_stale()
        if self._stale is None and self._recalled is None and self._memory is not None:
            # Ended on the camera (or expired): nothing for the next start to clean up. If the
            # camera could not be reached, the record stays for the next start to try again.
            self._memory.forget()
        self._stale = None

    # --- the loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._backoff_initial
        while True:
            self._set_state(StreamState.CONNECTING)
            self._streamed = False
            error = await self._connect_and_stream()
            if self._streamed:
                delay = self._backoff_initial  # it worked for a while: start over at 1 s
            self._set_state(StreamState.BACKOFF)
            wait = delay * random.uniform(0.8, 1.0)  # jitter: 200 cameras recovering at once
            first = self.last_error is None
            self.last_error = str(error) or error.__class__.__name__
            if not self._watch.failed(error, self.last_error, wait):
                logger.log(
                    logging.INFO if first else logging.DEBUG,
                    "Camera %s: event stream interrupted (%s); retrying in %.1f s",
                    self.device.address,
                    self.last_error,
                    wait,
                )
            await self._sleep(wait)
            delay = min(delay * 2, self._backoff_max)

    async def _connect_and_stream(self) -> Exception:
        """Subscribe and pump until something fails; returns the failure to back off on."""
        address = self.device.address
        while True:
            try:
                if not await self._take_up_recalled():
                    await self._unsubscribe_stale()
                    await self._subscribe()
                if self.last_error is not None:
                    logger.info("Camera %s: event stream restored", address)
                    self.last_error = None
                self._set_state(StreamState.STREAMING)
                await self._pump()  # returns only by raising
            except Resubscribe as reason:
                self._retire_current()
                if not self._proven:
                    # Refused right from the start: back off instead of spinning.
                    return CameraProtocolError(str(reason))
                # The camera forgot a working subscription (reboot, expiry): a fresh one now.
                logger.debug("Camera %s: resubscribing (%s)", address, reason)
                self._proven = False
            except CameraError as error:
                self._retire_current()
                return error
            except Exception as error:
                # Not routine: a response this code cannot handle. Keep the stream alive.
                logger.warning("Camera %s: event stream failed", address, exc_info=True)
                self._retire_current()
                return error

    async def _take_up_recalled(self) -> bool:
        """Renew and take up the subscription an earlier run recorded; False if not taken up.

        One that cannot be taken up becomes the stale subscription, unsubscribed (best effort)
        before a new one is made. Only a pull point is taken up: it has kept the events the
        camera raised while no process pulled, and it needs no consumer address to be right.
        """
        recalled, self._recalled = self._recalled, None
        if recalled is None:
            return False
        loop = asyncio.get_running_loop()
        lifetime = self._lifetime.total_seconds()
        expires_at = loop.time() + min(recalled.seconds_left, lifetime)
        # Stale until taken up, so that a stop or a failure from here on still ends it.
        ref = self._stale = SubscriptionRef(recalled.kind, recalled.address, expires_at)
        if recalled.kind != "pullpoint" or self._notify_url:
            return False
        camera = await self.device.client()
        guard = self.device.guard
        started = loop.time()
        try:
            subscription = await subscription_manager(
                self.device, camera, "pullpoint", recalled.address
            )
            result = await guard(
                subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        except CameraError as error:
            logger.info(
                "Camera %s: the event subscription made by %s cannot be taken up (%s); "
                "ending it before subscribing again",
                self.device.address,
                recalled.made_by,
                error,
            )
            if not isinstance(error, CameraProtocolError):
                raise  # unreachable: back off, then unsubscribe it and subscribe anew
            return False
        self._current, self._stale = ref, None
        self._subscription = subscription
        self.mode = "pullpoint"
        self._schedule_renewal(result, started)
        self._pullpoint = await guard(camera.create_pullpoint_service())
        add_topic_plugin(self._pullpoint)
        self._proven = self._streamed = True
        logger.info(
            "Camera %s: took up the event subscription made by %s",
            self.device.address,
            recalled.made_by,
        )
        self._remember()
        self._watch.working()
        return True

    def _remember(self) -> None:
        current = self._current
        if self._memory is not None and current is not None:
            left = current.expires_at - asyncio.get_running_loop().time()
            self._memory.remember(current.kind, current.address, left)

    def _retire_current(self) -> None:
        """Remember the current subscription so it is unsubscribed before the next one."""
        if self._current is not None:
            self._stale = self._current
        self._current = None
        self._subscription = None
        self._pullpoint = None
        self._notify_operation = None

    async def _unsubscribe_stale(self) -> None:
        stale = self._stale
        if stale is None:
            return
        if asyncio.get_running_loop().time() >= stale.expires_at:
            self._stale = None  # the camera has dropped it by now
            return
        try:
            await unsubscribe(self.device, stale)
        except CameraProtocolError as error:
            logger.debug(
                "Camera %s: old subscription already gone (%s)", self.device.address, error
            )
        self._stale = None

    async def _subscribe(self) -> None:
        camera = await self.device.client()
        if self._notify_url and not self._notify_refused:
            try:
                await self._subscribe_notify(camera, self._notify_url)
                return
            except CameraProtocolError as error:
                # Refused (not unreachable): this camera will not push; PullPoint from now on.
                self._notify_refused = True
                logger.info(
                    "Camera %s: base notification refused (%s); using PullPoint",
                    self.device.address,
                    error,
                )
                self._retire_current()
                await self._unsubscribe_stale()
        await self._subscribe_pullpoint(camera)

    async def _finish_subscription(
        self, camera: Any, kind: SubscriptionKind, result: Any, started: float
    ) -> None:
        guard = self.device.guard
        reference = getattr(getattr(result, "SubscriptionReference", None), "Address", None)
        address = camera.rewrite_url(normalize_url(text_of(getattr(reference, "_value_1", None))))
        if not address:
            raise CameraProtocolError("subscription without an address")
        self._current = SubscriptionRef(kind, address, started + self._lifetime.total_seconds())
        self._proven = False
        self.subscriptions_made += 1
        self.mode = kind
        self._subscription = await subscription_manager(self.device, camera, kind, address)
        current = getattr(result, "CurrentTime", None)
        termination = getattr(result, "TerminationTime", None)
        if camera.has_broken_relative_time(self._lifetime, current, termination):
            # Some firmwares mangle relative termination times; the library then switches to
            # absolute ones, which we confirm with an immediate Renew.
            result = await guard(
                self._subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        self._schedule_renewal(result, started)
        self._remember()

    async def _subscribe_pullpoint(self, camera: Any) -> None:
        guard = self.device.guard
        events = await guard(camera.create_events_service())
        started = asyncio.get_running_loop().time()
        try:
            result = await guard(
                events.CreatePullPointSubscription(
                    {"InitialTerminationTime": camera.get_next_termination_time(self._lifetime)}
                )
            )
        except CameraAuthError:
            raise
        except CameraProtocolError as error:
            # SubscribeCreationFailedFault or a vendor's own: no events until it changes its mind.
            raise SubscriptionRefused(f"subscription refused: {error}") from error
        await self._finish_subscription(camera, "pullpoint", result, started)
        pullpoint = await guard(camera.create_pullpoint_service())
        add_topic_plugin(pullpoint)
        self._pullpoint = pullpoint

    async def _subscribe_notify(self, camera: Any, url: str) -> None:
        guard = self.device.guard
        service = await guard(camera.create_notification_service())
        started = asyncio.get_running_loop().time()
        result = await guard(
            service.Subscribe(
                {
                    "InitialTerminationTime": camera.get_next_termination_time(self._lifetime),
                    "ConsumerReference": {"Address": url},
                }
            )
        )
        await self._finish_subscription(camera, "notify", result, started)
        # Notify bodies are parsed with the PullMessages reply schema (same message layout),
        # as onvif-zeep-async's NotificationManager does.
        self._notify_operation = service.document.bindings[PULLPOINT_BINDING].get("PullMessages")

    def _schedule_renewal(self, result: Any, started: float) -> None:
        granted = granted_seconds(result, self._lifetime.total_seconds())
        if self._current is not None:
            self._current.expires_at = started + granted
        self._renew_at = started + granted * RENEW_FRACTION

    async def _renew(self) -> None:
        camera = await self.device.client()
        started = asyncio.get_running_loop().time()
        try:
            result = await self.device.guard(
                self._subscription.Renew(camera.get_next_termination_time(self._lifetime))
            )
        except CameraProtocolError as error:
            raise Resubscribe(f"Renew refused: {error}") from error
        self._proven = self._streamed = True
        self._schedule_renewal(result, started)
        self._remember()
        self._watch.working()

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            until_renewal = self._renew_at - loop.time()
            if until_renewal <= 0:
                await self._renew()
            elif self._pullpoint is None:  # base notification: nothing to pull
                await asyncio.sleep(until_renewal)
            else:
                # PullMessages timeouts go out in whole seconds (PT0S would spin), so this may
                # overshoot the renewal by under a second; the unused half of the granted
                # lifetime absorbs that.
                await self._pull(max(1.0, min(self._pull_timeout, until_renewal)))

    async def _pull(self, seconds: float) -> None:
        timeout = timedelta(seconds=max(1, int(seconds)))
        request = {"Timeout": timeout, "MessageLimit": self._message_limit}
        try:
            async with asyncio.timeout(timeout.total_seconds() + _PULL_GRACE_SECONDS):
                result = await self._pullpoint.PullMessages(request)
        except Fault as fault:
            if is_auth_error(fault):
                raise CameraAuthError("camera rejected the credentials") from fault
            raise Resubscribe(stringify_onvif_error(fault)) from fault
        except LIBRARY_ERRORS as error:
            raise translate(error) from error
        self._proven = self._streamed = True
        self._watch.working()
        for event in raw_events(result):
            await self._deliver(event)

    async def _deliver(self, event: RawEvent) -> None:
        try:
            await self._callback(event)
        except Exception:
            # A consumer bug must not cost the camera its event stream.
            logger.exception(
                "Camera %s: event callback failed for %s", self.device.address, event.topic
            )

    async def handle_notify(self, body: bytes) -> int:
        """Process a wsnt:Notify POST body received at ``notify_url``; returns events passed on."""
        operation = self._notify_operation
        if operation is None:
            logger.debug("Camera %s: Notify while not subscribed; ignored", self.device.address)
            return 0
        try:
            events = list(read_notify(operation, body))
        except (ZeepError, ValueError, AttributeError) as error:
            # AttributeError: zeep's recovering parser yields no tree for non-XML bodies.
            logger.info("Camera %s: unreadable Notify ignored: %s", self.device.address, error)
            return 0
        self._watch.working()  # a camera that posts Notify is sending its events
        for event in events:
            await self._deliver(event)
        return len(events)
