"""Raw ONVIF notifications turned into the camera events a Customs duty desk cares about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final


@dataclass(frozen=True)
class RawEvent:
    """One ONVIF notification message, as the client hands it over."""

    topic: str  # normalised, e.g. "tns1:VideoSource/MotionAlarm"
    utc_time: datetime  # aware
    property_operation: str  # "Initialized" | "Changed" | "Deleted"
    source: dict[str, str]  # SimpleItems of Source
    data: dict[str, str]  # SimpleItems of Data


class EventKind(StrEnum):
    """What happened, in the duty desk's terms rather than a vendor's."""

    MOTION = "motion"
    TAMPERING = "tampering"
    SCENE_CHANGE = "scene_change"
    DEFOCUS = "defocus"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    VIDEO_LOSS = "video_loss"
    HARDWARE_FAILURE = "hardware_failure"
    STORAGE_FAILURE = "storage_failure"
    CAMERA_OFFLINE = "camera_offline"
    LINE_CROSSING = "line_crossing"
    INTRUSION = "intrusion"
    OTHER = "other"


@dataclass(frozen=True)
class CameraEvent:
    """A parsed camera event: what, whether it holds now, when, where on the camera."""

    kind: EventKind
    active: bool
    at: datetime
    topic: str
    source: str
    detail: str


@dataclass(frozen=True)
class TopicRule:
    """One row of the topic table: a topic prefix and how to read its messages."""

    pattern: str
    kind: EventKind
    # Data items that carry the state; the first one present is used. Names are matched
    # without regard to case because vendors write the same item as "State" and "state".
    keys: tuple[str, ...]
    label: str
    # A stateless occurrence (a line was crossed): the item only has to be present.
    pulse: bool = False


# The one table from topic to kind. A topic matches a pattern by prefix, segment by segment,
# and the longest pattern wins: RuleEngine/CellMotionDetector/Tamper (TP-Link) is tampering
# while the rest of RuleEngine/CellMotionDetector is motion.
#
# Topics outside the table give None rather than OTHER: most of what a camera sends is
# housekeeping (processor load, PTZ moves, stream access, configuration changes) and passing it
# on would bury the duty group. OTHER is for rows that matter but have no kind of their own:
# alarm inputs, which at a checkpoint are door contacts and panic buttons.
#
# Namespace prefixes in patterns are for the reader only: matching uses local names, since a
# prefix is just a binding (one camera's "tns1:" is another's "ns0:") and Hanwha prefixes
# every segment ("tns1:Device/tns1:Trigger/tnssamsung:DigitalInput").
TOPIC_RULES: Final[tuple[TopicRule, ...]] = (
    # --- Motion ------------------------------------------------------------------------------
    # Profile S: Hikvision, Dahua, Axis, Uniview, Hanwha, Reolink.
    TopicRule("tns1:VideoSource/MotionAlarm", EventKind.MOTION, ("State",), "motion alarm"),
    # Profile S/T analytics rule: Hikvision, Dahua, Uniview, TP-Link.
    TopicRule("tns1:RuleEngine/CellMotionDetector", EventKind.MOTION, ("IsMotion",), "cell motion"),
    # Profile T: Axis (AXIS OS 10+), Hanwha; some OEM firmwares send IsMotion instead.
    TopicRule(
        "tns1:RuleEngine/MotionRegionDetector",
        EventKind.MOTION,
        ("State", "IsMotion"),
        "motion region",
    ),
    # Axis built-in VMD (tnsaxis:, Data "motion") and Hanwha (tnssamsung:, Data "State").
    TopicRule(
        "tns1:VideoAnalytics/MotionDetection",
        EventKind.MOTION,
        ("State", "motion"),
        "video motion detection",
    ),
    TopicRule("tns1:RuleEngine/tnsaxis:VMD3", EventKind.MOTION, ("active",), "Axis VMD 3"),
    TopicRule("tnsaxis:CameraApplicationPlatform/VMD", EventKind.MOTION, ("active",), "Axis VMD 4"),
    TopicRule(
        "tnsaxis:CameraApplicationPlatform/MotionGuard",
        EventKind.MOTION,
        ("active",),
        "Axis Motion Guard",
    ),
    TopicRule("tns1:Device/tnsaxis:Sensor/PIR", EventKind.MOTION, ("state",), "PIR sensor"),
    # Hikvision-family human detection.
    TopicRule("tns1:UserAlarm/IVA/HumanShapeDetect", EventKind.MOTION, ("State",), "human shape"),
    # Reolink smart detection; pets, faces, parcels and doorbells are not the desk's business.
    TopicRule(
        "tns1:RuleEngine/MyRuleDetector/PeopleDetect", EventKind.MOTION, ("State",), "person"
    ),
    TopicRule(
        "tns1:RuleEngine/MyRuleDetector/VehicleDetect", EventKind.MOTION, ("State",), "vehicle"
    ),
    # TP-Link (Tapo/VIGI) smart detection.
    TopicRule("tns1:RuleEngine/PeopleDetector/People", EventKind.MOTION, ("IsPeople",), "person"),
    TopicRule(
        "tns1:RuleEngine/CellMotionDetector/People", EventKind.MOTION, ("IsPeople",), "person"
    ),
    TopicRule(
        "tns1:RuleEngine/TPSmartEventDetector/TPSmartEvent",
        EventKind.MOTION,
        ("IsPeople", "IsVehicle"),
        "smart event",
    ),
    TopicRule(
        "tns1:RuleEngine/CellMotionDetector/TpSmartEvent",
        EventKind.MOTION,
        ("IsPeople", "IsVehicle"),
        "smart event",
    ),
    # --- Tampering and image quality ---------------------------------------------------------
    TopicRule(
        "tns1:RuleEngine/TamperDetector", EventKind.TAMPERING, ("IsTamper",), "tamper detector"
    ),
    # Axis sends a stateless message whose "tampering" item is 1 when it fires.
    TopicRule(
        "tns1:VideoSource/tnsaxis:Tampering", EventKind.TAMPERING, ("tampering",), "tampering"
    ),
    TopicRule(
        "tns1:VideoAnalytics/tnssamsung:Tampering", EventKind.TAMPERING, ("State",), "tampering"
    ),
    TopicRule("tns1:Device/tnsaxis:Casing/Open", EventKind.TAMPERING, ("Open",), "casing opened"),
    TopicRule(
        "tns1:RuleEngine/CellMotionDetector/Tamper", EventKind.TAMPERING, ("IsTamper",), "tamper"
    ),
    # Imaging, Analytics and Recording service variants all sit under these prefixes.
    TopicRule(
        "tns1:VideoSource/GlobalSceneChange",
        EventKind.SCENE_CHANGE,
        ("State",),
        "global scene change",
    ),
    TopicRule("tns1:VideoSource/ImageTooBlurry", EventKind.DEFOCUS, ("State",), "image too blurry"),
    TopicRule(
        "tns1:VideoSource/tnssamsung:DefocusDetection", EventKind.DEFOCUS, ("State",), "defocus"
    ),
    TopicRule("tns1:VideoSource/ImageTooDark", EventKind.TOO_DARK, ("State",), "image too dark"),
    TopicRule(
        "tns1:VideoSource/ImageTooBright", EventKind.TOO_BRIGHT, ("State",), "image too bright"
    ),
    TopicRule("tns1:VideoSource/SignalLoss", EventKind.VIDEO_LOSS, ("State",), "signal loss"),
    # --- Device health -----------------------------------------------------------------------
    # Anything else under HardwareFailure (Axis PTZ power, future ONVIF topics) says "Failed".
    TopicRule(
        "tns1:Device/HardwareFailure",
        EventKind.HARDWARE_FAILURE,
        ("Failed",),
        "hardware failure",
    ),
    TopicRule(
        "tns1:Device/HardwareFailure/FanFailure",
        EventKind.HARDWARE_FAILURE,
        ("Failed", "fan_failure"),
        "fan failure",
    ),
    TopicRule(
        "tns1:Device/HardwareFailure/PowerSupplyFailure",
        EventKind.HARDWARE_FAILURE,
        ("Failed",),
        "power supply failure",
    ),
    TopicRule(
        "tns1:Device/HardwareFailure/TemperatureCritical",
        EventKind.HARDWARE_FAILURE,
        ("Critical",),
        "temperature critical",
    ),
    # ONVIF says "Failed"; Axis (tnsaxis:HardwareFailure) says "disruption".
    TopicRule(
        "tns1:Device/HardwareFailure/StorageFailure",
        EventKind.STORAGE_FAILURE,
        ("Failed", "disruption"),
        "storage failure",
    ),
    TopicRule(
        "tnsaxis:Storage/Disruption",
        EventKind.STORAGE_FAILURE,
        ("disruption",),
        "storage disruption",
    ),
    TopicRule("tnsaxis:Storage/Alert", EventKind.STORAGE_FAILURE, ("alert",), "storage alert"),
    # A camera that is really gone sends nothing; the health round notices that. This is the
    # camera's own account of a lost link, delivered once it is back or over another interface.
    TopicRule(
        "tns1:Device/tnsaxis:Network/Lost", EventKind.CAMERA_OFFLINE, ("lost",), "network lost"
    ),
    # --- Perimeter analytics -----------------------------------------------------------------
    TopicRule(
        "tns1:RuleEngine/LineDetector/Crossed",
        EventKind.LINE_CROSSING,
        ("ObjectId",),
        "line crossed",
        pulse=True,
    ),
    TopicRule(
        "tnsaxis:CameraApplicationPlatform/FenceGuard",
        EventKind.LINE_CROSSING,
        ("active",),
        "Axis Fence Guard",
    ),
    TopicRule(
        "tns1:RuleEngine/LineCrossDetector",
        EventKind.LINE_CROSSING,
        ("IsLineCross",),
        "line crossed",
    ),
    TopicRule(
        "tns1:RuleEngine/CellMotionDetector/LineCross",
        EventKind.LINE_CROSSING,
        ("IsLineCross",),
        "line crossed",
    ),
    TopicRule(
        "tns1:RuleEngine/FieldDetector/ObjectsInside",
        EventKind.INTRUSION,
        ("IsInside",),
        "object in zone",
    ),
    TopicRule(
        "tnsaxis:CameraApplicationPlatform/LoiteringGuard",
        EventKind.INTRUSION,
        ("active",),
        "Axis Loitering Guard",
    ),
    TopicRule(
        "tns1:RuleEngine/CellMotionDetector/Intrusion",
        EventKind.INTRUSION,
        ("IsIntrusion",),
        "intrusion",
    ),
    # --- Alarm inputs ------------------------------------------------------------------------
    TopicRule(
        "tns1:Device/Trigger/DigitalInput", EventKind.OTHER, ("LogicalState",), "digital input"
    ),
    TopicRule("tns1:Device/Trigger/tnshik:AlarmIn", EventKind.OTHER, ("State",), "alarm input"),
    TopicRule("tns1:Device/tnsaxis:IO/Port", EventKind.OTHER, ("state",), "input port"),
)

# Cameras write booleans as xsd:boolean ("true", "1"), in Python's spelling ("True") or, on
# relays and some older firmwares, as "active"/"inactive".
_TRUE: Final = frozenset({"true", "1", "active"})
_FALSE: Final = frozenset({"false", "0", "inactive"})

# Names the analytics engine's configuration, which is the same for every rule on a camera.
_SOURCE_NOISE: Final = frozenset({"videoanalyticsconfigurationtoken"})


def _local_names(topic: str) -> tuple[str, ...]:
    """Return a topic's segments without namespace prefixes or wildcard tails ("//.")."""
    segments = (segment.strip() for segment in topic.split("/"))
    return tuple(segment.rpartition(":")[2] for segment in segments if segment not in ("", "."))


