"""The layers bot/README.md describes hold: each import points down, Telegram stays at the edge.

Read from the source (every import statement, also those inside functions), so a shortcut
through the layers fails here before it spreads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

DOMAINS = (
    "escalation",
    "epz",
    "handover",
    "camera",
    "membership",
    "documents",
    "stats",
    "retention",
)
# Modules below every domain: values, settings, tables, vocabulary and the desk's plumbing.
FOUNDATION = (
    "values",
    "resources",
    "clock",
    "i18n",
    "paging",
    "config",
    "db",
    "customs",
    "steps",
    "button_data",
    "service",
    "outbox",
    "logbook",
    "shifts",
    "deadlines",
    "drafts",
    "preferences",
    "audit",
    "coordination",
)
# Who may speak Telegram: the handlers, the wiring, the poller, the webhook, the sender and the
# alarm clock.
TELEGRAM_EDGE = (
    "handlers",
    "app",
    "desks",
    "process_roles",
    "sender",
    "polling",
    "webhook",
    "deadlines.alarm",
    "sandbox",
    "devtools",
)
WIRING = (
    "handlers",
    "app",
    "desks",
    "operating",
    "process_roles",
    "cli",
    "cli_commands",
    "cli_db",
    "cli_common",
    "__main__",
    "sandbox",
    "devtools",
)
# The operator's port (bot/ops/server.py) serves health and metrics over aiohttp too.
NETWORK_EDGE = ("camera", "ops", "webhook", "sandbox", "devtools")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports() -> Iterator[tuple[str, str]]:
    """(importing module under bot/, imported module) for every import statement."""
    for path in sorted(BOT.rglob("*.py")):
        module = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield module, node.module
                if node.module == "bot":
                    for alias in node.names:
                        yield module, f"bot.{alias.name}"


def within(module: str, places: tuple[str, ...]) -> bool:
    return any(module == place or module.startswith(place + ".") for place in places)


def inside_bot(imported: str) -> str | None:
    return imported.removeprefix("bot.") if imported.startswith("bot.") else None


ALL = list(imports())


def test_the_source_is_read() -> None:
    # Guards the other tests against passing on nothing.
    assert len({module for module, _ in ALL}) > 100
    assert ("service", "bot.outbox") in ALL


def test_only_the_edge_imports_telegram() -> None:
    speaking = sorted(
        {
            module
            for module, imported in ALL
            if imported.split(".")[0] == "telegram" and not within(module, TELEGRAM_EDGE)
        }
    )
    assert speaking == []


@pytest.mark.parametrize("library", ["aiohttp", "onvif", "zeep"])
def test_only_the_camera_and_the_tools_touch_the_network_libraries(library: str) -> None:
    touching = sorted(
        {
            module
            for module, imported in ALL
            if imported.split(".")[0] == library and not within(module, NETWORK_EDGE)
        }
    )
    assert touching == []


def test_nothing_below_the_wiring_reaches_up_to_handlers_or_the_desk() -> None:
    upward = sorted(
        (module, imported)
        for module, imported in ALL
        if (name := inside_bot(imported)) is not None
        and within(name, ("handlers", "app", "desk", "cli", "sandbox"))
        and not within(module, WIRING)
        and module != "desk"
    )
    assert upward == []


def test_the_foundation_imports_no_domain() -> None:
    upward = sorted(
        (module, imported)
        for module, imported in ALL
        if within(module, FOUNDATION)
        and (name := inside_bot(imported)) is not None
        and within(name, DOMAINS)
        and not module.startswith("deadlines.alarm")
    )
    assert upward == []
