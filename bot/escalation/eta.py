"""When a unit expects to finish a duty request, read from its free-text answer."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.escalation.eta_words import (
    AMPM,
    AN_HOUR,
    BARE_DURATION_MAX_HOURS,
    CLOCK_MARKERS,
    COLON,
    CONTACT_STRIP,
    DATE,
    DAY_FORMS,
    DAY_WORD,
    DAYS,
    DURATION_MARKERS,
    HALF_HOUR,
    HOURS,
    LEAD,
    LONGEST_DURATION,
    MINUTES,
    NUMBER_WORD,
    NUMBER_WORDS,
    PAST_DATE_TOLERANCE,
    PERIOD_AFTER,
    PERIOD_BEFORE,
    PERIODS,
    ROLLOVER_HORIZON,
    TRAIL,
    WORDS_BEFORE,
    G,
)


class EtaProblem(StrEnum):
    """Why no usable finishing time came out of an answer."""

    MISSING = "missing"
    IN_PAST = "in_past"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class EtaParse:
    """An answer split into its finishing time (UTC) and the rest, the contact."""

    eta: dt.datetime | None
    contact: str
    problem: EtaProblem | None
    # The time as typed ("15:30", "45 phút"), so the caller can quote it in a problem message.
    time_text: str = ""


@dataclass
class _Time:
    """One time expression: a clock time, a duration, or either (a bare '2h')."""

    start: int
    end: int
    kind: str  # "clock", "duration" or "either"
    hour: int = 0
    minute: int = 0
    duration: dt.timedelta = dt.timedelta()
    ampm: str | None = None
    leading_zero: bool = False
    readable: bool = True


@dataclass
class _Reading:
    """Everything found in one answer, with the spans that belong to the time."""

    text: str
    low: str
    times: list[_Time] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= t_start or start >= t_end for t_start, t_end in self.taken)

    def typed(self, start: int, end: int) -> str:
        return self.text[start:end].lower()


def _fold(text: str) -> str:
    """Lower-case and drop diacritics character by character, so offsets stay the text's."""
    folded = []
    for char in text:
        if char in "đĐ":
            folded.append("d")
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if unicodedata.combining(base):
            base = char
        lower = base.lower()
        folded.append(lower if len(lower) == 1 else base)
    return "".join(folded)


def _digits_for_number_words(text: str, low: str) -> str:
    """Write 'hai tiếng' as '2   tiếng' in the folded text, keeping every offset."""

    def replace(match: re.Match[str]) -> str:
        word = match.group("word")
        value, forms = NUMBER_WORDS[word]
        if text[match.start() : match.end()].lower() not in forms:
            return word
        return str(value).ljust(len(word))

    return NUMBER_WORD.sub(replace, low)


def _find_times(reading: _Reading) -> None:
    low = reading.low
    for pattern in (AMPM, COLON, G, HOURS, MINUTES, DAYS, HALF_HOUR, AN_HOUR):
        for match in pattern.finditer(low):
            if not reading.free(*match.span()):
                continue
            time = _time_of(pattern, match)
            reading.times.append(time)
            reading.taken.append((time.start, time.end))
    reading.times.sort(key=lambda time: time.start)


def _time_of(pattern: re.Pattern[str], match: re.Match[str]) -> _Time:
    start, end = match.span()
    if pattern is HALF_HOUR:
        return _Time(start, end, "duration", duration=dt.timedelta(minutes=30))
    if pattern is AN_HOUR:
        return _Time(start, end, "duration", duration=dt.timedelta(hours=1))
    if pattern is MINUTES:
        minutes = int(match.group("number"))
        return _Time(start, end, "duration", duration=dt.timedelta(minutes=minutes))
    if pattern is DAYS:
        days = int(match.group("number"))
        return _Time(start, end, "duration", duration=dt.timedelta(days=days))
    if pattern is HOURS:
        return _hours_time(match)
    hour = match.group("hour")
    minute = int(match.group("minute") or 0)
    time = _Time(start, end, "clock", int(hour), minute, leading_zero=hour.startswith("0"))
    if pattern is AMPM:
        time.ampm = match.group("ampm").replace(".", "")[0]
    return time


def _hours_time(match: re.Match[str]) -> _Time:
    start, end = match.span()
    unit = match.group("unit").strip()
    minute_text = match.group("minute")
    # "2 giờ 30" reads as 2:30, but a bare number after "2h " is too loose to take.
    if minute_text and match.group("gap") and unit == "h" and not match.group("minute_unit"):
        minute_text = None
        end = match.end("unit")
    number = match.group("number").replace(",", ".")
    minute = 30 if match.group("half") else int(minute_text or 0)
    hours = float(number)
    duration = dt.timedelta(hours=hours, minutes=minute)
    clock_like = unit in ("h", "gio") and "." not in number and hours <= 24
    if not clock_like:
        return _Time(start, end, "duration", duration=duration, readable=minute < 60)
    return _Time(
        start,
        end,
        "either",
        int(hours),
        minute,
        duration=duration,
        leading_zero=number.startswith("0") and len(number) == 2,
        readable=minute < 60,
    )


