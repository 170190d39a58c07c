"""The layers, checked over the import graph of the project's own modules (every import
statement, also those under TYPE_CHECKING or inside a function): no cycle; features see the
connector only through connector.context and the registry — never the assembled connector,
the spine, the receivers or another feature; the store, the rules and the plugins know no
feature; an import inside a function is there for start-up time, and says so."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("connector", "plugins", "webhooks")
SPINE = ("connector.core", "connector.assembly", "connector.cli", "connector.chatevents",
         "connector.ticketevents", "connector.inbox_processing", "connector.outbox_dispatch",
         "connector.runner", "connector.reconcile", "connector.operations",
         "connector.operations_cli", "webhooks")
# What any layer may read of a feature: its data — the schema and texts the mapping loader
# reads — and pure functions over its records (an outage's downtime from its timeline).
FEATURE_DATA = ("models", "texts", "catalog", "calendars", "spans")
LAZY_WORDS = ("start-up", "startup", "lazy")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the project module imported
    line: int
    in_function: bool
    comment: str  # the import's line and the import block's comments above it


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (REPO / package).rglob("*.py")}


def imports(modules: dict[str, Path]) -> Iterator[Import]:
    for name, path in modules.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        functions = {id(node) for f in ast.walk(tree)
                     if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                     for node in ast.walk(f)}
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            comment = _comment(lines, node.lineno)
            for target in targets:
                found = _project(target, modules)
                if found and found != name:
                    yield Import(name, found, node.lineno, id(node) in functions, comment)


def _comment(lines: list[str], lineno: int) -> str:
    """The import's own line and the imports and comments right above it: a block of lazy
    imports says once, above it, why it is one."""
    found = [lines[lineno - 1]]
    for line in reversed(lines[:lineno - 1]):
        if not line.strip().startswith(("from ", "import ", "#")):
            break
        found.append(line)
    return " ".join(found)


def _project(target: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (`connector.store.inbox`, or its package)."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


MODULES = project_modules()
IMPORTS = list(imports(MODULES))


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["connector", "features"] else None


def is_feature_data(module: str) -> bool:
    return feature_of(module) is not None and module.split(".")[-1] in FEATURE_DATA


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        graph[i.module].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_graph_is_read() -> None:
    assert "connector.context" in MODULES and len(IMPORTS) > 300


def test_no_module_imports_itself_round_a_cycle() -> None:
    assert cycles() == []


def test_features_see_the_connector_only_through_the_context() -> None:
    wrong = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
             if feature_of(i.module) and (
                 i.target.startswith(SPINE) or
                 (feature_of(i.target) and feature_of(i.target) != feature_of(i.module)
                  and not is_feature_data(i.target)))]
    assert wrong == []


@pytest.mark.parametrize("layer", ["connector.store", "connector.rules", "plugins"])
def test_the_store_the_rules_and_the_plugins_know_no_feature(layer: str) -> None:
    wrong = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
             if i.module.startswith(layer) and feature_of(i.target)]
    assert wrong == []


def test_an_import_inside_a_function_says_it_is_for_start_up_time() -> None:
    unexplained = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
                   if i.in_function and not any(w in i.comment.lower() for w in LAZY_WORDS)]
    assert unexplained == []
