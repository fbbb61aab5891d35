"""The sandbox's modules import one another in one direction: no circle, hidden or not."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bot" / "sandbox"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every sandbox module this one imports: at the top, in a function or for typing only."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from bot.sandbox import demo` names a module, not a name in a package.
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in modules and name != "bot.sandbox"}


def _graph() -> dict[str, set[str]]:
    paths = {_module(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules in it, or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            if circle := visit(imported, [*path, name]):
                return circle
        done.add(name)
        return None

    for name in sorted(graph):
        if circle := visit(name, []):
            return circle
    return None


def test_the_sandbox_has_no_import_circle() -> None:
    graph = _graph()
    assert {"bot.sandbox.runtime", "bot.sandbox.web", "bot.sandbox.world"} <= set(graph)
    assert _circle(graph) is None, " → ".join(_circle(graph) or [])


def test_a_circle_is_found_when_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _circle(graph) == ["a", "b", "c", "a"]