@dataclass
class _When:
    """The day and part of day that go with a clock time."""

    period: str | None = None
    day_offset: int | None = None
    date: dt.date | None = None
    readable: bool = True
    spans: list[tuple[int, int]] = field(default_factory=list)


def _period_around(reading: _Reading, time: _Time, when: _When) -> None:
    after = PERIOD_AFTER.match(reading.low, time.end)
    if after is not None and _period_typed(reading, after):
        _take_period(reading, after, when)
        return
    before = PERIOD_BEFORE.search(reading.low[: time.start])
    if before is not None and _period_typed(reading, before):
        _take_period(reading, before, when)


def _period_typed(reading: _Reading, match: re.Match[str]) -> bool:
    period = match.group("period")
    if reading.typed(*match.span("period")) not in PERIODS[period]:
        return False
    day = match.group("day")
    return day is None or reading.typed(*match.span("day")) in DAY_FORMS[day] + ("này",)


def _take_period(reading: _Reading, match: re.Match[str], when: _When) -> None:
    when.period = match.group("period")
    if match.group("day") is not None:
        when.day_offset = 1 if match.group("day") == "mai" else 0
    span = (match.start("period"), match.end())
    when.spans.append(span)
    reading.taken.append(span)


def _days_and_dates(reading: _Reading, when: _When, now_local: dt.datetime) -> None:
    offsets: set[int] = set() if when.day_offset is None else {when.day_offset}
    for match in DAY_WORD.finditer(reading.low):
        if not reading.free(*match.span()) or not _day_typed(reading, match):
            continue
        kind = match.lastgroup
        offsets.add(2 if kind == "plus2" else 1 if kind in ("plus1", "mai") else 0)
        if kind == "tonight" and when.period is None:
            when.period = "toi"
        when.spans.append(match.span())
        reading.taken.append(match.span())
    if len(offsets) > 1:
        when.readable = False
    elif offsets:
        when.day_offset = offsets.pop()
    dates: set[dt.date] = set()
    for match in DATE.finditer(reading.low):
        if not reading.free(*match.span()):
            continue
        start = match.start()
        # "ngày 25/11" is one date, so the time as typed reads "17h ngày 25/11".
        if reading.low[:start].endswith("ngay ") and _may_lead(reading, start - 5):
            start -= 5
        when.spans.append((start, match.end()))
        reading.taken.append((start, match.end()))
        date = _date_of(match, now_local.date())
        if date is None:
            when.readable = False
        else:
            dates.add(date)
    if len(dates) > 1:
        when.readable = False
    elif dates:
        when.date = dates.pop()
        if when.day_offset is not None:
            expected = now_local.date() + dt.timedelta(days=when.day_offset)
            when.readable = when.readable and when.date == expected


def _day_typed(reading: _Reading, match: re.Match[str]) -> bool:
    typed = reading.text[match.start() : match.end()]
    if match.lastgroup == "mai":
        # Capitalised, "Mai" is a name (Đ/c Mai); only lower-case "mai" says tomorrow.
        return typed == "mai"
    if match.lastgroup in ("plus1", "plus2", "today"):
        words = typed.lower().split()
        folded = reading.low[match.start() : match.end()].split()
        if folded[0] in DAY_FORMS and words[0] not in DAY_FORMS[folded[0]]:
            return False
    return True


def _date_of(match: re.Match[str], today: dt.date) -> dt.date | None:
    year_text = match.group("year")
    year = today.year if year_text is None else int(year_text)
    if year_text is not None and len(year_text) == 2:
        year += 2000
    try:
        date = dt.date(year, int(match.group("month")), int(match.group("day")))
    except ValueError:
        return None
    if year_text is None and date < today - PAST_DATE_TOLERANCE:
        date = date.replace(year=year + 1)
    return date


def _markers_before(reading: _Reading, time: _Time) -> str:
    match = WORDS_BEFORE.search(reading.low[: time.start])
    return "" if match is None else match.group(1)


def _ends_with_any(words: str, markers: tuple[str, ...]) -> bool:
    return any(words == marker or words.endswith(" " + marker) for marker in markers)


def _is_duration(reading: _Reading, time: _Time, when: _When) -> bool:
    """Decide whether a bare '2h' or '2 giờ' is a duration or a time of day."""
    if when.period is not None or when.day_offset is not None or when.date is not None:
        return False
    before = _markers_before(reading, time)
    if _ends_with_any(before, CLOCK_MARKERS):
        return False
    if _ends_with_any(before, DURATION_MARKERS) or TRAIL.match(reading.low, time.end):
        return True
    return time.hour <= BARE_DURATION_MAX_HOURS


def _hour_in_period(hour: int, period: str | None) -> int | None:
    """The 24-hour clock hour for '3 chiều', '10 đêm', '12 am', or None if it cannot be."""
    if period in ("a", "p"):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if period == "p" else 0)
    if period in ("chieu", "toi", "afternoon", "evening"):
        return hour + 12 if hour < 12 else hour
    if period in ("trua", "noon"):
        return hour + 12 if hour < 6 else hour
    if period in ("dem", "night"):
        if hour == 12:
            return 24
        return hour + 12 if 6 <= hour < 12 else hour
    return hour


