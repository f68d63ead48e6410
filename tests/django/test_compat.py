"""python-dockerflow's documented Django paths: the same objects, the same app.

Seed-era settings (INSTALLED_APPS, MIDDLEWARE, DOCKERFLOW_CHECKS) keep working.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

import pytest
from django.apps import AppConfig, apps
from django.test import Client, override_settings

import dockerflow.apps
import dockerflow.builtin_checks
import dockerflow.middleware
import dockerflow.signals
import dockerflow.urls
import dockerflow.views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ("apps", dockerflow.apps, ["DockerflowConfig"]),
        (
            "checks",
            dockerflow.builtin_checks,
            [
                "check_database_connected",
                "check_migrations_applied",
                "check_redis_connected",
            ],
        ),
        ("middleware", dockerflow.middleware, ["DockerflowMiddleware"]),
        ("signals", dockerflow.signals, ["heartbeat_passed", "heartbeat_failed"]),
        ("urls", dockerflow.urls, ["app_name", "urlpatterns"]),
        ("views", dockerflow.views, ["version", "heartbeat", "lbheartbeat"]),
    ],
)
def test_seed_paths_are_the_same_objects(
    old: str, new: object, names: list[str]
) -> None:
    module = importlib.import_module(f"dockerflow.django.{old}")
    for name in names:
        assert getattr(module, name) is getattr(new, name)


def test_seed_app_path_loads_the_same_app() -> None:
    config = AppConfig.create("dockerflow.django")
    assert type(config) is dockerflow.apps.DockerflowConfig
    assert (config.name, config.label) == ("dockerflow", "dockerflow")
    assert apps.get_app_config("dockerflow").verbose_name == "Dockerflow"


def test_seed_settings_work_end_to_end() -> None:
    """A project set up exactly as python-dockerflow documents it."""
    code = textwrap.dedent(
        """
        import django
        from django.conf import settings
        settings.configure(
            DEBUG=False,
            SECRET_KEY="x",
            ALLOWED_HOSTS=["testserver"],
            BASE_DIR="tests/django",
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                            "dockerflow.django"],
            MIDDLEWARE=["dockerflow.django.middleware.DockerflowMiddleware"],
            ROOT_URLCONF="tests.django.urls_seed",
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                                   "NAME": ":memory:"}},
            DOCKERFLOW_CHECKS=[
                "dockerflow.django.checks.check_database_connected",
                "dockerflow.django.checks.check_migrations_applied",
            ],
        )
        django.setup()
        from django.apps import apps
        from django.core.management import call_command
        from django.test import Client
        assert apps.get_app_config("dockerflow").name == "dockerflow"
        call_command("migrate", verbosity=0)
        client = Client()
        for path in ("/__version__", "/__heartbeat__", "/__lbheartbeat__"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.content)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_seed_check_paths_run_in_the_heartbeat(client: Client) -> None:
    paths = [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_migrations_applied",
    ]
    with override_settings(
        DOCKERFLOW_CHECKS=paths, DOCKERFLOW_HEARTBEAT_DETAILS="always"
    ):
        response = client.get("/__heartbeat__")
    assert response.json()["checks"] == {
        "check_database_connected": "ok",
        "check_migrations_applied": "ok",
    }


def test_seed_middleware_path_serves_endpoints() -> None:
    seed = ["dockerflow.django.middleware.DockerflowMiddleware"]
    with override_settings(MIDDLEWARE=seed, ROOT_URLCONF="tests.django.urls_empty"):
        assert Client().get("/__lbheartbeat__").status_code == 200
