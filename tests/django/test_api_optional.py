"""Without DRF or drf-spectacular, dockerflow.django still works: only the
history API and the schema are missing, and dockerflow.W030 says what to install.

The missing packages are simulated in a fresh interpreter, where importing
them fails as it would if they were not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Warning
from django.test import override_settings

from dockerflow.django.api import missing
from dockerflow.django.api.system_checks import check_api_requirements

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, pkgutil, sys
for name in BLOCKED:
    sys.modules[name] = None  # "import name" now raises ModuleNotFoundError

import django
django.setup()
from django.core import checks
from django.test import Client
from django.test.utils import override_settings

import dockerflow.django
from dockerflow.django import api
from dockerflow.django.api import urls as api_urls

imported = []
for module in pkgutil.walk_packages(dockerflow.django.__path__, "dockerflow.django."):
    if module.name.startswith("dockerflow.django.api.") and module.name not in (
        "dockerflow.django.api.urls", "dockerflow.django.api.system_checks"
    ):
        continue  # the DRF-only modules, imported by api.urls only when installed
    __import__(module.name)
    imported.append(module.name)

def w030(urlconf):
    with override_settings(ROOT_URLCONF=urlconf):
        return [
            {"id": m.id, "msg": m.msg, "hint": m.hint}
            for m in checks.run_checks(tags=["dockerflow"])
            if m.id == "dockerflow.W030"
        ]

with override_settings(DOCKERFLOW_HISTORY="off", ROOT_URLCONF="tests.django.urls_api"):
    client = Client()
    statuses = {p: client.get(p).status_code for p in (
        "/__lbheartbeat__", "/__version__", "/__heartbeat__", "/dockerflow/history/runs/"
    )}

print(json.dumps({
    "missing": api.missing(),
    "patterns": len(api_urls.urlpatterns),
    "imported": imported,
    "included": w030("tests.django.urls_api"),
    "not_included": w030("tests.django.urls"),
    "statuses": statuses,
}))
"""


def without(*blocked: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.django.settings")
    done = subprocess.run(
        [sys.executable, "-c", f"BLOCKED = {list(blocked)!r}\n{SCRIPT}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_everything_but_the_api_works_without_drf() -> None:
    found = without("rest_framework", "drf_spectacular")
    assert found["missing"] == ["djangorestframework", "drf-spectacular"]
    assert found["patterns"] == 0
    assert {"dockerflow.django.views", "dockerflow.django.models"} <= set(
        found["imported"]
    )
    assert "dockerflow.django.management.commands.dockerflow_check" in found["imported"]
    assert found["statuses"] == {
        "/__lbheartbeat__": 200,
        "/__version__": 200,
        "/__heartbeat__": 200,
        "/dockerflow/history/runs/": 404,
    }
    [warning] = found["included"]
    assert warning["msg"].startswith(
        "include('dockerflow.django.api.urls') serves nothing: djangorestframework "
        "and drf-spectacular are not installed"
    )
    assert warning["hint"] == (
        "Install dockerflow-kit with its django extra (from your checkout or wheel: "
        "pip install '<checkout or wheel>[django]'), which brings both."
    )
    assert found["not_included"] == []  # a project without the API hears nothing


def test_drf_spectacular_alone_missing_is_named() -> None:
    found = without("drf_spectacular")
    assert found["missing"] == ["drf-spectacular"]
    assert found["patterns"] == 0
    assert "drf-spectacular is not installed" in found["included"][0]["msg"]


def test_with_both_installed_there_is_nothing_to_say() -> None:
    assert missing() == []
    with override_settings(ROOT_URLCONF="tests.django.urls_api"):
        assert check_api_requirements() == []


@pytest.mark.parametrize("urlconf", ["tests.django.urls_api", "tests.django.urls"])
def test_the_warning_is_a_warning(
    urlconf: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dockerflow.django.api import system_checks

    monkeypatch.setattr(system_checks, "missing", lambda: ["djangorestframework"])
    with override_settings(ROOT_URLCONF=urlconf):
        found = check_api_requirements()
    if urlconf.endswith("_api"):
        assert [type(m) for m in found] == [Warning]
        assert found[0].id == "dockerflow.W030"
    else:
        assert found == []
