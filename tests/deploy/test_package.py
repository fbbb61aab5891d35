"""`pip install .` (what the image does) gives a bot that migrates and speaks without a checkout.

The migrations and the catalogs live at the top of the checkout; the build ships them inside
the package (setup.py), and the installed bot finds them there (bot/resources.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.deploy.files import ROOT

# What `pip install .` reads: the Dockerfile copies the same.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "bot", "alembic", "locales")


def _build_wheel(tmp_path: Path) -> Path:
    # Built from a copy: an in-tree build would leave build/ in the checkout.
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pot")
            )
        else:
            shutil.copy(origin, source / name)
    out = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    (wheel,) = out.glob("duty_desk-*.whl")
    return wheel


def test_an_installed_copy_migrates_and_speaks_vietnamese_away_from_the_checkout(
    tmp_path: Path,
) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    migrations = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("*.py"))
    assert (
        sorted(Path(n).name for n in names if n.startswith("bot/_shipped/alembic/versions/"))
        == migrations
    )
    assert "bot/_shipped/alembic/env.py" in names
    assert "bot/_shipped/locales/vi/LC_MESSAGES/duty_desk.po" in names

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        # The installed copy first; this checkout's editable finder comes after the path.
        "PYTHONPATH": str(site),
        "DUTY_DESK_DATABASE__URL": f"sqlite:///{elsewhere / 'desk.db'}",
        "DUTY_DESK_LOG_LEVEL": "WARNING",
    }
    env.pop("DUTY_DESK_CONFIG", None)
    where = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(site))
    upgraded = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Cơ sở dữ liệu đã ở phiên bản mới nhất." in upgraded.stdout
    current = subprocess.run(
        [sys.executable, "-m", "bot", "db", "current"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert current.returncode == 0
    assert f"current={migrations[-1][:4]}" in current.stdout
