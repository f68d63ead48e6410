"""The shared core imports no web framework: every module, each in a fresh interpreter.

The modules are found by walking ``dockerflow/``, so a new core module is
covered the day it is written; only the three adapter folders are left out.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import dockerflow

ADAPTERS = (
    "dockerflow.django",
    "dockerflow.flask",
    "dockerflow.sanic",
    "dockerflow.fastapi",
)
FRAMEWORKS = [
    "django",
    "flask",
    "werkzeug",
    "sanic",
    "starlette",
    "rest_framework",
    "drf_spectacular",
    "redis",
    "sqlalchemy",
]


def core_modules() -> list[str]:
    found = ["dockerflow"]
    for info in pkgutil.walk_packages(dockerflow.__path__, "dockerflow."):
        name = info.name
        if name in ADAPTERS or name.startswith(tuple(f"{a}." for a in ADAPTERS)):
            continue
        found.append(name)
    return sorted(found)


def frameworks_loaded_by(module: str) -> list[str]:
    script = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({FRAMEWORKS!r}))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_the_walk_finds_the_core() -> None:
    modules = core_modules()
    root = Path(dockerflow.__file__).parent
    files = {
        path
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0]
        not in ("django", "flask", "sanic", "fastapi")
    }
    assert len(modules) == len(files)
    assert {"dockerflow.logging", "dockerflow.checks.engine"} <= set(modules)
    assert not any(m.startswith(ADAPTERS) for m in modules)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_no_framework(module: str) -> None:
    assert frameworks_loaded_by(module) == []


def test_the_check_would_catch_a_framework_import() -> None:
    assert frameworks_loaded_by("dockerflow.django.conf") == ["django"]
