"""The rules that keep the duty group readable, each case something a duty officer would see.

Fold window: a repeat within `alerts.fold_window_seconds` counts on the open card. Storm: once
`alerts.digest_after_per_minute` cards opened within a minute, new alerts join the digest.
Faults: written in the logbook and told to the camera's unit, in few notices.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.camera.folding import (
    FAULT_NOTICE_GAP,
    FAULT_NOTICE_LINES,
    OpenAlert,
    fold_target,
    is_fault,
    joins_waiting_notice,
    next_notice_at,
    storming,
)

NOW = dt.datetime(2026, 11, 25, 2, 10, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=5)


def _ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


@pytest.mark.parametrize(
    ("camera", "kind", "last_seen", "folds"),
    [
        pytest.param(
            "12", "motion", _ago(minutes=2), True, id="a second motion on 12 soon after folds"
        ),
        pytest.param("12", "motion", _ago(minutes=5), True, id="at the window's very edge folds"),
        pytest.param(
            "12", "motion", _ago(minutes=5, seconds=1), False, id="past the window: a new card"
        ),
        pytest.param("13", "motion", _ago(seconds=10), False, id="another camera: its own card"),
        pytest.param(
            "12", "tampering", _ago(seconds=10), False, id="another kind on 12: its own card"
        ),
    ],
)
def test_repeats_fold_into_the_open_card_within_the_window(
    camera: str, kind: str, last_seen: dt.datetime, folds: bool
) -> None:
    open_motion = OpenAlert(id=1, count=3, last_seen_at=last_seen, digest=False)
    target = fold_target({("12", "motion"): open_motion}, camera, kind, NOW, WINDOW)
    assert (target is open_motion) is folds


def test_with_no_open_alert_an_event_opens_a_card() -> None:
    assert fold_target({}, "12", "motion", NOW, WINDOW) is None


@pytest.mark.parametrize(
    ("carded", "storm"),
    [
        pytest.param([], False, id="a quiet night: the first alert gets a card"),
        pytest.param(
            [_ago(seconds=s) for s in (50, 40, 30)], False, id="three cards in a minute: a card"
        ),
        pytest.param(
            [_ago(seconds=s) for s in (50, 40, 30, 20)],
            True,
            id="the fourth card within the minute turns the next alert into a digest line",
        ),
        pytest.param(
            [_ago(seconds=s) for s in (60, 40, 30, 20)],
            True,
            id="a card opened exactly a minute ago still counts",
        ),
        pytest.param(
            [_ago(seconds=s) for s in (61, 90, 30, 20)],
            False,
            id="cards older than a minute no longer count: back to cards",
        ),
    ],
)
def test_a_burst_of_new_cards_turns_into_the_storm_digest(
    carded: list[dt.datetime], storm: bool
) -> None:
    assert storming(carded, NOW, threshold=4) is storm


@pytest.mark.parametrize(
    ("kind", "fault"),
    [
        ("tampering", True),
        ("video_loss", True),
        ("hardware_failure", True),
        ("storage_failure", True),
        ("camera_offline", True),
        ("defocus", True),
        ("scene_change", True),
        ("motion", False),
        ("line_crossing", False),
        ("intrusion", False),
        ("too_dark", False),
        ("something_new", False),
        ("", False),
    ],
)
def test_faults_are_the_kinds_the_unit_must_hear_of(kind: str, fault: bool) -> None:
    # A fault is logged and told to the unit (888 Art. 14.1.1d); an intruder is not a fault.
    assert is_fault(kind) is fault


@pytest.mark.parametrize(
    ("waiting", "new", "joins"),
    [
        pytest.param(1, 1, True, id="a second fault joins the notice still waiting"),
        pytest.param(FAULT_NOTICE_LINES - 3, 3, True, id="up to a full notice joins"),
        pytest.param(
            FAULT_NOTICE_LINES - 3, 4, False, id="past a full notice: a new notice follows"
        ),
    ],
)
def test_faults_join_the_units_waiting_notice_while_it_has_room(
    waiting: int, new: int, joins: bool
) -> None:
    assert joins_waiting_notice(waiting, new) is joins


@pytest.mark.parametrize(
    ("last_at", "goes_at"),
    [
        pytest.param(None, NOW, id="the first notice to a unit goes at once"),
        pytest.param(
            _ago(seconds=5), NOW - dt.timedelta(seconds=5) + FAULT_NOTICE_GAP, id="then waits"
        ),
        pytest.param(_ago(minutes=1), NOW, id="a unit not told for a while hears at once"),
    ],
)
def test_a_unit_hears_of_faults_at_most_every_few_seconds(
    last_at: dt.datetime | None, goes_at: dt.datetime
) -> None:
    assert next_notice_at(NOW, last_at) == goes_at
