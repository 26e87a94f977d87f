"""The layers read top-down, and an import only points down: the domain's pure rules import
nothing of ours but errors and clock, services know neither the pages nor the API, the pages
and the API share what they need through what lies below them, and no import goes round a cycle.

Every module under ``src/inspection`` is parsed, and every import of a project module counts,
wherever it is written: at the top, inside a function, or under ``TYPE_CHECKING``.
``from inspection.web import forms`` is an import of ``inspection.web.forms``;
``from inspection.web.forms import decode`` one of ``inspection.web.forms`` too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import inspection

SOURCE = Path(inspection.__file__).parent
PROJECT = "inspection"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


MODULES = _modules()


def _imports(module: str) -> Iterator[str]:
    """The project modules ``module`` imports, anywhere in its text."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{module}:{node.lineno}: imports are absolute"
            source = node.module or ""
            # A name imported from a package is its submodule when there is one.
            names = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            if name == PROJECT or name.startswith(PROJECT + "."):
                assert name in MODULES, f"{module} imports {name}, which is not a module of the project"
                yield name


GRAPH: dict[str, set[str]] = {module: set(_imports(module)) for module in MODULES}


def _in(module: str, *layers: str) -> bool:
    return any(module == f"{PROJECT}.{layer}" or module.startswith(f"{PROJECT}.{layer}.") for layer in layers)


def _breaking(
    importer: tuple[str, ...], allowed: tuple[str, ...] = (), forbidden: tuple[str, ...] = ()
) -> list[str]:
    """The imports of modules in ``importer`` layers that leave ``allowed`` or enter ``forbidden``."""
    return sorted(
        f"{module} imports {imported}"
        for module, imported_set in GRAPH.items()
        if _in(module, *importer)
        for imported in imported_set
        if (allowed and not _in(imported, *allowed)) or (forbidden and _in(imported, *forbidden))
    )


def test_the_graph_sees_imports_of_every_kind() -> None:
    assert len(MODULES) > 50
    # A module-level, a function-level and a TYPE_CHECKING import.
    assert "inspection.settings" in GRAPH["inspection.app"]
    assert "inspection.app" in GRAPH["inspection.cli"]
    assert "inspection.settings" in GRAPH["inspection.queue.worker"]


def test_domain_imports_nothing_of_ours_but_errors_and_clock() -> None:
    broken = _breaking(("domain",), allowed=("domain", "errors", "clock"))
    assert not broken, "\n".join(broken)


def test_services_never_import_the_api_or_the_pages() -> None:
    broken = _breaking(("services",), forbidden=("api", "web"))
    assert not broken, "\n".join(broken)


def test_pages_and_api_share_only_through_what_lies_below() -> None:
    broken = _breaking(("web",), forbidden=("api",)) + _breaking(("api",), forbidden=("web",))
    assert not broken, "\n".join(broken)


def test_mail_and_queue_never_import_services_api_or_pages() -> None:
    broken = _breaking(("mail", "queue"), forbidden=("services", "api", "web"))
    assert not broken, "\n".join(broken)


def _strongly_connected() -> list[set[str]]:
    """Tarjan's strongly connected components of the import graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(GRAPH[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            found.append(component)

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return [c for c in found if len(c) > 1 or any(m in GRAPH[m] for m in c)]


def _cycle(component: set[str]) -> list[str]:
    """One cycle through ``component``, as the chain of imports that closes it."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for imported in sorted(GRAPH[module] & component):
            if imported == start:
                return [*paths[module], start]
            if imported not in paths:
                paths[imported] = [*paths[module], imported]
                queue.append(imported)
    raise AssertionError(f"no cycle through {start}")


def test_no_import_cycles() -> None:
    cycles = [" -> ".join(_cycle(c)) for c in _strongly_connected()]
    assert not cycles, "\n".join(cycles)
