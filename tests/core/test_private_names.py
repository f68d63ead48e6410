"""Nothing private of another package in ``dockerflow*/``: no import of a
``_name`` from a module not ours, no ``obj._name`` on something not ours.

What counts as ours: a relative import or a ``dockerflow*`` module, and an
attribute name our own code defines somewhere in the package (a method, a
class attribute, ``self._x = ...``, a ``__slots__`` entry) or that starts
with ``_dockerflow``. ``mod._name`` on a module imported from elsewhere is
always someone else's. Each exception below says why it is one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p for p in ROOT.glob("dockerflow*") if (p / "__init__.py").exists())

#: (file, name): why that private name of another package is read or set.
ALLOWED = {
    ("dockerflow/django/middleware.py", "_id"): (
        "python-dockerflow's name for the request id on the request, which its"
        " users' code reads: set by us, on a name Django does not use"
    ),
    ("dockerflow/django/middleware.py", "_start_timestamp"): (
        "python-dockerflow's name for the request's arrival time on the"
        " request; an app that deletes it gets a summary without 't'"
    ),
    ("dockerflow/django/admin/lists.py", "_meta"): (
        "Django's Model _meta API is documented and public despite its"
        " underscore (docs: ref/models/meta)"
    ),
    ("dockerflow/django/history/aggregates.py", "_meta"): (
        "Django's Model _meta API (get_field) is documented and public"
        " despite its underscore (docs: ref/models/meta)"
    ),
    ("dockerflow_flask/app.py", "_get_current_object"): (
        "Flask documents LocalProxy._get_current_object() as the way to"
        " reach the object behind a proxy such as flask.g"
    ),
    ("dockerflow/django/api/schema.py", "_map_serializer"): (
        "drf-spectacular has no public name for mapping a serializer with"
        " extensions bypassed; its own contrib extensions call this, with"
        " bypass_extensions=True, and the schema golden file catches a change"
    ),
}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def ours(module: str | None, level: int = 0) -> bool:
    return level > 0 or (module or "").split(".")[0].startswith("dockerflow")


def defined_names(trees: Iterable[ast.AST]) -> set[str]:
    """Every private attribute name our own code gives a meaning to."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in {
                    "self",
                    "cls",
                }:
                    names.add(node.attr)
            elif isinstance(node, ast.ClassDef):  # pragma: no cover - above
                pass
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    names.update(_class_level(statement))
    return {name for name in names if private(name)}


def _class_level(statement: ast.stmt) -> Iterator[str]:
    targets = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    for target in targets:
        if isinstance(target, ast.Name):
            yield target.id
            if target.id == "__slots__" and isinstance(statement, ast.Assign):
                for item in ast.walk(statement.value):
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        yield item.value