def _local(date: dt.date, hour: int, minute: int, tz: ZoneInfo) -> dt.datetime:
    extra = dt.timedelta(days=1) if hour == 24 else dt.timedelta()
    moment = dt.datetime.combine(date + extra, dt.time(hour % 24, minute), tzinfo=tz)
    return moment.astimezone(dt.UTC)


def _clock_eta(
    time: _Time, when: _When, now: dt.datetime, tz: ZoneInfo
) -> tuple[dt.datetime | None, EtaProblem | None]:
    hour = _hour_in_period(time.hour, time.ampm or when.period)
    if hour is None or hour > 24 or time.minute > 59 or (hour == 24 and time.minute):
        return None, EtaProblem.UNREADABLE
    today = now.astimezone(tz).date()
    if when.date is not None or when.day_offset is not None:
        day = when.date or today + dt.timedelta(days=when.day_offset or 0)
        eta = _local(day, hour, time.minute, tz)
        return (eta, None) if eta > now else (None, EtaProblem.IN_PAST)
    candidates = [_local(today, hour, time.minute, tz)]
    # "3 giờ" said at 14:00 means 15:00, as in speech; "03:00" with its zero means what it says.
    if time.ampm is None and when.period is None and 1 <= hour < 12 and not time.leading_zero:
        candidates.append(_local(today, hour + 12, time.minute, tz))
    tomorrow = _local(today + dt.timedelta(days=1), hour, time.minute, tz)
    if tomorrow - now <= ROLLOVER_HORIZON:
        candidates.append(tomorrow)
    for eta in candidates:
        if eta > now:
            return eta, None
    return None, EtaProblem.IN_PAST


def _may_lead(reading: _Reading, start: int) -> bool:
    """A capitalised lead word inside a phrase is a name (anh Sáu, Đ/c Tâm), not 'sau', 'tầm'."""
    if not reading.text[start].isupper():
        return True
    before = reading.text[:start].rstrip(" \t")
    return not before or before[-1] in "\n,;.!?-–—:"


def _contact(reading: _Reading, spans: list[tuple[int, int]]) -> str:
    """The answer without the time and its lead words, as one line."""
    removed: list[tuple[int, int]] = []
    for start, end in spans:
        while True:
            lead = LEAD.search(reading.low[:start])
            if lead is None or lead.start() == start or not _may_lead(reading, lead.start()):
                break
            start = lead.start()
        trail = TRAIL.match(reading.low, end)
        if trail is not None:
            end = trail.end()
        removed.append((start, end))
    pieces: list[str] = []
    position = 0
    for start, end in sorted(removed):
        pieces.append(reading.text[position:start])
        position = max(position, end)
    pieces.append(reading.text[position:])
    parts = [
        " ".join(line.split()).strip(CONTACT_STRIP)
        for piece in pieces
        for line in piece.splitlines()
    ]
    return ", ".join(part for part in parts if part)


def _typed_time(text: str, spans: list[tuple[int, int]]) -> str:
    """The time as typed: '9h sáng mai' in one piece, separate expressions joined by commas."""
    groups: list[list[int]] = []
    for start, end in sorted(spans):
        if groups and not text[groups[-1][1] : start].strip():
            groups[-1][1] = max(groups[-1][1], end)
        else:
            groups.append([start, end])
    return ", ".join(text[start:end] for start, end in groups)


def parse_eta(text: str, now: dt.datetime, tz: ZoneInfo) -> EtaParse:
    """Read who handles a request and when they expect to finish; the time comes back in UTC."""
    if now.tzinfo is None:
        raise ValueError("parse_eta needs a timezone-aware now")
    text = unicodedata.normalize("NFC", text)
    reading = _Reading(text, _digits_for_number_words(text, _fold(text)))
    _find_times(reading)
    when = _When()
    if len(reading.times) == 1 and reading.times[0].kind != "duration":
        _period_around(reading, reading.times[0], when)
    _days_and_dates(reading, when, now.astimezone(tz))
    time_spans = [(time.start, time.end) for time in reading.times]
    contact = _contact(reading, time_spans + when.spans)
    time_text = _typed_time(text, time_spans + when.spans)
    if not reading.times:
        missing = EtaProblem.MISSING if when.readable else EtaProblem.UNREADABLE
        return EtaParse(None, contact, missing)
    if len(reading.times) > 1 or not when.readable:
        return EtaParse(None, contact, EtaProblem.UNREADABLE, time_text)
    time = reading.times[0]
    if not time.readable:
        return EtaParse(None, contact, EtaProblem.UNREADABLE, time_text)
    if time.kind == "duration" or (time.kind == "either" and _is_duration(reading, time, when)):
        if not dt.timedelta() < time.duration <= LONGEST_DURATION:
            return EtaParse(None, contact, EtaProblem.UNREADABLE, time_text)
        return EtaParse((now + time.duration).astimezone(dt.UTC), contact, None, time_text)
    eta, problem = _clock_eta(time, when, now, tz)
    return EtaParse(eta, contact, problem, time_text)
