"""Plays one drill at a time against the running sandbox, then reports from the bot's records."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from bot.db.models import EpzOutage
from bot.sandbox.drills import report
from bot.sandbox.drills.scenario import Scenario, Step, catalogue
from bot.sandbox.world import World, WorldError, camera_event, press, say

log = logging.getLogger(__name__)

# How long (real time) a step waits for the bot's message before the drill gives up.
WAIT_SECONDS = 30.0
# The clock is looked at this often (real time) while a drill waits for a step's moment.
TICK_SECONDS = 0.25
# A skip lands this long before the moment it aims at, so the moment itself plays out.
SKIP_LEAD = dt.timedelta(minutes=2)


_DATE_MARK = re.compile(r"\{date\+(\d+)\}")


class DrillFailed(Exception):
    """A step could not be played (the bot did not answer as the script expects)."""


def _next_at(after: dt.datetime, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The first moment at that time of day, not before `after`."""
    local = after.astimezone(tz)
    moment = dt.datetime.combine(local.date(), at, tz)
    if moment < local:
        moment += dt.timedelta(days=1)
    return moment


def _has_button(message: dict[str, Any], prefix: str) -> bool:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return any(str(b.get("callback_data", "")).startswith(prefix) for row in rows for b in row)


def _button(message: dict[str, Any], prefix: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return next(
        str(b["callback_data"])
        for row in rows
        for b in row
        if str(b.get("callback_data", "")).startswith(prefix)
    )


class DrillRunner:
    """Starts, follows and stops the sandbox's drill."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._task: asyncio.Task[None] | None = None
        self._state: dict[str, Any] | None = None
        self._mark = 0
        # Told the report's text and file when a drill ends (the command line prints it).
        self.on_report: Callable[[str, Path], None] | None = None
        # Where the report's file goes: this file, else this folder (the sandbox's data folder
        # unless told otherwise; the command line's must outlive a temporary one).
        self.report_file: Path | None = None
        self.report_dir: Path | None = None

    def catalogue(self) -> list[dict[str, Any]]:
        """The drills that can be started, in the page's language."""
        locale = self._world.options.locale
        return [
            {
                "name": s.name,
                "title": s.text(s.title, locale),
                "description": s.text(s.description, locale),
                "speed": s.speed,
            }
            for s in catalogue().values()
        ]

    def status(self) -> dict[str, Any] | None:
        """Where the current (or last) drill stands."""
        return None if self._state is None else dict(self._state)

    @property
    def running(self) -> bool:
        """A drill is under way."""
        return self._task is not None and not self._task.done()

    def start(self, name: str, speed: float | None = None) -> None:
        """Start a drill by name, at its own pace unless told another."""
        scenario = catalogue().get(name)
        if scenario is None:
            raise WorldError(f"unknown drill {name!r}")
        if self.running:
            raise WorldError("a drill is already running")
        pace = speed if speed is not None else scenario.speed
        if not 0 < pace <= 1000:
            raise WorldError("speed must be above 0 and at most 1000")
        locale = self._world.options.locale
        self._state = {
            "name": scenario.name,
            "title": scenario.text(scenario.title, locale),
            "speed": pace,
            "running": True,
            "step": 0,
            "steps": len(scenario.steps),
            "log": [],
            "error": None,
            "report": None,
        }
        self._task = asyncio.create_task(self._play(scenario, pace), name=f"drill-{name}")

    async def wait(self) -> dict[str, Any] | None:
        """Wait for the drill under way to end; return its final status."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return self.status()

    async def stop(self) -> None:
        """Stop the drill under way, if any."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # --- playing -----------------------------------------------------------------------------

    def _changed(self) -> None:
        self._world.emu.notify()

    def _log(self, scenario: Scenario, step: Step) -> None:
        assert self._state is not None
        tz = self._world.settings.tz
        note = scenario.text(step.note, self._world.options.locale) if step.note else ""
        if note:
            stamp = self._world.clock.now().astimezone(tz).strftime("%d/%m %H:%M")
            self._state["log"].append(f"{stamp} {note}")

    async def _play(self, scenario: Scenario, speed: float) -> None:
        world = self._world
        assert self._state is not None
        tz = world.settings.tz
        await world.settle()
        clock = world.clock
        begin = clock.now()
        if scenario.start is not None:
            begin = _next_at(begin, scenario.start, tz)
        clock.set(begin)
        clock.set_speed(speed)
        self._state["started_at"] = begin.astimezone(tz).isoformat()
        self._mark = world.emu.mark()
        self._changed()
        moment = begin
        try:
            for number, step in enumerate(scenario.steps, start=1):
                self._state["step"] = number
                moment = _next_at(moment, step.at, tz) if step.at else moment + step.after
                await self._until(moment)
                await self._do(step)
                moment = max(moment, clock.now())
                self._log(scenario, step)
                self._changed()
            await world.settle()
        except (DrillFailed, WorldError) as exc:
            self._state["error"] = str(exc)
            log.warning("Drill %s stopped at step %s: %s", scenario.name, self._state["step"], exc)
        finally:
            self._state["running"] = False
            ended = clock.now()
            clock.set_speed(1.0)
            self._finish(scenario, begin, ended)

    def _finish(self, scenario: Scenario, begin: dt.datetime, ended: dt.datetime) -> None:
        assert self._state is not None
        world = self._world
        tr = world.desk.desk_translator()
        found = report.build(world.engine, world.settings, begin, ended)
        title = scenario.text(scenario.title, world.options.locale)
        text = report.as_text(tr, title, found, self._state.get("error"))
        path = self.report_file or (self.report_dir or world.data_dir) / (
            f"drill-{scenario.name}-{begin.astimezone(world.settings.tz):%Y%m%d-%H%M}.txt"
        )
        path.write_text(text, encoding="utf-8")
        self._state["report"] = {**report.as_json(tr, found), "text": text, "file": str(path)}
        self._changed()
        if self.on_report is not None:
            self.on_report(text, path)

    async def _until(self, moment: dt.datetime) -> None:
        # The clock's pace may change while waiting (the page's speed control), so the wait is
        # cut into ticks rather than computed once.
        clock = self._world.clock
        for _ in iter(int, 1):
            left = (moment - clock.now()).total_seconds()
            if left <= 0:
                return
            await asyncio.sleep(min(TICK_SECONDS, left / clock.speed))

    async def _do(self, step: Step) -> None:
        world = self._world
        if step.skip_to is not None:
            jump = self._skip_target(step.skip_to)
            if jump is not None and jump > world.clock.now():
                world.clock.set(jump)
        if step.camera is not None and step.event is not None:
            self._mark = world.emu.mark()
            camera_event(world, step.camera, step.event)
        message = await self._waited(step) if step.wait else None
        if step.press is not None:
            assert step.actor is not None
            target = message if message is not None else self._newest(step, step.press)
            if target is None:
                raise DrillFailed(f"no message with a {step.press} button to press")
            self._mark = world.emu.mark()
            query = press(
                world,
                step.chat_id(),
                target["message_id"],
                step.actor,
                _button(target, step.press),
            )
            with contextlib.suppress(TimeoutError):
                await world.emu.wait_for_answer(query, WAIT_SECONDS)
        if step.say is not None:
            assert step.actor is not None
            self._mark = world.emu.mark()
            say(world, step.chat_id(), step.actor, self._fill(step.say))

    def _fill(self, text: str) -> str:
        """{date+2} in a line a persona writes is the date two days on, as people write it."""
        today = self._world.clock.now().astimezone(self._world.settings.tz).date()
        return _DATE_MARK.sub(
            lambda m: (today + dt.timedelta(days=int(m.group(1)))).strftime("%d/%m"), text
        )

    def _newest(self, step: Step, prefix: str) -> dict[str, Any] | None:
        messages = self._world.emu.bot_messages(step.chat_id())
        return next((m for m in reversed(messages) if _has_button(m, prefix)), None)

    async def _waited(self, step: Step) -> dict[str, Any]:
        """The bot's message the step waits for: any new one, or the newest with a button."""
        assert step.wait is not None
        emu = self._world.emu
        prefix = step.wait
        try:
            found = await emu.wait_for_message(
                step.chat_id(),
                after=self._mark,
                predicate=None if prefix == "any" else lambda m: _has_button(m, prefix),
                timeout=WAIT_SECONDS,
            )
        except TimeoutError:
            raise DrillFailed(f"the bot did not send the expected message ({prefix})") from None
        if prefix == "any":
            return found
        return self._newest(step, prefix) or found

    def _skip_target(self, target: str) -> dt.datetime | None:
        """epz-overdue: just before the newest open outage's repair deadline runs out."""
        world = self._world
        with Session(world.engine) as session:
            outage = session.exec(
                select(EpzOutage)
                .where(col(EpzOutage.deadline).is_not(None))
                .order_by(col(EpzOutage.id).desc())
            ).first()
        if target != "epz-overdue" or outage is None or outage.deadline is None:
            return None
        day_after = outage.deadline + dt.timedelta(days=1)
        return dt.datetime.combine(day_after, dt.time(0, 0), world.settings.tz) - SKIP_LEAD
