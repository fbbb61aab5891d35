"""./scripts/run and ./scripts/test install into .venv only when something changed.

The scripts run for real, in a copy of the repository, with stand-ins for the tools they call
(python3 -m venv, pip, duty-desk, ruff, mypy, pytest) that write down each call: what the
scripts decide is tested, not pip's network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = """#!/bin/sh
echo "{name}${{*:+ $*}}" >> "{log}"
"""
# python3 -m venv DIR: make DIR/bin with the real interpreter and the stand-ins in it.
FAKE_PYTHON3 = """#!/bin/sh
echo "python3 $*" >> "{log}"
for last; do :; done
mkdir -p "$last/bin"
ln -sf "{python}" "$last/bin/python"
for tool in pip duty-desk ruff mypy pytest; do
  cp "{stand_ins}/$tool" "$last/bin/$tool"
done
"""


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A copy of the scripts and pyproject.toml, a log of calls, and a PATH with python3 faked."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    log = tmp_path / "calls.log"
    log.touch()
    stand_ins = tmp_path / "stand-ins"
    stand_ins.mkdir()
    for tool in ("pip", "duty-desk", "ruff", "mypy", "pytest"):
        script = stand_ins / tool
        script.write_text(STAND_IN.format(name=tool, log=log))
        script.chmod(0o755)
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    python3 = path_dir / "python3"
    python3.write_text(FAKE_PYTHON3.format(log=log, python=sys.executable, stand_ins=stand_ins))
    python3.chmod(0o755)
    env = {**os.environ, "PATH": f"{path_dir}:{os.environ['PATH']}"}
    env.pop("DUTY_DESK_REINSTALL", None)
    return repo, log, env


def run(repo: Path, script: str, log: Path, env: dict[str, str]) -> list[str]:
    """Run a script; the calls it made."""
    before = len(log.read_text().splitlines())
    subprocess.run([str(repo / "scripts" / script)], cwd=repo, env=env, check=True, timeout=60)
    return log.read_text().splitlines()[before:]


def pip_installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("pip install")]


def test_run_installs_once_then_starts_at_once(
    checkout: tuple[Path, Path, dict[str, str]],
) -> None:
    repo, log, env = checkout
    first = run(repo, "run", log, env)
    assert first[0] == "python3 -m venv --clear .venv"
    assert pip_installs(first) == [
        "pip install --quiet --upgrade pip",
        "pip install --quiet -e .",
    ]
    assert first[-2:] == ["duty-desk db upgrade", "duty-desk run"]
    # A second start neither makes the venv nor calls pip.
    assert run(repo, "run", log, env) == ["duty-desk db upgrade", "duty-desk run"]
    # A changed pyproject.toml (a new dependency) installs again, once.
    with (repo / "pyproject.toml").open("a") as file:
        file.write("\n# a change\n")
    assert pip_installs(run(repo, "run", log, env)) == ["pip install --quiet -e ."]
    assert pip_installs(run(repo, "run", log, env)) == []
    # Asked to, it installs again.
    assert pip_installs(run(repo, "run", log, {**env, "DUTY_DESK_REINSTALL": "1"})) == [
        "pip install --quiet -e ."
    ]


def test_test_installs_the_dev_tools_once_and_run_needs_nothing_more(
    checkout: tuple[Path, Path, dict[str, str]],
) -> None:
    repo, log, env = checkout
    first = run(repo, "test", log, env)
    assert pip_installs(first)[-1] == "pip install --quiet -e .[dev]"
    assert first[-4:] == [
        "ruff check bot tests bench",
        "ruff format --check bot",
        "mypy",
        "pytest",
    ]
    assert pip_installs(run(repo, "test", log, env)) == []
    # The dev install holds the plain one.
    assert pip_installs(run(repo, "run", log, env)) == []


def test_a_venv_whose_python_is_gone_is_made_again(
    checkout: tuple[Path, Path, dict[str, str]],
) -> None:
    repo, log, env = checkout
    run(repo, "run", log, env)
    (repo / ".venv" / "bin" / "python").unlink()
    (repo / ".venv" / "bin" / "python").symlink_to(repo / "no-such-python")
    again = run(repo, "run", log, env)
    assert again[0] == "python3 -m venv --clear .venv"
    assert "pip install --quiet -e ." in again
