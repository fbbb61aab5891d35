"""ONVIF notifications read into RawEvents: from PullMessages replies and Notify posts.

Cameras differ in how they write a topic (the prefix bound to the ONVIF topics namespace,
whitespace, a trailing ``/``): it is made canonical before the topic table sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from onvif.settings import DEFAULT_SETTINGS
from onvif.transport import ASYNC_TRANSPORT
from zeep.loader import parse_xml
from zeep.plugins import Plugin

from bot.camera.events import RawEvent
from bot.camera.onvif_device.device import text_of

_ONVIF_TOPICS_NS: Final = "http://www.onvif.org/ver10/topics"
_WSNT_TOPIC: Final = "{http://docs.oasis-open.org/wsn/b-2}Topic"


def normalise_topic(topic: str) -> str:
    """Trim what cameras add around a topic (whitespace, trailing ``/`` or ``.``)."""
    return topic.strip().rstrip("/.").strip()


def _canonical_prefixes(topic: str, nsmap: Mapping[str | None, str]) -> str:
    """Rewrite whatever prefix a camera bound to the ONVIF topic namespace to ``tns1``."""
    parts = []
    for segment in topic.strip().split("/"):
        prefix, colon, name = segment.rpartition(":")
        if colon and prefix != "tns1" and nsmap.get(prefix) == _ONVIF_TOPICS_NS:
            segment = f"tns1:{name}"
        parts.append(segment)
    return "/".join(parts)


def normalise_topic_elements(envelope: Any) -> None:
    # The prefix-to-namespace binding is only visible in the XML tree; zeep hands the topic
    # over as bare text, so rewrite it in place before zeep parses the reply.
    for element in envelope.iter(_WSNT_TOPIC):
        if element.text:
            element.text = _canonical_prefixes(element.text, element.nsmap)


class _TopicPrefixPlugin(Plugin):
    """zeep ingress hook applying ``normalise_topic_elements`` to PullMessages replies."""

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        normalise_topic_elements(envelope)
        return envelope, http_headers


def add_topic_plugin(pullpoint: Any) -> None:
    plugins = pullpoint.zeep_client.plugins
    if not any(isinstance(plugin, _TopicPrefixPlugin) for plugin in plugins):
        plugins.append(_TopicPrefixPlugin())


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _items_from_zeep(holder: Any) -> dict[str, str]:
    items = getattr(holder, "SimpleItem", None) or []
    return {text_of(item.Name): text_of(item.Value) for item in items if item.Name is not None}


def _items_from_element(element: Any, name: str) -> dict[str, str]:
    for child in element:
        if _local(child.tag) == name:
            return {
                str(item.get("Name")): str(item.get("Value", ""))
                for item in child
                if _local(item.tag) == "SimpleItem" and item.get("Name") is not None
            }
    return {}


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _raw_event(message: Any) -> RawEvent | None:
    """Convert one parsed wsnt:NotificationMessage; None when it carries no tt:Message."""
    topic = normalise_topic(text_of(getattr(getattr(message, "Topic", None), "_value_1", None)))
    payload = getattr(getattr(message, "Message", None), "_value_1", None)
    if not topic or payload is None:
        return None
    if hasattr(payload, "tag"):
        # A message zeep could not bind to tt:Message stays an lxml element.
        return RawEvent(
            topic=topic,
            utc_time=_utc(payload.get("UtcTime")),
            property_operation=text_of(payload.get("PropertyOperation")),
            source=_items_from_element(payload, "Source"),
            data=_items_from_element(payload, "Data"),
        )
    return RawEvent(
        topic=topic,
        utc_time=_utc(getattr(payload, "UtcTime", None)),
        property_operation=text_of(getattr(payload, "PropertyOperation", None)),
        source=_items_from_zeep(getattr(payload, "Source", None)),
        data=_items_from_zeep(getattr(payload, "Data", None)),
    )


def raw_events(result: Any) -> Iterator[RawEvent]:
    for message in getattr(result, "NotificationMessage", None) or []:
        event = _raw_event(message)
        if event is not None:
            yield event


# zeep annotates ``content`` as str, but bytes is what keeps the XML encoding declaration valid.
_parse_xml: Callable[..., Any] = parse_xml


def read_notify(operation: Any, body: bytes) -> Iterator[RawEvent]:
    """The events of a wsnt:Notify body, parsed with the PullMessages reply schema.

    Raises zeep's errors, ValueError or AttributeError for a body that is not one.
    """
    envelope = _parse_xml(body, ASYNC_TRANSPORT, settings=DEFAULT_SETTINGS)
    normalise_topic_elements(envelope)
    return raw_events(operation.process_reply(envelope))
