"""The import graph of the product packages: no circles, and the services apart.

Read from the source with ``ast``: every import a module makes when it is
loaded (module level, ``if``/``try`` blocks, ``TYPE_CHECKING`` included, so a
circle cannot hide behind a type-only import). Imports inside functions are
left out of the circle check: they run later, by design. ``issuer`` and
``verifier`` never import each other, not even inside a function; the issuer
does not need the scanner app; ``keys`` imports neither service.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("issuer", "keys", "verifier", "scanner_app")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load_time(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run when the module is loaded: not function or class bodies' deferred code."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            yield from _load_time(node.body)
            yield from _load_time(node.orelse)
            if isinstance(node, ast.Try):
                yield from _load_time(node.finalbody)
                for handler in node.handlers:
                    yield from _load_time(handler.body)


def _graph(*, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports (``deferred``: those inside functions too)."""
    modules = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree) if deferred else _load_time(tree.body):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_services_stay_apart() -> None:
    graph = _graph(deferred=True)
    for module, targets in graph.items():
        top = module.split(".")[0]
        tops = {t.split(".")[0] for t in targets}
        if top == "issuer":
            assert not tops & {"verifier", "scanner_app"}, (module, sorted(targets))
        if top == "verifier":
            assert "issuer" not in tops, (module, sorted(targets))
        if top == "keys":
            assert not tops & {"issuer", "verifier", "scanner_app"}, (module, sorted(targets))


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "issuer.registry" in graph["issuer.lifecycle"]
    assert "keys.edge.errors" in graph["keys.edge.body"]
    assert "issuer.ledger" in graph["issuer.devices"] and "issuer.registry" not in graph["issuer.devices"]