def _key(names: tuple[str, ...]) -> tuple[str, ...]:
    """Return the lookup key for local names: vendors disagree on capitalisation."""
    return tuple(name.casefold() for name in names)


def _index(rules: tuple[TopicRule, ...]) -> dict[tuple[str, ...], TopicRule]:
    """Index the rules by normalised pattern, refusing two rows for the same prefix."""
    index: dict[tuple[str, ...], TopicRule] = {}
    for rule in rules:
        key = _key(_local_names(rule.pattern))
        if not key or key in index:
            raise ValueError(f"topic table: empty or duplicate pattern {rule.pattern!r}")
        index[key] = rule
    return index


_INDEX: Final = _index(TOPIC_RULES)


def _match(topic: str) -> tuple[TopicRule, tuple[str, ...]] | None:
    """Return the longest rule matching the topic and the topic's segments past it."""
    names = _local_names(topic)
    key = _key(names)
    for length in range(len(key), 0, -1):
        rule = _INDEX.get(key[:length])
        if rule is not None:
            return rule, names[length:]
    return None


def _boolean(value: str) -> bool | None:
    """Read a camera's boolean, or None when it is no boolean at all."""
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def _state_item(rule: TopicRule, data: dict[str, str]) -> tuple[str, str] | None:
    """Return the (name, value) of the first Data item the rule reads, if any is present."""
    by_name = {name.casefold(): (name, value) for name, value in data.items()}
    for key in rule.keys:
        item = by_name.get(key.casefold())
        if item is not None:
            return item
    return None


