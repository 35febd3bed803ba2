"""The layer contract of docs/architecture.md, checked on the real import graph.

CI also runs ``lint-imports`` with the same contracts (pyproject.toml); these tests add what it
does not check (no import cycle between any two modules) and show that an upward import is caught.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def _layers() -> list[grimp.Layer]:
    layers = []
    for line in _contract("layers")["layers"]:
        names = [name.strip() for name in line.split("|")]
        layers.append(grimp.Layer(*names, independent=True))
    return layers


@pytest.fixture
def graph() -> grimp.ImportGraph:
    # A fresh graph per test: two of them add an import to it (grimp caches the scan on disk).
    return grimp.build_graph("humas", include_external_packages=False, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each one an import cycle."""
    adjacent = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in adjacent[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(adjacent)))
    try:
        for module in adjacent:
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def _describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    members = set(group)
    lines = []
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                lines.append(
                    f"  {importer}:{detail['line_number']} -> {imported}  ({detail['line_contents']})"
                )
    return "\n".join(lines)


def test_no_module_imports_itself_through_others(graph):
    cycles = _cycles(graph)

    assert not cycles, "import cycles:\n" + "\n\n".join(_describe(graph, group) for group in cycles)


def test_every_app_imports_only_the_apps_below_it(graph):
    illegal = graph.find_illegal_dependencies_for_layers(layers=_layers(), containers={"humas"})

    assert illegal == set()


def test_an_import_from_channels_into_publishing_is_refused_with_its_line(graph):
    graph.add_import(
        importer="humas.channels.services",
        imported="humas.publishing.models",
        line_number=3,
        line_contents="from humas.publishing.models import Post",
    )

    illegal = graph.find_illegal_dependencies_for_layers(layers=_layers(), containers={"humas"})

    assert [(d.importer, d.imported) for d in illegal] == [("humas.channels", "humas.publishing")]
    (route,) = next(iter(illegal)).routes
    assert route.heads == frozenset({"humas.channels.services"})
    assert route.tails == frozenset({"humas.publishing.models"})


def test_a_cycle_between_two_modules_is_found(graph):
    graph.add_import(
        importer="humas.offices.models",
        imported="humas.offices.services",
        line_number=9,
        line_contents="from .services import offices_load",
    )

    (group,) = _cycles(graph)
    assert {"humas.offices.models", "humas.offices.services"} <= set(group)
    assert "humas.offices.models:9 -> humas.offices.services" in _describe(graph, group)


def test_every_app_is_placed_in_the_layers():
    listed = {name.strip() for line in _contract("layers")["layers"] for name in line.split("|")}
    children = {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "humas").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")
    }

    assert children == listed


def test_the_text_engine_imports_no_django_and_no_other_app():
    graph = grimp.build_graph("humas", include_external_packages=True, cache_dir=None)
    forbidden = _contract("textkit-pure")["forbidden_modules"]
    textkit = {m for m in graph.modules if m == "humas.textkit" or m.startswith("humas.textkit.")}

    reached = {
        (importer, imported)
        for importer in textkit
        for imported in graph.find_modules_directly_imported_by(importer)
        if any(imported == f or imported.startswith(f + ".") for f in forbidden)
    }

    assert reached == set()
    assert "django" in forbidden and "humas.web" in forbidden
