"""The shared core imports no web framework: proven in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

CORE_MODULES = [
    "dockerflow",
    "dockerflow.checks",
    "dockerflow.checks.engine",
    "dockerflow.checks.registry",
    "dockerflow.checks.results",
    "dockerflow.endpoints",
    "dockerflow.health",
    "dockerflow.logging",
    "dockerflow.options",
    "dockerflow.safejson",
    "dockerflow.summary",
    "dockerflow.version",
]
FRAMEWORKS = [
    "django",
    "flask",
    "werkzeug",
    "sanic",
    "starlette",
    "rest_framework",
    "redis",
    "sqlalchemy",
]


def test_core_imports_no_framework() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


def test_the_check_would_catch_a_framework_import() -> None:
    script = "import sys, dockerflow.logging, django; print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