def _source(raw: RawEvent, rest: tuple[str, ...]) -> str:
    """Name where on the camera it happened: video source, rule, input, disk, ..."""
    parts: list[str] = []
    for name, value in raw.source.items():
        value = value.strip()
        if name.casefold() in _SOURCE_NOISE or not value:
            continue
        if "VideoSource" in name:
            # onvif-parsers knows which cameras send a placeholder ("vsconf") for the token.
            # Imported here, by the first ONVIF event: with zeep it is no start-up cost.
            from onvif_parsers.util import normalize_video_source

            value = normalize_video_source(value)
        parts.append(value)
    if not parts and rest:
        # Axis application events carry no Source; the profile is the last topic segment.
        parts.append("/".join(rest))
    return " / ".join(parts)


def _detail(label: str, extras: list[str]) -> str:
    """Return the label with any extra facts in brackets."""
    return f"{label} ({', '.join(extras)})" if extras else label


def parse_event(raw: RawEvent) -> CameraEvent | None:
    """Turn a raw notification into a camera event; None for other topics or bad payloads."""
    found = _match(raw.topic)
    if found is None:
        return None
    rule, rest = found
    operation = raw.property_operation.strip().casefold()
    # ONVIF UtcTime is UTC by definition; a naive value only means the client dropped the zone.
    at = raw.utc_time if raw.utc_time.tzinfo is not None else raw.utc_time.replace(tzinfo=UTC)
    source = _source(raw, rest)

    def event(active: bool, detail: str) -> CameraEvent:
        """Build the event for this message."""
        return CameraEvent(rule.kind, active, at, raw.topic, source, detail)

    if operation == "deleted":
        # The property is gone (rule removed, source reconfigured): nothing holds any more,
        # and a Deleted message need not carry Data at all.
        return event(False, _detail(rule.label, ["property deleted"]))
    item = _state_item(rule, raw.data)
    if rule.pulse:
        if operation == "initialized":
            # Some cameras declare pulse topics as properties and replay the last one when a
            # subscription starts; that replay is no new crossing.
            return event(False, rule.label)
        if item is None or not item[1].strip():
            return None
        extras = [f"{name}={value}" for name, value in raw.data.items()]
        return event(True, _detail(rule.label, extras))
    if item is None:
        return None
    active = _boolean(item[1])
    if active is None:
        return None
    extras = [f"{name}={value}" for name, value in raw.data.items() if name != item[0]]
    return event(active, _detail(rule.label, extras))


def is_alarm(event: CameraEvent) -> bool:
    """Say whether the duty group should hear of it: the condition holds (set or snapshot)."""
    # An Initialized snapshot that reports the condition already holding (a disk that failed
    # while nobody was subscribed) is news; one reporting it clear is not, nor is a clear.
    return event.active
