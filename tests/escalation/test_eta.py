"""Finishing times read from a unit's free-text answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.escalation.eta import EtaParse, EtaProblem, parse_eta

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 25 November 2026, 14:00 in Hanoi (07:00 UTC).
AFTERNOON = dt.datetime(2026, 11, 25, 14, 0, tzinfo=TZ)
LATE_EVENING = dt.datetime(2026, 11, 25, 23, 30, tzinfo=TZ)


def local(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def parsed(text: str, now: dt.datetime = AFTERNOON) -> EtaParse:
    result = parse_eta(text, now.astimezone(dt.UTC), TZ)
    if result.eta is not None:
        assert result.eta.utcoffset() == dt.timedelta(0)
    return result


DURATIONS: list[tuple[str, dt.timedelta, str]] = [
    ("Trần Văn Hùng 0987654321 - 45 phút", dt.timedelta(minutes=45), "Trần Văn Hùng 0987654321"),
    ("Hùng 0987654321, 45p", dt.timedelta(minutes=45), "Hùng 0987654321"),
    ("Hùng 45 phut", dt.timedelta(minutes=45), "Hùng"),
    ("Hung, in 45 min", dt.timedelta(minutes=45), "Hung"),
    ("2 giờ", dt.timedelta(hours=2), ""),
    ("2 gio", dt.timedelta(hours=2), ""),
    ("2h", dt.timedelta(hours=2), ""),
    ("1 tiếng", dt.timedelta(hours=1), ""),
    ("1 tieng", dt.timedelta(hours=1), ""),
    ("1h30", dt.timedelta(minutes=90), ""),
    ("1 tiếng 30 phút", dt.timedelta(minutes=90), ""),
    ("một tiếng rưỡi", dt.timedelta(minutes=90), ""),
    ("hai tiếng", dt.timedelta(hours=2), ""),
    ("nửa tiếng", dt.timedelta(minutes=30), ""),
    ("1,5 tiếng", dt.timedelta(minutes=90), ""),
    ("90 minutes", dt.timedelta(minutes=90), ""),
    ("2 hours", dt.timedelta(hours=2), ""),
    ("Đ/c Lan, trong 3 ngày", dt.timedelta(days=3), "Đ/c Lan"),
    # A large bare hour is a time of day, but "nữa" / "trong" make it a duration.
    ("anh Sáu 0912345678, 6h nữa", dt.timedelta(hours=6), "anh Sáu 0912345678"),
    ("trong 8 giờ", dt.timedelta(hours=8), ""),
]


@pytest.mark.parametrize(("text", "duration", "contact"), DURATIONS)
def test_durations_count_from_now(text: str, duration: dt.timedelta, contact: str) -> None:
    result = parsed(text)
    assert (result.eta, result.contact, result.problem) == (
        AFTERNOON.astimezone(dt.UTC) + duration,
        contact,
        None,
    )


CLOCK_TIMES: list[tuple[str, dt.datetime, str, str]] = [
    (
        "Đ/c Giang, 0912 345 678, xong lúc 15:30",
        local(25, 15, 30),
        "Đ/c Giang, 0912 345 678",
        "15:30",
    ),
    ("15h30", local(25, 15, 30), "", "15h30"),
    ("15g30", local(25, 15, 30), "", "15g30"),
    ("15h", local(25, 15), "", "15h"),
    ("15 giờ 30 phút", local(25, 15, 30), "", "15 giờ 30 phút"),
    ("15:30 25/11", local(25, 15, 30), "", "15:30 25/11"),
    ("08:00 26/11/2026", local(26, 8), "", "08:00 26/11/2026"),
    ("17h ngày 27/11", local(27, 17), "", "17h ngày 27/11"),
    ("9h sáng mai", local(26, 9), "", "9h sáng mai"),
    ("9h sang mai", local(26, 9), "", "9h sang mai"),
    ("sáng mai 9h", local(26, 9), "", "sáng mai 9h"),
    ("3 pm", local(25, 15), "", "3 pm"),
    ("at 4:15pm", local(25, 16, 15), "", "4:15pm"),
    ("tomorrow 9am", local(26, 9), "", "tomorrow 9am"),
    ("2 giờ chiều mai", local(26, 14), "", "2 giờ chiều mai"),
    ("chiều nay 5h", local(25, 17), "", "chiều nay 5h"),
    ("10h tối", local(25, 22), "", "10h tối"),
    ("12h đêm", local(26, 0), "", "12h đêm"),
    # "lúc" makes a small hour a time of day; said at 14:00, "3 giờ" means 15:00.
    ("lúc 3h", local(25, 15), "", "3h"),
    ("xong lúc 3:30", local(25, 15, 30), "", "3:30"),
    ("Đ/c Giang xong lúc 15:30 ngày mai", local(26, 15, 30), "Đ/c Giang", "15:30 ngày mai"),
    ("13:00 mai", local(26, 13), "", "13:00 mai"),
    ("Đ/c Tâm 15:30", local(25, 15, 30), "Đ/c Tâm", "15:30"),
    (
        "Giang\n0912 345 678\nETA: 16:45",
        local(25, 16, 45),
        "Giang, 0912 345 678",
        "16:45",
    ),
]


@pytest.mark.parametrize(("text", "eta", "contact", "time_text"), CLOCK_TIMES)
def test_clock_times_are_local(text: str, eta: dt.datetime, contact: str, time_text: str) -> None:
    assert parsed(text) == EtaParse(eta.astimezone(dt.UTC), contact, None, time_text)


PROBLEMS: list[tuple[str, EtaProblem, str]] = [
    ("Đ/c Giang, 0912 345 678", EtaProblem.MISSING, "Đ/c Giang, 0912 345 678"),
    ("Đ/c Giang, xong trong ngày 26/11", EtaProblem.MISSING, "Đ/c Giang"),
    ("", EtaProblem.MISSING, ""),
    ("Đ/c Giang, 0912 345 678, xong lúc 13:30", EtaProblem.IN_PAST, "Đ/c Giang, 0912 345 678"),
    # Capitalised, Mai is a name, so this is not tomorrow.
    ("Đ/c Mai, 13:30", EtaProblem.IN_PAST, "Đ/c Mai"),
    ("lúc 03:00", EtaProblem.IN_PAST, ""),
    ("hôm nay 9h", EtaProblem.IN_PAST, ""),
    ("17h ngày 24/11", EtaProblem.IN_PAST, ""),
    ("15:30 hoặc 16:00", EtaProblem.UNREADABLE, "hoặc"),
    ("Giang 25:00", EtaProblem.UNREADABLE, "Giang"),
    ("15:75", EtaProblem.UNREADABLE, ""),
    ("15:30 32/13", EtaProblem.UNREADABLE, ""),
    ("15:30 31/02", EtaProblem.UNREADABLE, ""),
    ("15:30 ngày mai 28/11", EtaProblem.UNREADABLE, ""),
    ("0 phút", EtaProblem.UNREADABLE, ""),
    ("13 pm", EtaProblem.UNREADABLE, ""),
    ("trong 10 ngày", EtaProblem.UNREADABLE, ""),
]


@pytest.mark.parametrize(("text", "problem", "contact"), PROBLEMS)
def test_problems(text: str, problem: EtaProblem, contact: str) -> None:
    result = parsed(text)
    assert (result.eta, result.problem, result.contact) == (None, problem, contact)


def test_a_problem_quotes_the_time_as_typed() -> None:
    assert parsed("Đ/c Giang, 15:30 hoặc 16:00").time_text == "15:30, 16:00"
    assert parsed("Giang 25:00").time_text == "25:00"
    assert parsed("Giang").time_text == ""


AROUND_MIDNIGHT: list[tuple[str, dt.datetime | None]] = [
    ("xong lúc 0:30", local(26, 0, 30)),
    ("00:30", local(26, 0, 30)),
    ("lúc 1h", local(26, 1)),
    ("23:45", local(25, 23, 45)),
    ("5h sáng", local(26, 5)),
    ("0:30 mai", local(26, 0, 30)),
    ("mai 15:30", local(26, 15, 30)),
    ("1 tiếng", local(26, 0, 30)),
    ("45 phút", local(26, 0, 15)),
    ("hôm nay 0:30", None),
    ("15:30", None),
    ("22:00", None),
]


@pytest.mark.parametrize(("text", "eta"), AROUND_MIDNIGHT)
def test_around_midnight(text: str, eta: dt.datetime | None) -> None:
    result = parsed(text, LATE_EVENING)
    expected = None if eta is None else eta.astimezone(dt.UTC)
    problem = None if eta is not None else EtaProblem.IN_PAST
    assert (result.eta, result.problem) == (expected, problem)


def test_the_local_day_counts_not_the_utc_day() -> None:
    # 00:30 on 26/11 in Hanoi is still 25/11 in UTC.
    now = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)
    assert parse_eta("15:30", now, TZ).eta == dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)
    assert parse_eta("9h sáng mai", now, TZ).eta == dt.datetime(2026, 11, 27, 2, tzinfo=dt.UTC)


def test_a_date_without_a_year_after_new_year_is_next_year() -> None:
    now = local(30, 16, month=12)
    assert parsed("08:00 02/01", now).eta == local(2, 8, month=1, year=2027).astimezone(dt.UTC)


def test_another_time_zone_moves_the_utc_time() -> None:
    now = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)
    # 07:00 UTC is 16:00 in Tokyo: 17:30 there is 08:30 UTC, and 15:30 has passed.
    assert parse_eta("17:30", now, ZoneInfo("Asia/Tokyo")).eta == dt.datetime(
        2026, 11, 25, 8, 30, tzinfo=dt.UTC
    )
    assert parse_eta("15:30", now, ZoneInfo("Asia/Tokyo")).problem is EtaProblem.IN_PAST
    assert parse_eta("15:30", now, ZoneInfo("UTC")).eta == dt.datetime(
        2026, 11, 25, 15, 30, tzinfo=dt.UTC
    )


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError):
        parse_eta("15:30", dt.datetime(2026, 11, 25, 14, 0), TZ)
