"""Start-up and idle memory of whole `duty-desk` processes, beside a bare python-telegram-bot.

Measures, over --runs whole processes each (min and median reported):
  * `duty-desk --help`: from starting the command to its exit;
  * `duty-desk run`: from starting the process to its first getUpdates reaching the Bot API
    emulator (served here, over loopback HTTP), on a migrated SQLite file and a realistic desk
    (a duty group, people, units, cameras without ONVIF access, the camera intake and the
    operator's port on), then the resident memory (VmRSS) of the idle process --idle seconds
    after that, no export or chart made;
  * `duty-desk run` to its first answer: an officer's /shift waiting in Telegram when the
    process starts, from starting it to the bot's answer in the group (the first getUpdates
    goes out before the operator's port, the intake and the menus are up; what it fetches is
    handled once they are, so this is what an officer sees of a restart);
  * the bare reference: a minimal python-telegram-bot application (a message handler storing
    each message with one SQLite insert) polling the same emulator, its start and idle RSS
    measured the same way, alternating with the desk's runs.

Every process runs with Python's bytecode cache, as an installed package does (pip compiles it;
PYTHONDONTWRITEBYTECODE is dropped for them), after one uncounted warm-up of each kind, so
the figures are start-up, not compiling the sources.

Usage: python bench/startup.py [--runs 7] [--idle 3]
Targets (issue 15): --help < 0.4 s, first getUpdates < 1 s, idle RSS < 100 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db.engine import upgrade
from bot.devtools.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:startup-bench"
GROUP = -1001234567890
UNIT_CHAT = -100777
OFFICER = 1001
PEOPLE = [
    {"id": 1001 + n, "name": name, "title": "Công chức"}
    for n, name in enumerate(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"])
]
CAMERAS = [
    {"number": f"{n:02d}", "name": f"Camera {n}", "place": "Cảng Cát Lái", "area": "Cát Lái"}
    for n in range(1, 21)
]
BARE = """
import sqlite3, sys
from telegram.ext import Application, MessageHandler, filters

db = sqlite3.connect(sys.argv[3])
db.execute("CREATE TABLE IF NOT EXISTS m (chat INTEGER, id INTEGER, text TEXT)")

async def store(update, context):
    m = update.effective_message
    db.execute("INSERT INTO m VALUES (?, ?, ?)", (m.chat_id, m.message_id, m.text))
    db.commit()

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.ALL, store))
app.run_polling(poll_interval=0.0, timeout=1)
"""


def command() -> list[str]:
    """The installed `duty-desk` script beside this Python, else `python -m bot`."""
    script = Path(sys.executable).with_name("duty-desk")
    if script.exists():
        return [str(script)]
    found = shutil.which("duty-desk")
    return [found] if found else [sys.executable, "-m", "bot"]


def environment(extra: dict[str, str]) -> dict[str, str]:
    """This environment with the bytecode cache allowed, this checkout's `bot` first on the
    path (an editable install may point at another checkout), and `extra` on top."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def help_seconds() -> float:
    began = time.perf_counter()
    subprocess.run(
        [*command(), "--help"], check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=environment({})
    )
    return time.perf_counter() - began


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def desk_config(emu: BotApiEmulator, database: Path) -> dict[str, Any]:
    return {
        "telegram": {
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "duty_group_id": GROUP,
            "poll_timeout_seconds": 1,
        },
        "database": {"url": f"sqlite:///{database}"},
        "people": PEOPLE,
        "units": [{"key": "hq-kv1", "name": "Chi cục HQ CK KV1", "chat_id": UNIT_CHAT}],
        "cameras": CAMERAS,
        "intake": {"enabled": True, "port": 0, "secret": "startup-bench-secret"},
        "ops": {"port": 0},
    }


@asynccontextmanager
async def started(args: list[str], env: dict[str, str]) -> AsyncIterator[Process]:
    """The process started (quiet), then stopped with Ctrl+C as an operator stops it."""
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        env=environment(env),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def first_get_updates(
    emu: BotApiEmulator, args: list[str], env: dict[str, str], idle: float
) -> tuple[float, float]:
    """Seconds from starting the process to its first getUpdates; its RSS after `idle` more."""
    emu.calls.clear()
    began = time.perf_counter()
    async with started(args, env) as process:
        while not any(name == "getUpdates" for name, _ in emu.calls):
            if process.returncode is not None:
                raise RuntimeError(f"{args} exited with {process.returncode} before polling")
            if time.perf_counter() - began > 60:
                raise RuntimeError(f"{args} did not poll within a minute")
            await asyncio.sleep(0.002)
        polled = time.perf_counter() - began
        await asyncio.sleep(idle)
        return polled, rss_mib(process.pid)


async def first_answer(emu: BotApiEmulator, args: list[str], env: dict[str, str]) -> float:
    """Seconds from starting the process, a /shift waiting for it, to the bot's answer."""
    mark = emu.mark()
    emu.inject_message(GROUP, OFFICER, "/shift")
    began = time.perf_counter()
    async with started(args, env):
        await emu.wait_for_message(GROUP, after=mark, timeout=60)
        return time.perf_counter() - began


def figures(name: str, values: list[float], unit: str, fmt: str = "{:.2f}") -> str:
    low, middle = min(values), statistics.median(values)
    return f"{name:<34} min {fmt.format(low)} {unit}, median {fmt.format(middle)} {unit}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before the RSS")
    options = parser.parse_args()

    help_seconds()  # the warm-up: bytecode written
    helps = [help_seconds() for _ in range(options.runs)]
    starts: list[float] = []
    rss: list[float] = []
    answers: list[float] = []
    bare_starts: list[float] = []
    bare_rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        database = Path(folder) / "desk.db"
        upgrade(f"sqlite:///{database}")
        async with BotApiEmulator(token=TOKEN) as emu:
            emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
            emu.add_user(OFFICER, "An")
            config = Path(folder) / "duty-desk.yaml"
            config.write_text(
                yaml.safe_dump(desk_config(emu, database), allow_unicode=True), encoding="utf-8"
            )
            desk = [*command(), "--config", str(config), "run"]
            bare = [sys.executable, "-c", BARE, TOKEN, emu.base_url, str(Path(folder) / "bare.db")]
            env = {"DUTY_DESK_TELEGRAM__TOKEN": TOKEN, "DUTY_DESK_LOG_LEVEL": "WARNING"}
            await first_get_updates(emu, desk, env, 0)  # the warm-up: bytecode written
            await first_get_updates(emu, bare, {}, 0)
            for _ in range(options.runs):
                started, resident = await first_get_updates(emu, desk, env, options.idle)
                starts.append(started)
                rss.append(resident)
                started, resident = await first_get_updates(emu, bare, {}, options.idle)
                bare_starts.append(started)
                bare_rss.append(resident)
                answers.append(await first_answer(emu, desk, env))

    print(f"{options.runs} whole processes each, {os.cpu_count()} cores")
    print(figures("duty-desk --help", helps, "s") + "   (target < 0.4 s)")
    print(figures("duty-desk run to first getUpdates", starts, "s") + "   (target < 1 s)")
    print(figures("duty-desk run to first answer", answers, "s"))
    print(figures("bare PTB to first getUpdates", bare_starts, "s"))
    print(figures("duty-desk run idle RSS", rss, "MiB", "{:.1f}") + "   (target < 100 MiB)")
    print(figures("bare PTB idle RSS", bare_rss, "MiB", "{:.1f}"))


if __name__ == "__main__":
    asyncio.run(main())
