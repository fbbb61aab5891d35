"""Reading since when a fault has lasted, and a contact's name with the phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.epz.free_notice import read_contact
from bot.epz.since import SinceProblem, read_since

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6h30", at(25, 6, 30)),
        ("06:30", at(25, 6, 30)),
        ("từ 6h30", at(25, 6, 30)),
        ("Từ 6 giờ 30", at(25, 6, 30)),
        ("24/11 06:30", at(24, 6, 30)),
        ("từ 6h30 ngày 24/11", at(24, 6, 30)),
        ("9h", NOW),  # typed at 09:00:xx: now, not tomorrow
        ("23h", at(24, 23)),  # later than now today: last night
        ("22h hôm qua", at(24, 22)),
        ("2h chiều hôm qua", at(24, 14)),
        ("11h đêm qua", at(24, 23)),
        ("bây giờ", NOW),
        ("24/11", at(24, 0)),
    ],
)
def test_when_a_fault_began(text: str, expected: dt.datetime) -> None:
    since = read_since(text, NOW, TZ)
    assert (since.at, since.problem) == (expected, None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("28/11 06:30", SinceProblem.FUTURE),
        ("25/10 06:30", SinceProblem.TOO_OLD),
        ("25/11/2025 06:30", SinceProblem.TOO_OLD),
        ("hôm trước", SinceProblem.UNREADABLE),
        ("không rõ", SinceProblem.UNREADABLE),
    ],
)
def test_what_cannot_be_a_faults_start(text: str, problem: SinceProblem) -> None:
    assert read_since(text, NOW, TZ).problem is problem


def test_a_late_december_day_typed_in_january_is_last_years() -> None:
    january = dt.datetime(2027, 1, 2, 9, 0, tzinfo=TZ)
    assert read_since("30/12 08:00", january, TZ).at == at(30, 8, month=12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Liên hệ anh Tuấn 0903 123 456", "anh Tuấn 0903 123 456"),
        ("Dự kiến 27/11. Liên hệ Nguyễn Văn Tuấn 0903123456", "Nguyễn Văn Tuấn 0903123456"),
        ("Đầu mối: Nguyễn Văn Tuấn, 0903123456", "Nguyễn Văn Tuấn 0903123456"),
        ("Anh Tuấn 0903 123 456", "Anh Tuấn 0903 123 456"),
        ("gọi 0903123456 (chị Hoa)", "chị Hoa 0903123456"),
        ("liên hệ 0903123456", "0903123456"),
        ("SĐT 0903123456", "0903123456"),
        ("liên hệ anh 0903123456", "0903123456"),
        ("không có số", ""),
    ],
)
def test_a_contact_keeps_its_name(text: str, expected: str) -> None:
    assert read_contact(text) == expected
