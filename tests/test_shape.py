"""The package's shape, read from its source: imports run down the layers and
never in a circle, modules and the two extensions stay small, functions short
and simple.

The import graph is walked with ``ast``, so every import counts: at the top
of a module, inside a function, and type-only ones under ``TYPE_CHECKING``.
The layers are docs/architecture.rst's, lowest first:

1. the core: ``dockerflow`` outside ``django/``, ``flask/`` and ``sanic/``
   and the short Django spellings (standard library only);
2. the adapters: the Django app ``dockerflow.django``, the Flask extension
   ``dockerflow_flask`` and the Sanic extension ``dockerflow_sanic``, each on
   the core alone (no adapter imports another);
3. python-dockerflow's import paths: ``dockerflow.flask``, ``dockerflow.sanic``
   and the short ``dockerflow.apps``, ``dockerflow.middleware`` and
   ``dockerflow.urls``, aliases of the adapters.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dockerflow", "dockerflow_flask", "dockerflow_sanic", "dockerflow_fastapi")

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
MAX_COMPLEXITY = 15
#: An extension past this is doing the core's work.
MAX_EXTENSION_LINES = 400

ALIASES = ("dockerflow.flask", "dockerflow.sanic", "dockerflow.fastapi")
SHORT_SPELLINGS = ("dockerflow.apps", "dockerflow.middleware", "dockerflow.urls")
ADAPTERS = (
    "dockerflow.django",
    "dockerflow_flask",
    "dockerflow_sanic",
    "dockerflow_fastapi",
)


def within(module: str, packages: Iterable[str]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def layer(module: str) -> tuple[int, str]:
    """``(height, name)`` of the layer ``module`` is in: a module may import
    its own layer and those below, never an adapter of another name."""
    if within(module, ALIASES + SHORT_SPELLINGS):
        return 3, "aliases"
    for adapter in ADAPTERS:
        if within(module, [adapter]):
            return 2, adapter
    return 1, "core"


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Each module's dotted name and file, packages included."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported(module: str, path: Path, known: set[str]) -> Iterator[str]:
    """The package modules ``module`` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([base] if base else []))
            # ``from a import b`` imports the module a.b when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        yield from (t for t in targets if t in known)


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    files = module_files(root, packages)
    known = set(files)
    return {
        name: set(imported(name, path, known)) - {name} for name, path in files.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a higher layer, or of another adapter."""
    wrong = []
    for source, targets in sorted(graph.items()):
        height, name = layer(source)
        for target in sorted(targets):
            their_height, theirs = layer(target)
            if their_height > height or (their_height == height and theirs != name):
                wrong.append(f"{source} ({name}) imports {target} ({theirs})")
    return wrong


def test_the_walk_finds_every_module_and_type_only_imports() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert {"dockerflow", "dockerflow.checks.services", "dockerflow_flask.app"} <= set(
        graph
    )
    # A function-level import, and relative ones, are edges too.
    assert "dockerflow.django.apps" in graph["dockerflow.apps"]
    assert "dockerflow.checks.services" in graph["dockerflow_sanic.checks"]


def test_the_package_has_no_import_circle() -> None:
    found = circles(import_graph(ROOT, PACKAGES))
    assert found == []


def test_no_import_runs_up_a_layer_or_across_adapters() -> None:
    assert upward(import_graph(ROOT, PACKAGES)) == []


def plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_planted_type_only_circle_and_upward_import_are_found(
    tmp_path: Path,
) -> None:
    plant(
        tmp_path,
        {
            "dockerflow/__init__.py": "",
            "dockerflow/a.py": "from . import b\n",
            "dockerflow/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from dockerflow.a import thing\n"
            ),
            "dockerflow/c.py": "def late():\n    import dockerflow_flask.app\n",
            "dockerflow_flask/__init__.py": "",
            "dockerflow_flask/app.py": "from dockerflow_sanic import x\n",
            "dockerflow_sanic/__init__.py": "",
        },
    )
    graph = import_graph(tmp_path, PACKAGES)
    assert circles(graph) == [["dockerflow.a", "dockerflow.b"]]
    assert upward(graph) == [
        "dockerflow.c (core) imports dockerflow_flask.app (dockerflow_flask)",
        "dockerflow_flask.app (dockerflow_flask) imports dockerflow_sanic "
        "(dockerflow_sanic)",
    ]


def source_files() -> list[Path]:
    """Every package module but Django's generated migrations."""
    files = module_files(ROOT, PACKAGES).values()
    return [p for p in files if "migrations" not in p.parts]


@functools.cache
def over_the_limits() -> dict[str, str]:
    """What is too big or too branchy: "file" or "file:function", and why."""
    found = {}
    for path in source_files():
        where = path.relative_to(ROOT).as_posix()
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found[where] = "module lines"
        for block in cc_visit(text):
            if not hasattr(block, "is_method"):  # a class: its methods are listed
                continue
            name = f"{block.classname}.{block.name}" if block.classname else block.name
            if block.complexity > MAX_COMPLEXITY:
                found[f"{where}:{name}"] = "complexity"
            elif block.endline - block.lineno + 1 > MAX_FUNCTION_LINES:
                found[f"{where}:{name}"] = "function lines"
    for extension in ("dockerflow_flask", "dockerflow_sanic", "dockerflow_fastapi"):
        files = (ROOT / extension).rglob("*.py")
        if sum(len(p.read_text().splitlines()) for p in files) > MAX_EXTENSION_LINES:
            found[extension] = "extension lines"
    return found


def test_modules_functions_and_complexity_stay_within_the_limits() -> None:
    found = over_the_limits()
    assert found == {}
