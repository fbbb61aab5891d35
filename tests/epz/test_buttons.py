"""The EPZ's button codecs: what the outage and check messages carry is read back the same,
and forged or absurd data is no press at all."""

from __future__ import annotations

import pytest

from bot.button_data import ActionPress
from bot.db.models import OutageKind
from bot.epz.buttons import (
    CHECK_BUTTONS,
    MEASURE_BUTTONS,
    OUTAGE_BUTTONS,
    CheckAction,
    NoticeChoice,
    NoticePick,
    OutageAction,
    check_button,
    notice_choice,
    outage_button,
    propose_measure_button,
    read_notice_choice,
)

FORGED = [
    "",
    "ep",
    "ep:ok",
    "ep:ok:",
    "ep:ok:0",
    "ep:ok:-1",
    "ep:ok:²",
    "ep:ok:2147483648",
    "ep:ok:7:8",
    "ep:zz:7",
    "EP:ok:7",
    "rc:ok:7",
    "ep:ok: 7x",
]


@pytest.mark.parametrize("action", list(OutageAction))
def test_an_outage_button_reads_back_as_built(action: OutageAction) -> None:
    data = outage_button(action, 2**31 - 1)
    assert OUTAGE_BUTTONS.read(data) == ActionPress("ep", action, 2**31 - 1)


def test_the_outage_data_is_what_messages_already_carry() -> None:
    assert outage_button(OutageAction.CONFIRM_RESTORED, 7) == "ep:ok:7"
    assert outage_button(OutageAction.EXPLAIN, 7) == "ep:ex:7"
    assert check_button(CheckAction.FINDINGS, 7) == "rc:fd:7"
    assert propose_measure_button(7) == "im:new:7"


@pytest.mark.parametrize("data", FORGED)
def test_forged_outage_data_is_no_press(data: str) -> None:
    assert OUTAGE_BUTTONS.read(data) is None


@pytest.mark.parametrize("action", list(CheckAction))
def test_a_check_button_reads_back_as_built(action: CheckAction) -> None:
    assert CHECK_BUTTONS.read(check_button(action, 12)) == ActionPress("rc", action, 12)


@pytest.mark.parametrize(
    "data", ["rc:ok:0", "rc:ok:²", "rc:ok:99999999999999999999", "rc:ok:1:2", "rc:ex:1", "ep:ok:1"]
)
def test_forged_check_data_is_no_press(data: str) -> None:
    assert CHECK_BUTTONS.read(data) is None


def test_the_measure_button_reads_back_and_nothing_else_does() -> None:
    assert MEASURE_BUTTONS.read("im:new:3") == ActionPress("im", "new", 3)
    assert MEASURE_BUTTONS.read("im:old:3") is None
    assert MEASURE_BUTTONS.read("im:new:0") is None


@pytest.mark.parametrize(
    ("choice", "picked", "value"),
    [
        (NoticeChoice.KIND, OutageKind.TRANSMISSION, "kind:transmission"),
        (NoticeChoice.CAMERA, "C01", "cam:C01"),
        (NoticeChoice.CAMERAS_DONE, "", "cams-done"),
        (NoticeChoice.START_NOW, "", "start-now"),
        (NoticeChoice.SKIP, "", "skip"),
        (NoticeChoice.LAST_CONTACT, "", "contact-last"),
        (NoticeChoice.START_HOUR_AGO, "", "start-1h"),
        (NoticeChoice.START_MORNING, "", "start-morning"),
        (NoticeChoice.EFFECT_CAMERAS, "", "effect-cams"),
        (NoticeChoice.EXPECTED, "2026-12-09", "exp:2026-12-09"),
        (NoticeChoice.ENROLLED_CONTACT, "", "contact-me"),
        (NoticeChoice.OTHER, "", "other"),
        (NoticeChoice.SEND, "", "send"),
        (NoticeChoice.EDIT, "", "edit"),
        (NoticeChoice.EDIT_PART, "description", "fix:description"),
        (NoticeChoice.REVIEW, "", "review"),
    ],
)
def test_a_notice_choice_reads_back_as_built(choice: NoticeChoice, picked: str, value: str) -> None:
    assert notice_choice(choice, picked) == value
    assert read_notice_choice(value) == NoticePick(choice, picked)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "kind",
        "kind:",
        "kind:volcano",
        "kind:camera:x",
        "cam:",
        "cam:C01:C02",
        "skip:x",
        "x",
        "exp",
        "exp:",
        "exp:2026-02-30",
        "exp:tomorrow",
        "send:x",
        "fix:",
    ],
)
def test_an_absurd_notice_choice_is_none(value: str) -> None:
    assert read_notice_choice(value) is None


def test_a_notice_choice_that_cannot_be_built_says_so() -> None:
    with pytest.raises(ValueError):
        notice_choice(NoticeChoice.KIND)
    with pytest.raises(ValueError):
        notice_choice(NoticeChoice.SKIP, "x")
