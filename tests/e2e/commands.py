"""The real `duty-desk` command in a process of its own, started as an operator starts it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def write_config(directory: Path, config: dict[str, Any], *, token_from_env: bool = True) -> Path:
    """Write `duty-desk.yaml` for a `duty-desk run`: by default the token comes from the
    environment (as a deployment's secret does) and polls are short, so a stop is quick."""
    if token_from_env:
        config["telegram"].pop("token")
        config["telegram"]["poll_timeout_seconds"] = 1
    path = directory / "duty-desk.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


async def duty_desk(
    *args: str,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
) -> asyncio.subprocess.Process:
    """`python -m bot <args>` from the repository, the environment given on top of this one."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=stdout,
        stderr=stderr,
    )
