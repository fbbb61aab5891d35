"""The event service: subscriptions (PullPoint and base notification) and what they carry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Literal

import aiohttp

from .events import EVENT_PROPERTIES_BODY, Subscription, default_source, render_message
from .faults import SoapFault, invalid_arg
from .soap import (
    CONTENT_TYPE,
    SoapRequest,
    child_text,
    envelope,
    format_time_ms,
    local_name,
    parse_duration,
    parse_termination,
)
from .state import SUBSCRIPTION_PATH, CameraState, Context, Handler

logger = logging.getLogger(__name__)

# Without InitialTerminationTime cameras typically keep a subscription for a minute.
_DEFAULT_TERMINATION = timedelta(seconds=60)
# Cameras cap how long one PullMessages may block; clients asking more get this much.
_MAX_PULL_TIMEOUT = timedelta(seconds=120)
_NOTIFY_TIMEOUT = aiohttp.ClientTimeout(total=5)
_NOTIFY_BATCH = 100
_EV = "http://www.onvif.org/ver10/events/wsdl"
_WSN = "http://docs.oasis-open.org/wsn/bw-2"


class EventsService(CameraState):
    """Events emitted by tests reach every live subscription; tev and the subscription manager."""

    def _events_routes(self) -> dict[str, Handler]:
        return {
            "GetEventProperties": self._get_event_properties,
            "GetServiceCapabilities": self._get_event_service_capabilities,
            "CreatePullPointSubscription": self._create_pull_point_subscription,
            "Subscribe": self._subscribe,
        }

    def _subscription_routes(self) -> dict[str, Handler]:
        return {
            "PullMessages": self._pull_messages,
            "Renew": self._renew,
            "Unsubscribe": self._unsubscribe,
            "SetSynchronizationPoint": self._set_synchronization_point,
        }

    def emit(
        self,
        topic: str,
        data: dict[str, str],
        *,
        source: dict[str, str] | None = None,
        when: datetime | None = None,
        property_operation: str = "Changed",
    ) -> None:
        """Queue a notification for every live subscription (PullPoint and base Notify)."""
        when = when or self._clock()
        source = default_source(topic) if source is None else source
        if property_operation in {"Changed", "Initialized"}:
            # Remember property state so new subscriptions start with an Initialized snapshot.
            key = (topic, tuple(sorted(source.items())))
            self._properties[key] = (dict(data), dict(source))
        elif property_operation == "Deleted":
            self._properties.pop((topic, tuple(sorted(source.items()))), None)
        message = render_message(topic, data, source, when, property_operation, self.topic_prefix)
        for subscription in self._live():
            subscription.push(message)

    def live_subscriptions(self) -> int:
        """Subscriptions (of both kinds) not yet unsubscribed or expired."""
        return len(self._live())

    def _live(self) -> list[Subscription]:
        now = self._clock()
        live = []
        for subscription in list(self._subscriptions.values()):
            if subscription.terminates_at <= now:
                self._drop(subscription)
            else:
                live.append(subscription)
        return live

    def _drop(self, subscription: Subscription) -> None:
        self._subscriptions.pop(subscription.idx, None)
        if subscription.sender is not None:
            subscription.sender.cancel()
        subscription.wakeup.set()  # release a blocked PullMessages

    def _initial_messages(self) -> list[str]:
        now = self._clock()
        return [
            render_message(topic, data, source, now, "Initialized", self.topic_prefix)
            for (topic, _), (data, source) in self._properties.items()
        ]

    async def _get_event_properties(self, soap: SoapRequest, ctx: Context) -> bytes:
        return envelope(
            EVENT_PROPERTIES_BODY,
            action=f"{_EV}/EventPortType/GetEventPropertiesResponse",
        )

    async def _get_event_service_capabilities(self, soap: SoapRequest, ctx: Context) -> bytes:
        return envelope(
            "<tev:GetServiceCapabilitiesResponse>"
            '<tev:Capabilities WSSubscriptionPolicySupport="true" WSPullPointSupport="true" '
            'WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="'
            f'{self.max_subscriptions}" MaxPullPoints="{self.max_subscriptions}" '
            'PersistentNotificationStorage="false"/></tev:GetServiceCapabilitiesResponse>',
            action=f"{_EV}/EventPortType/GetServiceCapabilitiesResponse",
        )

    def _new_subscription(
        self, soap: SoapRequest, kind: Literal["pullpoint", "notify"], consumer: str | None
    ) -> Subscription:
        now = self._clock()
        requested = child_text(soap.element, "InitialTerminationTime")
        terminates_at = parse_termination(requested, now, _DEFAULT_TERMINATION)
        if terminates_at is None:
            raise invalid_arg("Invalid InitialTerminationTime")
        if terminates_at <= now:
            raise SoapFault(
                400,
                "env:Sender",
                ("wsntw:UnacceptableInitialTerminationTimeFault",),
                "InitialTerminationTime is in the past",
            )
        live = len(self._live())
        if live >= self.max_subscriptions:
            # WS-BaseNotification's fault for a subscription the producer cannot create; the
            # ONVIF core spec names no other for CreatePullPointSubscription.
            raise SoapFault(
                400,
                "env:Receiver",
                ("wsntw:SubscribeCreationFailedFault",),
                "Maximum number of subscriptions reached",
            )
        subscription = Subscription(kind, terminates_at, consumer)
        self._subscriptions[subscription.idx] = subscription
        self.subscriptions_created += 1
        self.peak_subscriptions = max(self.peak_subscriptions, live + 1)
        for message in self._initial_messages():
            subscription.push(message)
        return subscription

    def _reference(self, ctx: Context, subscription: Subscription) -> str:
        return f"{ctx.base}{SUBSCRIPTION_PATH}?Idx={subscription.idx}"

    async def _create_pull_point_subscription(self, soap: SoapRequest, ctx: Context) -> bytes:
        subscription = self._new_subscription(soap, "pullpoint", None)
        return envelope(
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa:Address>{self._reference(ctx, subscription)}</wsa:Address>"
            "</tev:SubscriptionReference>"
            f"<wsnt:CurrentTime>{format_time_ms(self._clock())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            "</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>",
            action=f"{_EV}/EventPortType/CreatePullPointSubscriptionResponse",
        )

    async def _subscribe(self, soap: SoapRequest, ctx: Context) -> bytes:
        consumer_el = next(
            (el for el in soap.element if local_name(el.tag) == "ConsumerReference"), None
        )
        consumer = child_text(consumer_el, "Address") if consumer_el is not None else None
        if not consumer or not consumer.startswith(("http://", "https://")):
            raise invalid_arg("ConsumerReference/Address must be an http(s) URL")
        subscription = self._new_subscription(soap, "notify", consumer)
        subscription.sender = asyncio.get_running_loop().create_task(
            self._notify_sender(subscription), name=f"onvif-sim-notify-{subscription.idx}"
        )
        return envelope(
            "<wsnt:SubscribeResponse><wsnt:SubscriptionReference>"
            f"<wsa:Address>{self._reference(ctx, subscription)}</wsa:Address>"
            "</wsnt:SubscriptionReference>"
            f"<wsnt:CurrentTime>{format_time_ms(self._clock())}</wsnt:CurrentTime>"
            f"<wsnt:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            "</wsnt:TerminationTime></wsnt:SubscribeResponse>",
            action=f"{_WSN}/NotificationProducer/SubscribeResponse",
        )

    async def _notify_sender(self, subscription: Subscription) -> None:
        """Deliver queued messages to a base-notification consumer, in order."""
        assert subscription.consumer is not None
        while subscription.idx in self._subscriptions:
            await subscription.wakeup.wait()
            messages = subscription.take(_NOTIFY_BATCH)
            if not messages or self._mode == "offline" or self._session is None:
                continue  # an unplugged camera sends nothing; those messages are lost
            body = envelope(
                f"<wsnt:Notify>{''.join(messages)}</wsnt:Notify>",
                action=f"{_WSN}/NotificationConsumer/Notify",
            )
            try:
                async with self._session.post(
                    subscription.consumer,
                    data=body,
                    headers={"Content-Type": CONTENT_TYPE},
                    timeout=_NOTIFY_TIMEOUT,
                ) as response:
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                logger.debug("Notify to subscription %s failed: %s", subscription.idx, error)

    def _subscription(self, ctx: Context) -> Subscription:
        try:
            idx = int(ctx.query.get("Idx", ""))
        except ValueError:
            idx = -1
        subscription = self._subscriptions.get(idx)
        if subscription is not None and subscription.terminates_at <= self._clock():
            self._drop(subscription)
            subscription = None
        if subscription is None:
            raise SoapFault(
                400, "env:Sender", ("wsrf-rw:ResourceUnknownFault",), "Subscription not found"
            )
        return subscription

    async def _pull_messages(self, soap: SoapRequest, ctx: Context) -> bytes:
        subscription = self._subscription(ctx)
        if subscription.kind != "pullpoint":
            raise SoapFault(400, "env:Receiver", ("ter:ActionNotSupported",), "Not a pull point")
        timeout = parse_duration(child_text(soap.element, "Timeout") or "PT0S")
        if timeout is None:
            raise invalid_arg("Invalid Timeout")
        try:
            limit = max(1, int(child_text(soap.element, "MessageLimit") or "1"))
        except ValueError:
            raise invalid_arg("Invalid MessageLimit") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, _MAX_PULL_TIMEOUT).total_seconds()
        while not subscription.queue and subscription.idx in self._subscriptions:
            remaining = min(
                deadline - loop.time(),
                (subscription.terminates_at - self._clock()).total_seconds(),
            )
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await subscription.wakeup.wait()
        messages = "".join(subscription.take(limit))
        return envelope(
            "<tev:PullMessagesResponse>"
            f"<tev:CurrentTime>{format_time_ms(self._clock())}</tev:CurrentTime>"
            f"<tev:TerminationTime>{format_time_ms(subscription.terminates_at)}"
            f"</tev:TerminationTime>{messages}</tev:PullMessagesResponse>",
            action=f"{_EV}/PullPointSubscription/PullMessagesResponse",
        )

    async def _renew(self, soap: SoapRequest, ctx: Context) -> bytes:
        subscription = self._subscription(ctx)
        now = self._clock()
        terminates_at = parse_termination(
            child_text(soap.element, "TerminationTime"), now, _DEFAULT_TERMINATION
        )
        if terminates_at is None or terminates_at <= now:
            raise SoapFault(
                400,
                "env:Sender",
                ("wsntw:UnacceptableTerminationTimeFault",),
                "Invalid TerminationTime",
            )
        subscription.terminates_at = terminates_at
        return envelope(
            "<wsnt:RenewResponse>"
            f"<wsnt:TerminationTime>{format_time_ms(terminates_at)}</wsnt:TerminationTime>"
            f"<wsnt:CurrentTime>{format_time_ms(now)}</wsnt:CurrentTime></wsnt:RenewResponse>",
            action=f"{_WSN}/SubscriptionManager/RenewResponse",
        )

    async def _unsubscribe(self, soap: SoapRequest, ctx: Context) -> bytes:
        self._drop(self._subscription(ctx))
        return envelope(
            "<wsnt:UnsubscribeResponse/>",
            action=f"{_WSN}/SubscriptionManager/UnsubscribeResponse",
        )

    async def _set_synchronization_point(self, soap: SoapRequest, ctx: Context) -> bytes:
        subscription = self._subscription(ctx)
        for message in self._initial_messages():
            subscription.push(message)
        return envelope(
            "<tev:SetSynchronizationPointResponse/>",
            action=f"{_EV}/PullPointSubscription/SetSynchronizationPointResponse",
        )
