"""Gate-log lines kept while an EPZ gate camera is down (247 I.2.3): lenient in, strict out.

A contact types lines such as `51C-123.45 CSQU3054383 in 14:05`, `29A12345 ra 7h30` or
`51C 123.45 vào`; each becomes a vehicle movement with a valid plate, an optional container
number whose ISO 6346 check digit holds, a direction and a local time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.customs.references import (
    container_check_digit,
    is_valid_container,
    normalise_container,
    normalise_plate,
)

_DIRECTIONS = {"in": "in", "vao": "in", "v": "in", "out": "out", "ra": "out", "r": "out"}
_TIME = re.compile(r"^(\d{1,2})(?:[:hg.](\d{2})?)?$")
_CONTAINER_SHAPE = re.compile(r"^[A-Za-z]{4}\d{6,7}$")
# A plate may be typed in two or three pieces: "51C 123.45", "51C-123 45".
_PLATE_PIECES = (3, 2, 1)


class GateDirection(StrEnum):
    """Into or out of the enterprise's gate."""

    IN = "in"
    OUT = "out"


class LineProblem(StrEnum):
    """What is wrong with a gate-log line; the caller explains it in the contact's language."""

    NO_PLATE = "no_plate"
    BAD_CONTAINER = "bad_container"
    NO_DIRECTION = "no_direction"
    BAD_TIME = "bad_time"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class GateMovement:
    """One vehicle through the gate."""

    plate: str
    direction: GateDirection
    at: dt.datetime
    container: str | None = None


@dataclass(frozen=True)
class ParsedLine:
    """A line read: the movement, or the problem and the offending piece."""

    line: str
    movement: GateMovement | None = None
    problem: LineProblem | None = None
    detail: str = ""
    expected_digit: int | None = None


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _take_plate(tokens: list[str]) -> tuple[str | None, list[str]]:
    for size in _PLATE_PIECES:
        for start in range(len(tokens) - size + 1):
            plate = normalise_plate(" ".join(tokens[start : start + size]))
            if plate is not None:
                return plate, tokens[:start] + tokens[start + size :]
    return None, tokens


def _take_container(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Find a container number typed in up to three pieces ("csqu 305438-3")."""
    for size in _PLATE_PIECES:
        for start in range(len(tokens) - size + 1):
            joined = "".join(tokens[start : start + size]).replace("-", "")
            if _CONTAINER_SHAPE.match(joined):
                return joined.upper(), tokens[:start] + tokens[start + size :]
    return None, tokens


def parse_line(line: str, now: dt.datetime, tz: ZoneInfo) -> ParsedLine:
    """Read one gate-log line; a missing time means now."""
    tokens = [t for t in re.split(r"[\s,;]+", line.strip()) if t]
    if not tokens:
        return ParsedLine(line, problem=LineProblem.UNREADABLE)
    plate, rest = _take_plate(tokens)
    if plate is None:
        return ParsedLine(line, problem=LineProblem.NO_PLATE, detail=line.strip())
    typed_container, rest = _take_container(rest)
    container = normalise_container(typed_container) if typed_container else None
    if typed_container and (container is None or not is_valid_container(container)):
        expected = container_check_digit(container[:10]) if container else None
        return ParsedLine(
            line,
            problem=LineProblem.BAD_CONTAINER,
            detail=typed_container,
            expected_digit=expected,
        )
    direction = None
    local_now = now.astimezone(tz)
    at = local_now
    for token in rest:
        folded = _fold(token)
        if folded in _DIRECTIONS:
            direction = GateDirection(_DIRECTIONS[folded])
        elif (match := _TIME.match(folded)) is not None:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour > 23 or minute > 59:
                return ParsedLine(line, problem=LineProblem.BAD_TIME, detail=token)
            at = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if at > local_now + dt.timedelta(minutes=5):
                # A time later than now was typed after midnight for the evening before.
                at -= dt.timedelta(days=1)
        else:
            return ParsedLine(line, problem=LineProblem.UNREADABLE, detail=token)
    if direction is None:
        return ParsedLine(line, problem=LineProblem.NO_DIRECTION, detail=line.strip())
    return ParsedLine(line, GateMovement(plate, direction, at.astimezone(dt.UTC), container))


def parse_lines(text: str, now: dt.datetime, tz: ZoneInfo) -> list[ParsedLine]:
    """Read every non-empty line of a message."""
    return [parse_line(line, now, tz) for line in text.splitlines() if line.strip()]
