"""Real headless Chromium (Debian's package) driven by Playwright against a running sandbox."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.runtime import Sandbox, SandboxOptions

REQUIRE_BROWSER_ENV = "DUTY_DESK_REQUIRE_BROWSER"
CHROMIUM = os.environ.get("DUTY_DESK_CHROMIUM", "/usr/bin/chromium")
# Nothing leaves the machine: no updates, no sync, no QUIC probing, no first-run pages.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_missing() -> str | None:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture
def chromium_ready() -> None:
    """Skip only when the browser is truly absent and CI has not asked for it."""
    missing = _browser_missing()
    if missing is None:
        return
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{missing}, but {REQUIRE_BROWSER_ENV}=1: the browser tests must run here")
    pytest.skip(missing)


@pytest.fixture
async def sandbox(tmp_path: Path, chromium_ready: None) -> AsyncIterator[Sandbox]:
    async with Sandbox(SandboxOptions(port=0, data_dir=tmp_path / "sandbox")) as running:
        # The bot subscribes to the cameras as it starts; a test's first event must be heard.
        for _ in range(200):
            if all(c.live_subscriptions() for c in running.cameras.values()):
                break
            await asyncio.sleep(0.05)
        yield running


@pytest.fixture
async def page(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Any]:
    """A fresh Chromium profile with the sandbox's page open, phone-sized or not by marker."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1200, "height": 860},
        )
        errors: list[str] = []
        tab = context.pages[0] if context.pages else await context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        await tab.goto(sandbox.url)
        await tab.wait_for_selector("#chats li")
        try:
            yield tab
        finally:
            await context.close()
        assert errors == [], errors