def imported(tree: ast.AST, from_us: bool) -> set[str]:
    """The local names bound to modules (or their members) imported from our
    package (``from_us``) or from elsewhere."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if ours(alias.name) == from_us:
                    names.add((alias.asname or alias.name).split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and ours(node.module, node.level) == from_us
        ):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def findings(source: str, defined: set[str]) -> list[tuple[int, str]]:
    """(line, private name of another package) for each use in ``source``;
    ``defined`` is what the whole package defines, for ``self._x``."""
    tree = ast.parse(source)
    modules = imported(tree, from_us=False)
    here = defined_names([tree])
    ours_too = {"self", "cls", *imported(tree, from_us=True)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not ours(alias.name) and any(map(private, alias.name.split("."))):
                    found.append((node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom) and not ours(node.module, node.level):
            parts = (node.module or "").split(".")
            found += [(node.lineno, p) for p in parts if private(p)]
            found += [(node.lineno, a.name) for a in node.names if private(a.name)]
        elif isinstance(node, ast.Attribute) and private(node.attr):
            base = node.value.id if isinstance(node.value, ast.Name) else None
            if base in modules or not _ours(node.attr, base, here, defined, ours_too):
                found.append((node.lineno, node.attr))
        elif (name := _named_by_string(node)) and not _ours(
            name, None, here, defined, ours_too
        ):
            found.append((node.lineno, name))
    return sorted(set(found))


ACCESSORS = {"getattr", "setattr", "hasattr", "delattr"}


def _named_by_string(node: ast.AST) -> str | None:
    """The private name in ``getattr(x, "_n")`` and its kin, or in
    ``x.__dict__["_n"]`` / ``vars(x)["_n"]``."""
    key: ast.AST | None = None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ACCESSORS
        and len(node.args) >= 2
    ):
        key = node.args[1]
    elif isinstance(node, ast.Subscript) and (
        (isinstance(node.value, ast.Attribute) and node.value.attr == "__dict__")
        or (
            isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "vars"
        )
    ):
        key = node.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value if private(key.value) else None
    return None


def _ours(
    name: str, base: str | None, here: set[str], defined: set[str], bases: set[str]
) -> bool:
    """Ours: named for us, defined in this file, or on ``self`` or one of our
    modules and defined anywhere in the package (a subclass reaching into its
    base class is not)."""
    if name.startswith("_dockerflow") or name in here:
        return True
    return base in bases and name in defined


def package_files() -> list[Path]:
    return sorted(f for package in PACKAGES for f in package.rglob("*.py"))


def package_findings() -> dict[tuple[str, str], list[int]]:
    files = package_files()
    defined = defined_names(ast.parse(f.read_text()) for f in files)
    seen: dict[tuple[str, str], list[int]] = {}
    for file in files:
        relative = file.relative_to(ROOT).as_posix()
        for line, name in findings(file.read_text(), defined):
            seen.setdefault((relative, name), []).append(line)
    return seen


def test_the_scan_covers_every_package() -> None:
    assert {p.name for p in PACKAGES} >= {
        "dockerflow",
        "dockerflow_flask",
        "dockerflow_sanic",
    }
    assert len(package_files()) > 50


def test_nothing_private_of_another_package() -> None:
    unexplained = {
        f"{file}:{lines[0]}: {name}"
        for (file, name), lines in package_findings().items()
        if (file, name) not in ALLOWED
    }
    assert unexplained == set()


def test_every_allowed_name_is_still_used_and_says_why() -> None:
    found = package_findings()
    for key, reason in ALLOWED.items():
        assert key in found, f"{key} is allowed but no longer used: drop it"
        assert len(reason) > 40


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("import logging\n_START = logging._startTime\n", "_startTime"),
        ("from logging import _startTime\n", "_startTime"),
        ("import logging as log\nlog._acquireLock()\n", "_acquireLock"),
        ("def echo(response):\n    response.headers._store['k'] = 1\n", "_store"),
        ("def uid(user):\n    return user._wrapped\n", "_wrapped"),
        (
            "def closers(r):\n    return getattr(r, '_resource_closers', [])\n",
            "_resource_closers",
        ),
        ("from json.encoder import _make_iterencode\n", "_make_iterencode"),
        ("def copy(r):\n    return r.__dict__['_container']\n", "_container"),
        ("def copy(r):\n    return vars(r)['_closers']\n", "_closers"),
        ("import django.http._private\n", "django.http._private"),
    ],
)
def test_a_planted_private_name_is_found(source: str, name: str) -> None:
    assert [n for _, n in findings(source, defined=set())] == [name]


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n    def __init__(self):\n        self._x = 1\n"
        "    def f(self):\n        return self._x\n",
        "from . import summary\nsummary._makers\n",
        "from dockerflow import emitguard\nemitguard._MARK\n",
        "def f(request):\n    request._dockerflow_scope = 1\n",
        "x.__dict__\n",
    ],
)
def test_our_own_names_pass(source: str) -> None:
    defined = {"_makers", "_MARK"}
    assert findings(source, defined) == []
