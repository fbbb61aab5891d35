"""N real `duty-desk run` processes on one configuration, each with its own intake port and log."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.deployment import TOKEN

ROOT = Path(__file__).resolve().parent.parent
DIGITS = re.compile(r"\d+")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Fleet:
    """N `duty-desk run` processes, each with its own intake port and log file."""

    config: Path
    logs: Path
    # Run each process under cProfile, its profile written to bot-<n>.prof when it stops.
    profile: bool = False
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    async def start(self, count: int) -> None:
        for n in range(count):
            port = free_port()
            env = {
                **os.environ,
                "DUTY_DESK_TELEGRAM__TOKEN": TOKEN,
                "DUTY_DESK_INTAKE__PORT": str(port),
                "DUTY_DESK_OPS__ENABLED": "false",
                "DUTY_DESK_LOG_LEVEL": "INFO",
            }
            profiler = ["-m", "cProfile", "-o", str(self.logs / f"bot-{n}.prof")]
            with (self.logs / f"bot-{n}.log").open("ab") as sink:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    *(profiler if self.profile else []),
                    "-m",
                    "bot",
                    "--config",
                    str(self.config),
                    "run",
                    cwd=ROOT,
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=sink,
                )
            self.processes.append(process)
            self.ports.append(port)
        await asyncio.gather(
            *(self._ready(port, p) for port, p in zip(self.ports, self.processes, strict=True))
        )

    async def _ready(self, port: int, process: asyncio.subprocess.Process) -> None:
        deadline = time.monotonic() + 120
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if process.returncode is not None:
                    raise RuntimeError(f"duty-desk run exited {process.returncode}: see logs")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(f"http://127.0.0.1:{port}/") as response:
                        await response.read()
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"intake on port {port} not up within 120 s")

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}/api/v1/alerts" for port in self.ports]

    async def stop(self) -> list[int | None]:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)
        codes: list[int | None] = []
        for process in self.processes:
            try:
                codes.append(await asyncio.wait_for(process.wait(), timeout=30))
            except TimeoutError:
                process.kill()
                await process.wait()
                codes.append(None)
        return codes

    def log_summary(self) -> str:
        """Warnings and errors the processes logged, with the most frequent one."""
        levels: Counter[str] = Counter()
        messages: Counter[str] = Counter()
        for path in sorted(self.logs.glob("bot-*.log")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split(" ", 4)
                if len(parts) == 5 and parts[2] in ("WARNING", "ERROR", "CRITICAL"):
                    levels[parts[2]] += 1
                    # "Folding 19 camera events failed" and "Folding 4 …" are one kind of error.
                    message = DIGITS.sub("N", parts[4][:90])
                    messages[f"{parts[2]} {parts[3]} {message}"] += 1
        summary = f"{levels['WARNING']} warnings, {levels['ERROR'] + levels['CRITICAL']} errors"
        if messages:
            (common, times), *_ = messages.most_common(1)
            summary += f"; most often ({times}x): {common}"
        return summary

    def cpu_seconds(self) -> list[float]:
        """The CPU time (user + system) each process has used so far."""
        return [process_cpu(process.pid) for process in self.processes]


def process_cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return math.nan
    # The fields after the command's name (which may hold spaces) in parentheses.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> tuple[float, float]:
    """CPU seconds busy and in all since boot, over every core (from /proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / CLOCK_TICKS, sum(ticks) / CLOCK_TICKS


def postgres_cpu() -> float:
    """The CPU time PostgreSQL has used so far: its live processes and the backends that ended.

    A backend that ended was waited for by the postmaster, which then counts its time among
    its children's (cutime, cstime); the live processes count their own.
    """
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text(encoding="ascii", errors="replace")
            name, fields = text.split("(", 1)[1].rsplit(")", 1)
            if name == "postgres":
                ticks = [int(n) for n in fields.split()[11:15]]
                total += sum(ticks) / CLOCK_TICKS
    return total


@dataclass(frozen=True)
class CpuMark:
    """Where the CPU counters stood at one moment."""

    bots: list[float]
    postgres: float
    busy: float
    total: float

    @classmethod
    def now(cls, fleet: Fleet) -> CpuMark:
        return cls(fleet.cpu_seconds(), postgres_cpu(), *machine_busy())

    def since(self, before: CpuMark) -> str:
        bots = ", ".join(f"{b - a:.1f}" for a, b in zip(before.bots, self.bots, strict=True))
        busy = 100 * (self.busy - before.busy) / max(1e-9, self.total - before.total)
        return (
            f"CPU s of the bots [{bots}], of the PostgreSQL server "
            f"{self.postgres - before.postgres:.1f}; machine busy {busy:.0f}%"
        )
