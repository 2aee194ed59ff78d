"""The layers of phonogap, checked on the import graph built from the source with ``ast``.

Science packages (pure functions, settings and documents) import no workflow machinery and
nothing above them; the workflow layer (``jobs``, ``flows``) imports no application module;
``jobs`` does not import ``flows``; no module-level import cycles in either layer, and no
package-level cycles among the science packages.

The graph includes imports inside functions and ``TYPE_CHECKING`` blocks. It leaves out the
imports inside the ``__getattr__`` of a module that defines ``DEPRECATED_ALIASES``: those shims
keep old import paths working for one release by importing the new location only when an
old name is used.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "phonogap"

SCIENCE_PACKAGES = (
    "reference",
    "importers",
    "structures",
    "database",
    "fitting",
    "phonons",
    "md",
    "schemas",
)
"""Science layer: pure functions, settings models and documents."""

WORKFLOW_PACKAGES = ("jobs", "flows")
"""Workflow layer: every ``@job`` (``jobs``) and every Maker (``flows``)."""

APPLICATION_PACKAGES = ("config", "store", "report", "cli")
"""Application layer: workflow files, stores, reports, the command line."""

FOUNDATION_MODULES = ("errors", "deprecation", "processes", "progress")
"""Top-level leaf modules every layer may import (they import nothing from phonogap)."""

DEPRECATED_TOP_LEVEL = (
    "cli_cluster",
    "runner",
    "results",
    "server",
    "submit",
    "plotting",
    "plotting_md",
    "campaign",
    "workflow_file",
    "workflow_extend",
)
"""Old top-level modules kept for one release as deprecation shims."""

APPLICATION_MODULES = APPLICATION_PACKAGES + DEPRECATED_TOP_LEVEL
"""Application-layer modules and packages below ``phonogap`` (edit when they move)."""

WORKFLOW_LIBRARIES = ("jobflow", "fireworks", "jobflow_remote")
"""Third-party packages of the workflow machinery, not allowed in the science layer."""


def module_name(path: Path) -> str:
    """Return the dotted module name of a source file."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Map every module of the package to its file."""
    return {module_name(path): path for path in sorted((SRC / PACKAGE).rglob("*.py"))}


def defines_deprecated_aliases(tree: ast.Module) -> bool:
    """Tell whether a module assigns ``DEPRECATED_ALIASES`` at module level."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "DEPRECATED_ALIASES" for t in targets):
            return True
    return False


def import_nodes(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, except those in a deprecation shim's ``__getattr__``."""
    skipped: set[int] = set()
    if defines_deprecated_aliases(tree):
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
                skipped.update(id(inner) for inner in ast.walk(node))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in skipped
    ]


def resolve(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """Return the absolute names a statement imports (modules of phonogap where they exist)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if modules()[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    names = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        names.append(candidate if candidate in modules() else base)
    return names


@cache
def import_graph() -> dict[str, set[str]]:
    """Module to the names it imports (phonogap modules and third-party top-level names)."""
    graph = {}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        imported: set[str] = set()
        for node in import_nodes(tree):
            for name in resolve(module, node):
                imported.add(name if name.startswith(f"{PACKAGE}.") else name.split(".")[0])
        imported.discard(module)
        graph[module] = imported
    return graph


def layer_of(module: str) -> str | None:
    """Name the layer package of a phonogap module (``reference``, ``jobs``, ``cli`` ...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def in_packages(module: str, packages: tuple[str, ...]) -> bool:
    """Tell whether a module belongs to one of the given ``phonogap`` subpackages."""
    return module.startswith(f"{PACKAGE}.") and layer_of(module) in packages


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the cycles of a directed graph: its strongly connected components of size > 1."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def restricted(packages: tuple[str, ...]) -> dict[str, set[str]]:
    """The module graph between modules of the given packages."""
    graph = import_graph()
    return {
        module: {t for t in targets if in_packages(t, packages)}
        for module, targets in graph.items()
        if in_packages(module, packages)
    }


def package_graph(packages: tuple[str, ...]) -> dict[str, set[str]]:
    """The graph between packages: an edge where any module of one imports the other."""
    graph: dict[str, set[str]] = {package: set() for package in packages}
    for module, targets in restricted(packages).items():
        source = layer_of(module)
        graph[source] |= {layer_of(t) for t in targets if layer_of(t) != source}
    return graph


def forbidden_imports(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """List ``module -> name`` for every import of a forbidden name by those packages."""
    found = []
    for module, targets in import_graph().items():
        if not in_packages(module, packages):
            continue
        for target in sorted(targets):
            if any(target == f or target.startswith(f"{f}.") for f in forbidden):
                found.append(f"{module} -> {target}")
    return found


APPLICATION = tuple(f"{PACKAGE}.{name}" for name in APPLICATION_MODULES)


def test_the_graph_sees_the_package():
    graph = import_graph()
    assert len(graph) > 100
    assert "phonogap.jobs.fitting" in graph["phonogap.flows.stages"]
    assert "jobflow" in graph["phonogap.jobs.fitting"]
    # imports inside functions and TYPE_CHECKING blocks count
    assert "phonogap.reference.base" in graph["phonogap.reference.registry"]
    # a deprecation shim's lazy imports do not
    assert not any(t.startswith("phonogap.jobs") for t in graph["phonogap.fitting.jobs"])


def test_no_module_cycles_in_the_science_and_workflow_layers():
    assert strongly_connected(restricted(SCIENCE_PACKAGES + WORKFLOW_PACKAGES)) == []


def test_no_package_cycles_among_the_science_packages():
    assert strongly_connected(package_graph(SCIENCE_PACKAGES)) == []


@pytest.mark.parametrize(
    "forbidden",
    [WORKFLOW_LIBRARIES, ("phonogap.jobs", "phonogap.flows"), APPLICATION],
    ids=["workflow-libraries", "workflow-layer", "application-layer"],
)
def test_science_imports_nothing_above_it(forbidden):
    assert forbidden_imports(SCIENCE_PACKAGES, forbidden) == []


def test_jobs_import_no_makers_and_no_application():
    assert forbidden_imports(("jobs",), ("phonogap.flows", *APPLICATION)) == []


def test_flows_import_no_application():
    assert forbidden_imports(("flows",), APPLICATION) == []


def test_no_module_cycles_anywhere():
    graph = {
        module: {t for t in targets if t.startswith(f"{PACKAGE}.")}
        for module, targets in import_graph().items()
    }
    assert strongly_connected(graph) == []


def test_the_top_level_holds_only_layers_leaves_and_shims():
    top_level = {
        layer_of(module)
        for module, path in modules().items()
        if module.count(".") == 1 and path.name != "__init__.py"
    }
    assert top_level <= {*FOUNDATION_MODULES, *DEPRECATED_TOP_LEVEL}
    for name in DEPRECATED_TOP_LEVEL:
        tree = ast.parse(modules()[f"{PACKAGE}.{name}"].read_text())
        assert defines_deprecated_aliases(tree), f"phonogap.{name} should be a shim only"


def test_foundation_modules_import_nothing_from_phonogap():
    for name in FOUNDATION_MODULES:
        imported = import_graph()[f"{PACKAGE}.{name}"]
        assert not any(t.startswith(f"{PACKAGE}.") for t in imported), name
