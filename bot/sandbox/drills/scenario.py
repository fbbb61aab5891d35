"""A drill as written: a start time, a pace and timed steps, read from YAML."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.sandbox import demo

SCENARIOS = Path(__file__).parent / "scenarios"

# Who a step acts as, by the role a trainer thinks in.
ACTORS: dict[str, int] = {
    "leader": demo.LEADER,
    "section": demo.SECTION,
    "clerk": demo.CLERK,
    "officer": demo.OFFICER,
    "officer2": demo.OFFICER_2,
    "unit": demo.UNIT_CONTACT,
    "team": demo.TEAM_CONTACT,
    "epz": demo.EPZ_CONTACT,
}
CHATS: dict[str, int] = {"group": demo.GROUP, "unit": demo.UNIT_CHAT, "team": demo.TEAM_CHAT}
# Moments a drill can jump to, worked out from the bot's records when the step comes.
SKIP_TARGETS = frozenset({"epz-overdue"})

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScenarioError(ValueError):
    """A drill file that cannot be played, with where and why."""


def parse_span(value: Any, where: str) -> dt.timedelta:
    """'90s', '2m', '1.5h', '3d' as a span."""
    match = _SPAN.match(str(value))
    if match is None:
        raise ScenarioError(f"{where}: {value!r} is not a span such as 30s, 2m, 1h or 3d")
    return dt.timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


def parse_time(value: Any, where: str) -> dt.time:
    """'02:10' as a time of day."""
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(f"{where}: {value!r} is not a time of day such as 02:10") from None


@dataclass(frozen=True)
class Step:
    """One thing that happens in a drill, when its moment comes."""

    at: dt.time | None = None
    after: dt.timedelta = dt.timedelta(0)
    actor: int | None = None
    chat: str = "group"
    wait: str | None = None
    press: str | None = None
    say: str | None = None
    camera: str | None = None
    event: str | None = None
    skip_to: str | None = None
    note: dict[str, str] = field(default_factory=dict)

    def chat_id(self) -> int:
        """The chat the step looks at and acts in (a private chat is the actor's)."""
        if self.chat == "private":
            assert self.actor is not None
            return self.actor
        return CHATS[self.chat]


@dataclass(frozen=True)
class Scenario:
    """A drill: what it trains, where it starts, how fast it runs, what happens."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    start: dt.time | None
    speed: float
    steps: tuple[Step, ...]

    def text(self, texts: dict[str, str], locale: str) -> str:
        """A text of the drill in the page's language, Vietnamese when not translated."""
        return texts.get(locale) or texts.get("vi") or next(iter(texts.values()), "")


def _texts(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"vi": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise ScenarioError(f"{where}: expected a text or {{vi: ..., en: ...}}")


_STEP_KEYS = frozenset(
    {"at", "after", "as", "chat", "wait", "press", "say", "camera", "event", "skip_to", "note"}
)


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a step is a mapping")
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    actor = raw.get("as")
    if actor is not None and actor not in ACTORS:
        raise ScenarioError(f"{where}: as: {actor!r} is none of {', '.join(ACTORS)}")
    chat = str(raw.get("chat", "group"))
    if chat not in {*CHATS, "private"}:
        raise ScenarioError(f"{where}: chat: {chat!r} is none of group, unit, team, private")
    if (raw.get("press") or raw.get("say") or chat == "private") and actor is None:
        raise ScenarioError(f"{where}: who presses or writes? add as: (officer, leader, ...)")
    if (raw.get("camera") is None) != (raw.get("event") is None):
        raise ScenarioError(f"{where}: a camera step names both camera: and event:")
    if raw.get("camera") is not None and demo.camera_by_key(str(raw["camera"])) is None:
        raise ScenarioError(f"{where}: camera: {raw['camera']!r} is not a sandbox camera")
    skip_to = raw.get("skip_to")
    if skip_to is not None and skip_to not in SKIP_TARGETS:
        raise ScenarioError(f"{where}: skip_to: {skip_to!r} is none of {', '.join(SKIP_TARGETS)}")
    return Step(
        at=parse_time(raw["at"], where) if "at" in raw else None,
        after=parse_span(raw["after"], where) if "after" in raw else dt.timedelta(0),
        actor=ACTORS[actor] if actor is not None else None,
        chat=chat,
        wait=str(raw["wait"]) if raw.get("wait") is not None else None,
        press=str(raw["press"]) if raw.get("press") is not None else None,
        say=str(raw["say"]) if raw.get("say") is not None else None,
        camera=str(raw["camera"]) if raw.get("camera") is not None else None,
        event=str(raw["event"]) if raw.get("event") is not None else None,
        skip_to=skip_to,
        note=_texts(raw.get("note"), where),
    )


def load(path: Path) -> Scenario:
    """Read and check a drill file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
        raise ScenarioError(f"{path.name}: a drill has a name, a title and steps")
    name = str(raw.get("name") or path.stem)
    steps = tuple(_step(s, f"{name}: step {i + 1}") for i, s in enumerate(raw["steps"]))
    speed = float(raw.get("speed", 30))
    if not 0 < speed <= 1000:
        raise ScenarioError(f"{name}: speed must be above 0 and at most 1000")
    return Scenario(
        name=name,
        title=_texts(raw.get("title") or name, f"{name}: title"),
        description=_texts(raw.get("description"), f"{name}: description"),
        start=parse_time(raw["start"], f"{name}: start") if raw.get("start") else None,
        speed=speed,
        steps=steps,
    )


def catalogue() -> dict[str, Scenario]:
    """The drills shipped with the sandbox, by name."""
    scenarios = (load(path) for path in sorted(SCENARIOS.glob("*.yaml")))
    return {s.name: s for s in scenarios}


def drill_names() -> list[str]:
    """The names of the shipped drills."""
    return sorted(catalogue())
