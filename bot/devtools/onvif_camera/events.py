"""Event side of the simulated camera: topic catalogue, notification messages, subscriptions."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .soap import format_time_ms, xml_attr, xml_text

TOPIC_DIALECT = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
ONVIF_TOPICS_NS = "http://www.onvif.org/ver10/topics"

MOTION_ALARM = "tns1:VideoSource/MotionAlarm"
CELL_MOTION = "tns1:RuleEngine/CellMotionDetector/Motion"
GLOBAL_SCENE_CHANGE = "tns1:VideoSource/GlobalSceneChange/ImagingService"
IMAGE_TOO_BLURRY = "tns1:VideoSource/ImageTooBlurry/ImagingService"
IMAGE_TOO_DARK = "tns1:VideoSource/ImageTooDark/ImagingService"
SIGNAL_LOSS = "tns1:VideoSource/SignalLoss"
TAMPER = "tns1:RuleEngine/TamperDetector/Tamper"
STORAGE_FAILURE = "tns1:Device/HardwareFailure/StorageFailure"
DIGITAL_INPUT = "tns1:Device/Trigger/DigitalInput"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """What a camera advertises for a topic in GetEventProperties."""

    source: tuple[tuple[str, str, str], ...]  # (name, xs type, default value)
    data: tuple[tuple[str, str], ...]  # (name, xs type)
    is_property: bool = True


_VIDEO_SOURCE = (("Source", "tt:ReferenceToken", "VideoSource_1"),)
_RULE_SOURCE = (
    ("VideoSourceConfigurationToken", "tt:ReferenceToken", "VideoSourceConfig_1"),
    ("VideoAnalyticsConfigurationToken", "tt:ReferenceToken", "VideoAnalyticsConfig_1"),
    ("Rule", "xs:string", "MyMotionDetectorRule"),
)

# Topic names and message layouts as real Profile S/T cameras publish them.
TOPICS: dict[str, TopicSpec] = {
    MOTION_ALARM: TopicSpec(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
    CELL_MOTION: TopicSpec(_RULE_SOURCE, (("IsMotion", "xs:boolean"),)),
    GLOBAL_SCENE_CHANGE: TopicSpec(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
    IMAGE_TOO_BLURRY: TopicSpec(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
    IMAGE_TOO_DARK: TopicSpec(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
    SIGNAL_LOSS: TopicSpec(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
    TAMPER: TopicSpec(
        (*_RULE_SOURCE[:2], ("Rule", "xs:string", "MyTamperDetectorRule")),
        (("IsTamper", "xs:boolean"),),
    ),
    STORAGE_FAILURE: TopicSpec(
        (("Token", "tt:ReferenceToken", "Storage_1"),), (("Failed", "xs:boolean"),)
    ),
    DIGITAL_INPUT: TopicSpec(
        (("InputToken", "tt:ReferenceToken", "DigitalInput_1"),),
        (("LogicalState", "xs:boolean"),),
    ),
}


def default_source(topic: str) -> dict[str, str]:
    """The Source items a real camera attaches to this topic."""
    spec = TOPICS.get(topic)
    if spec is None:
        return {}
    return {name: value for name, _type, value in spec.source}


def _simple_items(items: dict[str, str]) -> str:
    return "".join(
        f"<tt:SimpleItem Name={xml_attr(name)} Value={xml_attr(value)}/>"
        for name, value in items.items()
    )


def render_message(
    topic: str,
    data: dict[str, str],
    source: dict[str, str],
    when: datetime,
    property_operation: str,
    topic_prefix: str = "tns1",
) -> str:
    """One wsnt:NotificationMessage, rendered once and shared by every subscription.

    ``topic_prefix`` imitates firmwares that bind the ONVIF topic namespace to another prefix.
    """
    operation = f" PropertyOperation={xml_attr(property_operation)}" if property_operation else ""
    holder = "<wsnt:NotificationMessage>"
    if topic_prefix != "tns1":
        holder = f'<wsnt:NotificationMessage xmlns:{topic_prefix}="{ONVIF_TOPICS_NS}">'
        topic = "/".join(
            f"{topic_prefix}:{part[5:]}" if part.startswith("tns1:") else part
            for part in topic.split("/")
        )
    return (
        f"{holder}"
        f'<wsnt:Topic Dialect="{TOPIC_DIALECT}">{xml_text(topic)}</wsnt:Topic>'
        "<wsnt:Message>"
        f'<tt:Message UtcTime="{format_time_ms(when)}"{operation}>'
        f"<tt:Source>{_simple_items(source)}</tt:Source>"
        f"<tt:Data>{_simple_items(data)}</tt:Data>"
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
    )


def _message_description(spec: TopicSpec) -> str:
    source = "".join(
        f'<tt:SimpleItemDescription Name="{name}" Type="{type_}"/>'
        for name, type_, _ in spec.source
    )
    data = "".join(
        f'<tt:SimpleItemDescription Name="{name}" Type="{type_}"/>' for name, type_ in spec.data
    )
    prop = "true" if spec.is_property else "false"
    return (
        f'<tt:MessageDescription IsProperty="{prop}"><tt:Source>{source}</tt:Source>'
        f"<tt:Data>{data}</tt:Data></tt:MessageDescription>"
    )


def _topic_set() -> str:
    """The wstop:TopicSet tree: first level qualified with tns1, deeper levels unqualified."""
    tree: dict[str, object] = {}
    for topic in TOPICS:
        node = tree
        for part in topic.removeprefix("tns1:").split("/"):
            child = node.setdefault(part, {})
            assert isinstance(child, dict)
            node = child
        node["\0"] = TOPICS[topic]

    def render(node: dict[str, object], depth: int) -> str:
        out = []
        for name, child in node.items():
            if name == "\0" or not isinstance(child, dict):
                continue
            tag = f"tns1:{name}" if depth == 0 else name
            spec = child.get("\0")
            inner = render(child, depth + 1)
            if isinstance(spec, TopicSpec):
                out.append(f'<{tag} wstop:topic="true">{_message_description(spec)}{inner}</{tag}>')
            else:
                out.append(f"<{tag}>{inner}</{tag}>")
        return "".join(out)

    return f"<wstop:TopicSet>{render(tree, 0)}</wstop:TopicSet>"


EVENT_PROPERTIES_BODY = (
    "<tev:GetEventPropertiesResponse>"
    "<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml"
    "</tev:TopicNamespaceLocation>"
    "<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>"
    f"{_topic_set()}"
    "<wsnt:TopicExpressionDialect>http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
    "</wsnt:TopicExpressionDialect>"
    "<wsnt:TopicExpressionDialect>http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"
    "</wsnt:TopicExpressionDialect>"
    "<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
    "</tev:MessageContentFilterDialect>"
    "<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd"
    "</tev:MessageContentSchemaLocation>"
    "</tev:GetEventPropertiesResponse>"
)

# Real cameras drop the oldest messages when a pull point is not drained.
_QUEUE_LIMIT = 1000
_ids = itertools.count(1)


@dataclass(eq=False)
class Subscription:
    """A PullPoint or base-notification subscription, alive until ``terminates_at``."""

    kind: Literal["pullpoint", "notify"]
    terminates_at: datetime
    consumer: str | None = None
    idx: int = field(default_factory=lambda: next(_ids))
    queue: deque[str] = field(default_factory=lambda: deque(maxlen=_QUEUE_LIMIT))
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    sender: asyncio.Task[None] | None = None

    def push(self, message: str) -> None:
        self.queue.append(message)
        self.wakeup.set()

    def take(self, limit: int) -> list[str]:
        count = min(limit, len(self.queue))
        taken = [self.queue.popleft() for _ in range(count)]
        if not self.queue:
            self.wakeup.clear()
        return taken
