"""Vietnamese working-day calendar for EPZ repair deadlines (Decision 247/QĐ-TCHQ)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

    from bot.config import Settings

# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and
# needs no tz database; public holidays are Vietnamese calendar days, whatever the desk's zone.
VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One government-decided change to the statutory calendar for civil servants."""

    day: dt.date
    working: bool
    label: str
    source: str


# Official changes for civil servants that holidays.Vietnam (checked against 0.109) lacks.
# The package already has every statutory day, the in-lieu days (e.g. Mon 27/04/2026 for Hùng
# Kings' day on a Sunday) and the day-off side of the 2026 National Day swap (Mon 31/08/2026);
# it has no notion of a Saturday made a working day, nor the 2026 New Year swap.
# Tết 2026 (Mon 16/02 – Fri 20/02, 9 days with the weekends) matches the package as decided in
# Notice 9441/TB-BNV of 16/10/2025, so it needs no entry here; so do Hùng Kings' day (off
# Mon 27/04) and 30/4–1/5 2026 (Thu–Fri, no bridge day), per the Labour Code's in-lieu rule.
# Caution: the package also counts Vietnam Cultural Day (24/11, from 2026) as a holiday, after
# Resolution 80-NQ/TW; as of 02/2026 the Labour Code amendment making it a paid day off was
# still pending (Resolution 30/NQ-CP), so it is left as the package has it and the desk can
# list 24/11/2026 in extra_working_days if it is not enacted in time.
# 2027: no decision had been published when this was written (Tết Đinh Mùi, 30/4 and 2/9 2027
# are normally decided in Q4 2026); 2027 follows the package's statutory rules until the desk
# adds the decision through WorkCalendar's extra_days_off / extra_working_days.
DEFAULT_ADJUSTMENTS: tuple[Adjustment, ...] = (
    # Official Dispatch 12729/VPCP-KGVX of 25/12/2025 (Deputy PM Phạm Thị Thanh Trà): New Year
    # 2026 off Thu 01/01 – Sun 04/01, Fri 02/01 swapped with Sat 10/01; reported at
    # https://vietnam.vnanet.vn/english/tin-van/civil-servants-public-employees-to-have-four-day-new-year-break-418376.html
    Adjustment(
        dt.date(2026, 1, 2),
        working=False,
        label="Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        source="12729/VPCP-KGVX, 25/12/2025",
    ),
    # Same dispatch 12729/VPCP-KGVX of 25/12/2025: Sat 10/01/2026 is worked instead of 02/01.
    Adjustment(
        dt.date(2026, 1, 10),
        working=True,
        label="Làm bù cho thứ Sáu 02/01/2026",
        source="12729/VPCP-KGVX, 25/12/2025",
    ),
    # Notice 9441/TB-BNV of 16/10/2025 (Ministry of Home Affairs, on the PM's approval): National
    # Day 2026 off Sat 29/08 – Wed 02/09, Mon 31/08 off and Sat 22/08 worked in its place;
    # reported at https://vietnamnews.vn/politics-laws/1727514/ministry-of-home-affairs-announces-2026-holiday-schedule-for-lunar-new-year-national-day.html
    Adjustment(
        dt.date(2026, 8, 22),
        working=True,
        label="Làm bù cho thứ Hai 31/08/2026",
        source="9441/TB-BNV, 16/10/2025",
    ),
)

# Years whose Tết, 30/4–1/5 and 2/9 schedules were checked against the government's notices;
# for other years the dates are the package's statutory estimate and should be shown as such.
CONFIRMED_YEARS: frozenset[int] = frozenset({2026})


