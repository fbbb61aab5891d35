"""The garbage collector through `duty-desk run`'s start-up: no full collection on the way to the
first getUpdates, and the collector as before once the bot serves or the command gives up.

Full collections during start-up walk everything imported so far and free nothing (a tenth of a
second of a start); bot/gc_pause.py holds them, bot/app.py gives them back when started.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from bot import gc_pause
from bot.cli import main
from tests.e2e.conftest import GROUP, OFFICER, desk_config, launch, text_of

# Nothing is asked of Telegram: the commands below stop before (or never) reaching it.
EMU = SimpleNamespace(token="1:t", base_url="http://127.0.0.1:1/bot", base_file_url="http://x/f")


def _config(tmp_path: Path, database: str) -> Path:
    path = tmp_path / "duty-desk.yaml"
    desk = desk_config(EMU, f"sqlite:///{tmp_path / database}")
    path.write_text(yaml.safe_dump(desk, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def collector() -> Iterator[tuple[int, int, int]]:
    """The collector's thresholds before the test, given back after it whatever happened."""
    before = gc.get_threshold()
    yield before
    while gc_pause.release():
        pass
    gc.unfreeze()
    gc.set_threshold(*before)


async def test_full_collections_held_for_start_up_are_back_once_the_bot_serves(
    migrated_url: str, collector: tuple[int, int, int]
) -> None:
    gc_pause.hold_full_collections()
    assert gc.get_threshold()[2] == gc_pause.HELD

    async with launch(migrated_url) as desktop:
        # Full collections happen again, as often as before; what start-up built is set aside.
        assert gc.get_threshold()[2] == collector[2]
        assert gc.get_freeze_count() > 0
        # And the bot serves the group.
        emu = desktop.emu
        mark = emu.mark()
        emu.inject_message(GROUP, OFFICER, "/shift")
        assert "Ca trực ngày" in text_of(await emu.wait_for_message(GROUP, after=mark))


def test_a_run_that_refuses_to_start_leaves_the_collector_as_it_was(
    tmp_path: Path, collector: tuple[int, int, int]
) -> None:
    # A database never migrated: the bot refuses to start.
    config = _config(tmp_path, "empty.db")

    assert main(["--log-level", "WARNING", "--config", str(config), "run"]) == 3

    assert gc.get_threshold() == collector


def test_other_commands_leave_the_collector_alone(
    tmp_path: Path, collector: tuple[int, int, int]
) -> None:
    config = _config(tmp_path, "desk.db")

    assert main(["--log-level", "WARNING", "--config", str(config), "config"]) == 0

    assert gc.get_threshold() == collector
