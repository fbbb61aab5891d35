"""Gate-log lines: lenient to type on a phone, strict about plates and container numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.epz.gatelog import GateDirection, LineProblem, parse_line, parse_lines

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("line", "plate", "container", "direction", "local_time"),
    [
        ("51C-123.45 CSQU3054383 in 14:05", "51C-123.45", "CSQU3054383", "in", "14:05"),
        ("51c12345 csqu 305438-3 vào 14h05", "51C-123.45", "CSQU3054383", "in", "14:05"),
        ("29A-1234 ra 7h30", "29A-1234", None, "out", "07:30"),
        ("51C 123.45 Vào", "51C-123.45", None, "in", "15:00"),
        ("out 51C-123.45 9g", "51C-123.45", None, "out", "09:00"),
    ],
)
def test_good_lines(
    line: str, plate: str, container: str | None, direction: str, local_time: str
) -> None:
    parsed = parse_line(line, NOW, TZ)
    assert parsed.problem is None and parsed.movement is not None
    movement = parsed.movement
    assert (movement.plate, movement.container, movement.direction) == (
        plate,
        container,
        GateDirection(direction),
    )
    assert movement.at.astimezone(TZ).strftime("%H:%M") == local_time


@pytest.mark.parametrize(
    ("line", "problem", "detail"),
    [
        ("CSQU3054383 in 14:05", LineProblem.NO_PLATE, "CSQU3054383 in 14:05"),
        ("51C-123.45 CSQU3054384 in", LineProblem.BAD_CONTAINER, "CSQU3054384"),
        ("51C-123.45 14:05", LineProblem.NO_DIRECTION, "51C-123.45 14:05"),
        ("51C-123.45 in 25:10", LineProblem.BAD_TIME, "25:10"),
        ("51C-123.45 in hôm qua", LineProblem.UNREADABLE, "hôm"),
    ],
)
def test_bad_lines_say_what_is_wrong(line: str, problem: LineProblem, detail: str) -> None:
    parsed = parse_line(line, NOW, TZ)
    assert parsed.movement is None
    assert (parsed.problem, parsed.detail) == (problem, detail)


def test_a_wrong_check_digit_names_the_right_one() -> None:
    assert parse_line("51C-123.45 CSQU3054384 in", NOW, TZ).expected_digit == 3


def test_a_time_after_now_is_last_evening() -> None:
    early = dt.datetime(2026, 11, 26, 0, 20, tzinfo=TZ)
    parsed = parse_line("51C-123.45 ra 23:50", early, TZ)
    assert parsed.movement is not None
    assert parsed.movement.at.astimezone(TZ) == dt.datetime(2026, 11, 25, 23, 50, tzinfo=TZ)


def test_a_message_of_several_lines_keeps_the_good_ones_and_flags_the_bad() -> None:
    parsed = parse_lines("51C-123.45 in 14:05\n\n29A-1234 ra 14:10\nxyz", NOW, TZ)
    assert [p.problem for p in parsed] == [None, None, LineProblem.NO_PLATE]