class WorkCalendar:
    """Working days of Vietnamese state agencies: Mon–Fri less public holidays, plus swaps."""

    def __init__(
        self,
        *,
        extra_days_off: Iterable[dt.date] = (),
        extra_working_days: Iterable[dt.date] = (),
        years: Iterable[int] | None = None,
    ) -> None:
        off = frozenset(extra_days_off)
        working = frozenset(extra_working_days)
        if clash := off & working:
            days = ", ".join(sorted(d.isoformat() for d in clash))
            raise ValueError(f"days both off and working in configuration: {days}")
        # The desk's configuration wins over the shipped defaults, so a late government change
        # (or a reversed decision) can be applied without a new release. Working days are
        # checked first, so only shipped working days need filtering against configured offs.
        self._off: dict[dt.date, str | None] = {
            a.day: a.label for a in DEFAULT_ADJUSTMENTS if not a.working
        }
        self._off.update((d, None) for d in off)
        self._working: frozenset[dt.date] = working | {
            a.day for a in DEFAULT_ADJUSTMENTS if a.working and a.day not in off
        }
        self._years = None if years is None else list(years)
        self._public: HolidayBase | None = None

    @property
    def _holidays(self) -> HolidayBase:
        """The public holidays, read by the first question about a working day.

        The holidays package imports every country it knows (about 0.2 s and 17 MB): a desk
        that never counts working days (no EPZ outage, no report) never loads it.
        """
        if self._public is None:
            import holidays

            # "vi" so names match what the desk's Vietnamese users read; observed=True keeps
            # the in-lieu days the Labour Code (Art. 111(3)) grants when a holiday falls on a
            # weekend. expand stays on so dates outside `years` still resolve rather than read
            # as workdays.
            self._public = holidays.country_holidays(
                "VN", years=self._years, language="vi", observed=True
            )
        return self._public

    def is_working_day(self, day: dt.date) -> bool:
        """Tell whether state agencies work on this (Vietnamese) calendar day."""
        day = _local_date(day)
        if day in self._working:
            return True
        if day in self._off:
            return False
        if day.weekday() >= 5:
            return False
        return day not in self._holidays

    def holiday_name(self, day: dt.date) -> str | None:
        """Name of the holiday that makes this day non-working, or None."""
        day = _local_date(day)
        if self.is_working_day(day):
            return None
        if day in self._off:
            # A configured day off has no label; fall through to the package's name if any.
            label = self._off[day]
            if label is not None:
                return label
        name = self._holidays.get(day)
        return name if isinstance(name, str) else None

    def add_working_days(self, start: dt.datetime | dt.date, days: int) -> dt.date:
        """Deadline date: the `days`-th working day after the notice; it ends at 24:00 that day.

        The notice day itself never counts, whatever the hour: Civil Code 2015 Art. 147(3) starts
        a period opened by an event on the next day, and Art. 148(1) ends it at the end of its
        last day. So a notice on Friday evening, or on a Saturday, gives Monday as working day 1
        (3 working days: Wednesday); a notice on a holiday gives the first working day after the
        holiday as day 1, exactly as if it had come in on the last working day before it. Aware
        datetimes are read in Vietnam time; naive ones are taken as Vietnamese local time.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        day = _local_date(start)
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` is earlier."""
        first, last = _local_date(start), _local_date(end)
        if last < first:
            return -self.working_days_between(last, first)
        # Same convention as add_working_days, so between(s, add_working_days(s, n)) == n.
        count = 0
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def desk_calendar(settings: Settings) -> WorkCalendar:
    """The calendar with the desk's configured days off and working days."""
    return WorkCalendar(
        extra_days_off=settings.calendar.extra_days_off,
        extra_working_days=settings.calendar.extra_working_days,
    )


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    """Calendar date in Vietnam of a date, a naive local datetime or an aware datetime."""
    if isinstance(value, dt.datetime):
        # Aware times (the bot stores UTC) must be moved to Vietnam first: 20:00 UTC is
        # already the next day in Vietnam. Naive ones are taken as Vietnamese local time.
        if value.tzinfo is not None:
            value = value.astimezone(VIETNAM_TZ)
        return value.date()
    return value
