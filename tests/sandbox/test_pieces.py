"""The sandbox's parts that need no running desk: the fast clock, the HTML, the drill files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.clock import ManualClock, ScaledClock, wall_delay
from bot.sandbox.drills.scenario import ScenarioError, catalogue, load
from bot.sandbox.render import entities_html

START = dt.datetime(2026, 11, 25, 2, 5, tzinfo=dt.UTC)


class Ticks:
    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_a_scaled_clock_runs_fast_and_jumps_telling_its_listeners() -> None:
    ticks = Ticks()
    clock = ScaledClock(START, speed=30, monotonic=ticks)
    told: list[dt.datetime] = []
    clock.on_change.append(lambda: told.append(clock.now()))
    ticks.value += 60  # one real minute
    assert clock.now() == START + dt.timedelta(minutes=30)
    assert wall_delay(clock, dt.timedelta(minutes=30)) == dt.timedelta(minutes=1)
    clock.set_speed(1)
    ticks.value += 60
    assert clock.now() == START + dt.timedelta(minutes=31)
    clock.advance(dt.timedelta(days=3))
    assert told[-1] == START + dt.timedelta(days=3, minutes=31)
    assert len(told) == 2
    with pytest.raises(ValueError):
        clock.set_speed(0)
    # Other clocks wait in real time as before.
    assert wall_delay(ManualClock(START), dt.timedelta(minutes=5)) == dt.timedelta(minutes=5)


def test_entities_become_safe_html_counted_in_utf16() -> None:
    text = "🚨 CAM 02 <bãi> #vuviec\nxem"
    entities = [
        {"type": "bold", "offset": 3, "length": 6},
        {"type": "italic", "offset": 7, "length": 2},
        {"type": "hashtag", "offset": 16, "length": 7},
    ]
    html = entities_html(text, entities)
    assert html == (
        '🚨 <b>CAM <i>02</i></b> &lt;bãi&gt; <span class="hashtag">#vuviec</span><br>xem'
    )
    assert entities_html("<script>", None) == "&lt;script&gt;"


def test_the_shipped_drills_load_and_a_bad_one_says_where(tmp_path: Path) -> None:
    drills = catalogue()
    assert {"night-tampering", "epz-outage", "night-watch"} <= set(drills)
    assert drills["night-tampering"].start == dt.time(2, 5)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - at: '02:10'\n    press: 'ap:'\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="bad: step 1: who presses or writes"):
        load(bad)
    bad.write_text("name: bad\nsteps:\n  - after: soon\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="'soon' is not a span"):
        load(bad)
