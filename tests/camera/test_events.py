"""Raw ONVIF notifications from real cameras turned into the duty desk's camera events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import onvif_parsers
import pytest

from bot.camera.events import (
    TOPIC_RULES,
    CameraEvent,
    EventKind,
    RawEvent,
    is_alarm,
    parse_event,
)

AT = dt.datetime(2026, 3, 12, 9, 54, 27, tzinfo=dt.UTC)

# Source items as Hikvision and TP-Link send them for analytics rules.
HIK_RULE = {
    "VideoSourceConfigurationToken": "VideoSourceToken",
    "VideoAnalyticsConfigurationToken": "VideoAnalyticsToken",
}
# TP-Link sends the placeholder "vsconf" for the video source token.
TAPO_RULE = {
    "VideoSourceConfigurationToken": "vsconf",
    "VideoAnalyticsConfigurationToken": "VideoAnalyticsToken",
}
HANWHA_SOURCE = {"VideoSourceToken": "85a593ef-e6e0-4e40-9e3d-f4252623e776"}


def raw(
    topic: str,
    source: dict[str, str] | None = None,
    data: dict[str, str] | None = None,
    operation: str = "Changed",
    at: dt.datetime = AT,
) -> RawEvent:
    return RawEvent(topic, at, operation, dict(source or {}), dict(data or {}))


def parsed(event: RawEvent) -> CameraEvent:
    result = parse_event(event)
    assert result is not None, event
    return result


@dataclass(frozen=True)
class Case:
    topic: str
    source: dict[str, str]
    data: dict[str, str]
    kind: EventKind
    active: bool
    where: str
    operation: str = "Changed"
    extra: dict[str, str] = field(default_factory=dict)


VENDOR_CASES = [
    # Hikvision: sources and rules as its cameras name them (VideoSource_1, My...Rule).
    pytest.param(
        Case(
            "tns1:VideoSource/MotionAlarm",
            {"Source": "VideoSource_1"},
            {"State": "true"},
            EventKind.MOTION,
            True,
            "VideoSource_1",
        ),
        id="hikvision-motion-alarm",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/CellMotionDetector/Motion",
            {**HIK_RULE, "Rule": "MyMotionDetectorRule"},
            {"IsMotion": "true"},
            EventKind.MOTION,
            True,
            "VideoSourceToken / MyMotionDetectorRule",
        ),
        id="hikvision-cell-motion",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/TamperDetector/Tamper",
            {**HIK_RULE, "Rule": "MyTamperDetectorRule"},
            {"IsTamper": "true"},
            EventKind.TAMPERING,
            True,
            "VideoSourceToken / MyTamperDetectorRule",
        ),
        id="hikvision-tamper",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/FieldDetector/ObjectsInside",
            {**HIK_RULE, "Rule": "MyFieldDetector1"},
            {"IsInside": "true"},
            EventKind.INTRUSION,
            True,
            "VideoSourceToken / MyFieldDetector1",
        ),
        id="hikvision-field-detector",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/LineDetector/Crossed",
            {**HIK_RULE, "Rule": "MyLineDetectorRule"},
            {"ObjectId": "0"},
            EventKind.LINE_CROSSING,
            True,
            "VideoSourceToken / MyLineDetectorRule",
        ),
        id="hikvision-line-crossed",
    ),
    pytest.param(
        Case(
            "tns1:Device/Trigger/tnshik:AlarmIn",
            {"AlarmInToken": "AlarmIn_1"},
            {"State": "true"},
            EventKind.OTHER,
            True,
            "AlarmIn_1",
        ),
        id="hikvision-alarm-in",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/ImageTooDark/ImagingService",
            {"Source": "VideoSourceToken"},
            {"State": "true"},
            EventKind.TOO_DARK,
            True,
            "VideoSourceToken",
        ),
        id="hikvision-too-dark",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/GlobalSceneChange/ImagingService",
            {"Source": "VideoSource_1"},
            {"State": "false"},
            EventKind.SCENE_CHANGE,
            False,
            "VideoSource_1",
        ),
        id="hikvision-scene-change-clear",
    ),
    pytest.param(
        Case(
            "tns1:UserAlarm/IVA/HumanShapeDetect",
            {"VideoSourceConfigurationToken": "VideoSourceToken"},
            {"State": "true"},
            EventKind.MOTION,
            True,
            "VideoSourceToken",
        ),
        id="hikvision-human-shape",
    ),
    # Dahua NVR: numeric state and a detect window next to the channel token.
    pytest.param(
        Case(
            "tns1:VideoSource/MotionAlarm",
            {"VideoSourceConfigurationToken": "00200", "DetectWindow": "0"},
            {"State": "1"},
            EventKind.MOTION,
            True,
            "00200 / 0",
        ),
        id="dahua-nvr-motion-alarm",
    ),
    # Axis: application events without Source, 0/1 values, tnsaxis: topics.
    pytest.param(
        Case(
            "tnsaxis:CameraApplicationPlatform/VMD/Camera1ProfileANY",
            {},
            {"active": "1"},
            EventKind.MOTION,
            True,
            "Camera1ProfileANY",
        ),
        id="axis-vmd4",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/tnsaxis:VMD3/vmd3_video_1",
            {"areaid": "0"},
            {"active": "1"},
            EventKind.MOTION,
            True,
            "0",
        ),
        id="axis-vmd3",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/MotionRegionDetector/Motion",
            {"VideoSource": "0", "RuleName": "VMD 4 ACAP"},
            {"State": "1"},
            EventKind.MOTION,
            True,
            "0 / VMD 4 ACAP",
        ),
        id="axis-motion-region",
    ),
    pytest.param(
        Case(
            "tns1:VideoAnalytics/tnsaxis:MotionDetection",
            {"window": "0"},
            {"motion": "1"},
            EventKind.MOTION,
            True,
            "0",
        ),
        id="axis-builtin-motion",
    ),
    pytest.param(
        Case(
            "tnsaxis:CameraApplicationPlatform/MotionGuard/Camera1ProfileANY",
            {},
            {"active": "1"},
            EventKind.MOTION,
            True,
            "Camera1ProfileANY",
        ),
        id="axis-motion-guard",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:Sensor/PIR",
            {"sensor": "0"},
            {"state": "1"},
            EventKind.MOTION,
            True,
            "0",
        ),
        id="axis-pir",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/tnsaxis:Tampering",
            {"channel": "1"},
            {"tampering": "1"},
            EventKind.TAMPERING,
            True,
            "1",
            operation="",
        ),
        id="axis-tampering",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:Casing/Open",
            {"Name": "Casing"},
            {"Open": "1"},
            EventKind.TAMPERING,
            True,
            "Casing",
        ),
        id="axis-casing-open",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/GlobalSceneChange/ImagingService",
            {"Source": "0"},
            {"State": "0"},
            EventKind.SCENE_CHANGE,
            False,
            "0",
            operation="Initialized",
        ),
        id="axis-scene-change-snapshot",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:HardwareFailure/StorageFailure",
            {"disk_id": "SD_DISK"},
            {"disruption": "1"},
            EventKind.STORAGE_FAILURE,
            True,
            "SD_DISK",
        ),
        id="axis-storage-failure",
    ),
    pytest.param(
        Case(
            "tnsaxis:Storage/Disruption",
            {"disk_id": "NetworkShare"},
            {"disruption": "1"},
            EventKind.STORAGE_FAILURE,
            True,
            "NetworkShare",
        ),
        id="axis-storage-disruption",
    ),
    pytest.param(
        Case(
            "tnsaxis:Storage/Alert",
            {"disk_id": "NetworkShare"},
            {"overall_health": "-3", "alert": "0", "wear": "-3", "temperature": "-3"},
            EventKind.STORAGE_FAILURE,
            False,
            "NetworkShare",
            operation="Initialized",
        ),
        id="axis-storage-alert-snapshot",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:HardwareFailure/FanFailure",
            {"fan": "0"},
            {"fan_failure": "1"},
            EventKind.HARDWARE_FAILURE,
            True,
            "0",
        ),
        id="axis-fan-failure",
    ),
    pytest.param(
        Case(
            "tns1:Device/HardwareFailure/PowerSupplyFailure/tnsaxis:PTZPowerFailure",
            {"Token": "0"},
            {"Failed": "1"},
            EventKind.HARDWARE_FAILURE,
            True,
            "0",
        ),
        id="axis-ptz-power-failure",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:Network/Lost",
            {"interface": "eth0"},
            {"lost": "1"},
            EventKind.CAMERA_OFFLINE,
            True,
            "eth0",
        ),
        id="axis-network-lost",
    ),
    pytest.param(
        Case(
            "tnsaxis:CameraApplicationPlatform/FenceGuard/Camera1Profile1",
            {},
            {"active": "1"},
            EventKind.LINE_CROSSING,
            True,
            "Camera1Profile1",
        ),
        id="axis-fence-guard",
    ),
    pytest.param(
        Case(
            "tnsaxis:CameraApplicationPlatform/LoiteringGuard/Camera1Profile1",
            {},
            {"active": "1"},
            EventKind.INTRUSION,
            True,
            "Camera1Profile1",
        ),
        id="axis-loitering-guard",
    ),
    pytest.param(
        Case(
            "tns1:Device/tnsaxis:IO/Port",
            {"port": "1"},
            {"state": "1"},
            EventKind.OTHER,
            True,
            "1",
        ),
        id="axis-input-port",
    ),
    # Hanwha (Wisenet): tnssamsung: topics with the video source as a UUID token.
    pytest.param(
        Case(
            "tns1:VideoAnalytics/tnssamsung:MotionDetection",
            HANWHA_SOURCE,
            {"State": "true"},
            EventKind.MOTION,
            True,
            "85a593ef-e6e0-4e40-9e3d-f4252623e776",
        ),
        id="hanwha-motion",
    ),
    pytest.param(
        Case(
            "tns1:VideoAnalytics/tnssamsung:Tampering",
            HANWHA_SOURCE,
            {"State": "true"},
            EventKind.TAMPERING,
            True,
            "85a593ef-e6e0-4e40-9e3d-f4252623e776",
        ),
        id="hanwha-tampering",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/tnssamsung:DefocusDetection",
            HANWHA_SOURCE,
            {"State": "true"},
            EventKind.DEFOCUS,
            True,
            "85a593ef-e6e0-4e40-9e3d-f4252623e776",
        ),
        id="hanwha-defocus",
    ),
    # Reolink smart detection.
    pytest.param(
        Case(
            "tns1:RuleEngine/MyRuleDetector/PeopleDetect",
            {"Source": "000"},
            {"State": "true"},
            EventKind.MOTION,
            True,
            "000",
        ),
        id="reolink-person",
    ),
    # TP-Link: analytics under CellMotionDetector, told apart by the longest match.
    pytest.param(
        Case(
            "tns1:RuleEngine/CellMotionDetector/Tamper",
            {**TAPO_RULE, "Rule": "MyTamperDetectorRule"},
            {"IsTamper": "true"},
            EventKind.TAMPERING,
            True,
            "VideoSourceToken / MyTamperDetectorRule",
        ),
        id="tapo-tamper",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/CellMotionDetector/LineCross",
            {**TAPO_RULE, "Rule": "MyLineCrossDetectorRule"},
            {"IsLineCross": "true"},
            EventKind.LINE_CROSSING,
            True,
            "VideoSourceToken / MyLineCrossDetectorRule",
        ),
        id="tapo-line-cross",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/CellMotionDetector/Intrusion",
            {**TAPO_RULE, "Rule": "MyIntrusionDetectorRule"},
            {"IsIntrusion": "true"},
            EventKind.INTRUSION,
            True,
            "VideoSourceToken / MyIntrusionDetectorRule",
        ),
        id="tapo-intrusion",
    ),
    pytest.param(
        Case(
            "tns1:RuleEngine/TPSmartEventDetector/TPSmartEvent",
            {**TAPO_RULE, "Rule": "MyTPSmartEventDetectorRule"},
            {"IsVehicle": "true"},
            EventKind.MOTION,
            True,
            "VideoSourceToken / MyTPSmartEventDetectorRule",
        ),
        id="tapo-smart-event-vehicle",
    ),
    # Generic Profile S/T devices (and Uniview, which keeps to the standard topics).
    pytest.param(
        Case(
            "tns1:VideoSource/SignalLoss",
            {"Source": "VideoSource_1"},
            {"State": "true"},
            EventKind.VIDEO_LOSS,
            True,
            "VideoSource_1",
        ),
        id="generic-signal-loss",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/ImageTooBlurry/AnalyticsService",
            {"Source": "VideoSource_1"},
            {"State": "true"},
            EventKind.DEFOCUS,
            True,
            "VideoSource_1",
        ),
        id="generic-too-blurry",
    ),
    pytest.param(
        Case(
            "tns1:VideoSource/ImageTooBright/RecordingService",
            {"Source": "VideoSource_1"},
            {"State": "true"},
            EventKind.TOO_BRIGHT,
            True,
            "VideoSource_1",
        ),
        id="generic-too-bright",
    ),
    pytest.param(
        Case(
            "tns1:Device/HardwareFailure/StorageFailure",
            {"Token": "SD_1"},
            {"Failed": "true"},
            EventKind.STORAGE_FAILURE,
            True,
            "SD_1",
        ),
        id="generic-storage-failure",
    ),
    pytest.param(
        Case(
            "tns1:Device/HardwareFailure/FanFailure",
            {"Token": "Fan_1"},
            {"Failed": "true"},
            EventKind.HARDWARE_FAILURE,
            True,
            "Fan_1",
        ),
        id="generic-fan-failure",
    ),
    pytest.param(
        Case(
            "tns1:Device/HardwareFailure/TemperatureCritical",
            {"Token": "Sensor_1"},
            {"Critical": "true"},
            EventKind.HARDWARE_FAILURE,
            True,
            "Sensor_1",
        ),
        id="generic-temperature-critical",
    ),
    pytest.param(
        Case(
            "tns1:Device/Trigger/DigitalInput",
            {"InputToken": "DigitalInputToken_1"},
            {"LogicalState": "true"},
            EventKind.OTHER,
            True,
            "DigitalInputToken_1",
        ),
        id="generic-digital-input",
    ),
]


@pytest.mark.parametrize("case", VENDOR_CASES)
def test_vendor_payloads(case: Case) -> None:
    event = parsed(raw(case.topic, case.source, case.data, case.operation))
    assert (event.kind, event.active, event.source) == (case.kind, case.active, case.where)
    assert event.at == AT
    assert event.topic == case.topic


@pytest.mark.parametrize(
    ("operation", "value", "active", "alarm"),
    [
        pytest.param("Initialized", "false", False, False, id="snapshot-clear"),
        pytest.param("Initialized", "true", True, True, id="snapshot-already-set"),
        pytest.param("Changed", "true", True, True, id="set"),
        pytest.param("Changed", "false", False, False, id="cleared"),
        pytest.param("changed", "true", True, True, id="operation-spelling"),
    ],
)
def test_initialized_and_changed(operation: str, value: str, active: bool, alarm: bool) -> None:
    event = parsed(
        raw(
            "tns1:Device/HardwareFailure/StorageFailure",
            {"Token": "SD_1"},
            {"Failed": value},
            operation,
        )
    )
    assert (event.active, is_alarm(event)) == (active, alarm)


def test_deleted_property_is_no_longer_active_even_without_data() -> None:
    event = parsed(
        raw("tns1:RuleEngine/CellMotionDetector/Motion", {**HIK_RULE, "Rule": "R1"}, {}, "Deleted")
    )
    assert (event.kind, event.active, is_alarm(event)) == (EventKind.MOTION, False, False)
    assert event.detail == "cell motion (property deleted)"


@pytest.mark.parametrize(
    ("operation", "active"),
    [
        pytest.param("Changed", True, id="changed"),
        # Not a property at all: PropertyOperation is simply absent.
        pytest.param("", True, id="plain-notification"),
        # A replay of the last crossing when the subscription starts, not a new crossing.
        pytest.param("Initialized", False, id="snapshot"),
    ],
)
def test_line_crossing_is_a_pulse(operation: str, active: bool) -> None:
    event = parsed(
        raw(
            "tns1:RuleEngine/LineDetector/Crossed",
            {**HIK_RULE, "Rule": "MyLineDetectorRule"},
            {"ObjectId": "15"},
            operation,
        )
    )
    assert (event.kind, event.active, is_alarm(event)) == (EventKind.LINE_CROSSING, active, active)


@pytest.mark.parametrize(
    ("value", "active"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        (" true ", True),
        ("1", True),
        ("active", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("inactive", False),
    ],
)
def test_boolean_spellings(value: str, active: bool) -> None:
    event = parsed(
        raw("tns1:VideoSource/MotionAlarm", {"Source": "VideoSource_1"}, {"State": value})
    )
    assert event.active is active


@pytest.mark.parametrize(
    ("topic", "data"),
    [
        pytest.param("tns1:VideoSource/MotionAlarm", {}, id="no-data"),
        pytest.param("tns1:VideoSource/MotionAlarm", {"State": "maybe"}, id="not-a-boolean"),
        pytest.param("tns1:VideoSource/MotionAlarm", {"State": ""}, id="empty-value"),
        pytest.param("tns1:VideoSource/MotionAlarm", {"State": "2"}, id="out-of-range"),
        pytest.param(
            "tns1:RuleEngine/CellMotionDetector/Motion", {"State": "true"}, id="wrong-item"
        ),
        # The tamper rule wins the match, so a motion item there is not read as motion.
        pytest.param(
            "tns1:RuleEngine/CellMotionDetector/Tamper", {"IsMotion": "true"}, id="wrong-rule-item"
        ),
        pytest.param("tns1:RuleEngine/LineDetector/Crossed", {}, id="pulse-without-object"),
        pytest.param(
            "tns1:RuleEngine/LineDetector/Crossed", {"ObjectId": " "}, id="pulse-blank-object"
        ),
        pytest.param(
            "tns1:RuleEngine/TPSmartEventDetector/TPSmartEvent", {"IsPet": "true"}, id="pet-only"
        ),
    ],
)
def test_malformed_payloads_give_none(topic: str, data: dict[str, str]) -> None:
    assert parse_event(raw(topic, {"Source": "VideoSource_1"}, data)) is None


@pytest.mark.parametrize(
    ("topic", "source", "data"),
    [
        pytest.param(
            "tns1:Monitoring/ProcessorUsage",
            {"Token": "Processor_Usage"},
            {"Value": "12.5"},
            id="processor-usage",
        ),
        pytest.param(
            "tns1:PTZController/tnsaxis:Move/Channel_1",
            {"PTZConfigurationToken": "1"},
            {"is_moving": "1"},
            id="ptz-move",
        ),
        pytest.param(
            "tns1:VideoSource/tnsaxis:LiveStreamAccessed", {}, {"accessed": "1"}, id="stream"
        ),
        pytest.param(
            "tns1:Device/Trigger/Relay",
            {"RelayToken": "3"},
            {"LogicalState": "active"},
            id="relay-output",
        ),
        pytest.param(
            "tns1:RuleEngine/MyRuleDetector/DogCatDetect",
            {"Source": "000"},
            {"State": "true"},
            id="pet",
        ),
        pytest.param("tns1:VideoSource", {}, {"State": "true"}, id="shorter-than-any-rule"),
        pytest.param(
            "tns1:VideoSource/MotionAlarmEx", {}, {"State": "true"}, id="not-on-a-segment-edge"
        ),
        pytest.param("", {}, {"State": "true"}, id="empty-topic"),
    ],
)
def test_topics_outside_the_table_give_none(
    topic: str, source: dict[str, str], data: dict[str, str]
) -> None:
    assert parse_event(raw(topic, source, data)) is None


@pytest.mark.parametrize(
    ("topic", "kind"),
    [
        ("tns1:RuleEngine/CellMotionDetector/Motion", EventKind.MOTION),
        ("tns1:RuleEngine/CellMotionDetector/Motion//.", EventKind.MOTION),
        (" tns1:RuleEngine/CellMotionDetector/Motion ", EventKind.MOTION),
        ("ns0:RuleEngine/ns0:CellMotionDetector/ns0:Motion", EventKind.MOTION),
        ("tns1:ruleengine/cellmotiondetector/motion", EventKind.MOTION),
        ("tns1:RuleEngine/CellMotionDetector/Tamper", EventKind.TAMPERING),
        ("tns1:Device/tns1:Trigger/tnssamsung:DigitalInput", EventKind.OTHER),
        ("tns1:Device/HardwareFailure/StorageFailure", EventKind.STORAGE_FAILURE),
        ("tns1:Device/HardwareFailure/SomeFutureFailure", EventKind.HARDWARE_FAILURE),
    ],
)
def test_topic_matching(topic: str, kind: EventKind) -> None:
    data = {"IsMotion": "1", "IsTamper": "1", "LogicalState": "1", "Failed": "1"}
    assert parsed(raw(topic, {"Token": "t"}, data)).kind is kind


@pytest.mark.parametrize(
    ("event", "detail"),
    [
        pytest.param(
            raw("tns1:VideoSource/MotionAlarm", {"Source": "VideoSource_1"}, {"State": "true"}),
            "motion alarm",
            id="state-only",
        ),
        pytest.param(
            raw("tns1:RuleEngine/LineDetector/Crossed", {"Rule": "Gate 2"}, {"ObjectId": "15"}),
            "line crossed (ObjectId=15)",
            id="pulse-keeps-object",
        ),
        pytest.param(
            raw(
                "tnsaxis:Storage/Alert",
                {"disk_id": "SD_DISK"},
                {"overall_health": "-3", "alert": "1", "wear": "80", "temperature": "45"},
            ),
            "storage alert (overall_health=-3, wear=80, temperature=45)",
            id="extra-facts",
        ),
    ],
)
def test_detail(event: RawEvent, detail: str) -> None:
    assert parsed(event).detail == detail


@pytest.mark.parametrize(
    ("topic", "data"),
    [
        pytest.param("tns1:VideoSource/MotionAlarm", {"state": "1"}, id="lower-case-item"),
        pytest.param("tns1:VideoSource/MotionAlarm", {"STATE": "1"}, id="upper-case-item"),
        # Some OEM firmwares put the Profile S item name on the Profile T topic.
        pytest.param(
            "tns1:RuleEngine/MotionRegionDetector/Motion", {"IsMotion": "true"}, id="second-item"
        ),
    ],
)
def test_state_item_spellings(topic: str, data: dict[str, str]) -> None:
    assert parsed(raw(topic, {"VideoSourceConfigurationToken": "V"}, data)).active is True


def test_wildcard_tail_does_not_leak_into_the_source() -> None:
    topic = "tnsaxis:CameraApplicationPlatform/VMD/Camera1ProfileANY//."
    assert parsed(raw(topic, {}, {"active": "1"})).source == "Camera1ProfileANY"


def test_naive_time_is_read_as_utc() -> None:
    naive = dt.datetime(2026, 3, 12, 9, 54, 27)
    event = parsed(raw("tns1:VideoSource/MotionAlarm", {"Source": "1"}, {"State": "1"}, at=naive))
    assert event.at == AT
    assert event.at.utcoffset() == dt.timedelta(0)


def test_time_zone_of_an_aware_time_is_kept() -> None:
    hanoi = dt.datetime(2026, 3, 12, 16, 54, 27, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    event = parsed(raw("tns1:VideoSource/MotionAlarm", {"Source": "1"}, {"State": "1"}, at=hanoi))
    assert event.at == AT


def test_analytics_configuration_token_is_left_out_of_the_source() -> None:
    event = parsed(
        raw(
            "tns1:RuleEngine/CellMotionDetector/Motion", {**HIK_RULE, "Rule": ""}, {"IsMotion": "1"}
        )
    )
    assert event.source == "VideoSourceToken"


def test_every_kind_comes_from_some_topic() -> None:
    assert {rule.kind for rule in TOPIC_RULES} == set(EventKind)


def _zeep_like(event: RawEvent) -> SimpleNamespace:
    """Dress a raw event as the zeep message onvif-parsers reads."""

    def items(values: dict[str, str]) -> SimpleNamespace:
        return SimpleNamespace(
            SimpleItem=[SimpleNamespace(Name=k, Value=v) for k, v in values.items()]
        )

    message = SimpleNamespace(
        Source=items(event.source),
        Data=items(event.data),
        UtcTime=event.utc_time,
        PropertyOperation=event.property_operation,
    )
    return SimpleNamespace(
        Topic=SimpleNamespace(_value_1=event.topic), Message=SimpleNamespace(_value_1=message)
    )


# Topics Home Assistant's parsers (onvif-parsers) also read as on/off, with their state item.
SHARED_TOPICS = [
    ("tns1:VideoSource/MotionAlarm", {"Source": "VideoSource_1"}, "State"),
    ("tns1:Device/Trigger/tnshik:AlarmIn", {"AlarmInToken": "AlarmIn_1"}, "State"),
    ("tns1:RuleEngine/CellMotionDetector/Motion", {**HIK_RULE, "Rule": "R"}, "IsMotion"),
    ("tns1:RuleEngine/MotionRegionDetector/Motion", {"VideoSource": "0"}, "State"),
    ("tns1:RuleEngine/TamperDetector/Tamper", {**HIK_RULE, "Rule": "R"}, "IsTamper"),
    ("tns1:RuleEngine/FieldDetector/ObjectsInside", {**HIK_RULE, "Rule": "R"}, "IsInside"),
    ("tns1:VideoSource/GlobalSceneChange/ImagingService", {"Source": "VideoSource_1"}, "State"),
    ("tns1:VideoSource/ImageTooBlurry/AnalyticsService", {"Source": "VideoSource_1"}, "State"),
    ("tns1:VideoSource/ImageTooDark/RecordingService", {"Source": "VideoSource_1"}, "State"),
    ("tns1:VideoSource/ImageTooBright/ImagingService", {"Source": "VideoSource_1"}, "State"),
    ("tns1:Device/HardwareFailure/StorageFailure", {"Token": "SD_1"}, "Failed"),
    ("tns1:Device/Trigger/DigitalInput", {"InputToken": "DI_1"}, "LogicalState"),
    ("tns1:UserAlarm/IVA/HumanShapeDetect", {"VideoSourceConfigurationToken": "V"}, "State"),
    ("tns1:RuleEngine/MyRuleDetector/PeopleDetect", {"Source": "000"}, "State"),
    ("tns1:RuleEngine/MyRuleDetector/VehicleDetect", {"Source": "000"}, "State"),
    ("tns1:RuleEngine/CellMotionDetector/Tamper", {**TAPO_RULE, "Rule": "R"}, "IsTamper"),
    ("tns1:RuleEngine/CellMotionDetector/LineCross", {**TAPO_RULE, "Rule": "R"}, "IsLineCross"),
    ("tns1:RuleEngine/CellMotionDetector/Intrusion", {**TAPO_RULE, "Rule": "R"}, "IsIntrusion"),
    ("tns1:RuleEngine/CellMotionDetector/People", {**TAPO_RULE, "Rule": "R"}, "IsPeople"),
    ("tns1:RuleEngine/LineCrossDetector/LineCross", {**TAPO_RULE, "Rule": "R"}, "IsLineCross"),
    ("tns1:RuleEngine/PeopleDetector/People", {**TAPO_RULE, "Rule": "R"}, "IsPeople"),
    ("tns1:RuleEngine/TPSmartEventDetector/TPSmartEvent", {**TAPO_RULE, "Rule": "R"}, "IsVehicle"),
]


@pytest.mark.parametrize(("topic", "source", "item"), SHARED_TOPICS)
@pytest.mark.parametrize("value", ["true", "false"])
async def test_agrees_with_onvif_parsers(
    topic: str, source: dict[str, str], item: str, value: str
) -> None:
    event = raw(topic, source, {item: value})
    entities = await onvif_parsers.parse(topic, "camera-1", _zeep_like(event))
    assert len(entities) == 1
    assert parsed(event).active is entities[0].value
