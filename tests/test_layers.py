"""The package reads as the data flow: a stage imports only the stages below it, and no module
imports itself back through others. Read from the source (every import, also the late ones inside
functions and those under TYPE_CHECKING), so a newcomer's shortcut fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

# Bottom to top; a stage may import its own modules and any stage before it in this list.
STAGES = ("core", "config", "state", "sheet", "collect", "check", "judge", "report", "export", "notify", "pipeline",
          "importing", "worker", "cli")
PACKAGE = ROOT / "sheets_sync"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "core"  # the package itself holds only __version__
    first = parts[1]
    return "cli" if first in ("cli", "__main__") else first


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The sheets_sync modules a file imports, resolved to modules where the name is one."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("sheets_sync"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sheets_sync"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    rank = {s: i for i, s in enumerate(STAGES)}
    bad = []
    for mod, deps in sorted(edges.items()):
        for dep in sorted(deps):
            if rank[stage_of(dep)] > rank[stage_of(mod)]:
                bad.append(f"{mod} ({stage_of(mod)}) imports {dep} ({stage_of(dep)})")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_belongs_to_a_known_stage():
    assert {stage_of(m) for m in graph()} <= set(STAGES)


def test_stage_folders_each_say_what_they_take_give_and_may_use():
    for stage in STAGES[:-1]:
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "may use" in doc.lower(), f"{init}: the docstring says what the stage may use"


def test_no_stage_imports_a_later_one():
    assert upward_imports(graph()) == []


def test_no_import_cycles():
    assert cycles(graph()) == []


@pytest.mark.parametrize("edges, upward, cyclic", [
    ({"sheets_sync.core.models": {"sheets_sync.check.checker"}, "sheets_sync.check.checker": set()},
     ["sheets_sync.core.models (core) imports sheets_sync.check.checker (check)"], []),
    ({"sheets_sync.check.a": {"sheets_sync.check.b"}, "sheets_sync.check.b": {"sheets_sync.check.a"}},
     [], [["sheets_sync.check.a", "sheets_sync.check.b"]]),
    ({"sheets_sync.cli": {"sheets_sync.core.models"}, "sheets_sync.core.models": set()}, [], []),
])
def test_the_rules_catch_what_they_are_for(edges, upward, cyclic):
    assert upward_imports(edges) == upward
    assert cycles(edges) == cyclic
