"""The seed's Django spellings are the app's own; the short ones are aliases.

Seed-era settings (INSTALLED_APPS, MIDDLEWARE, DOCKERFLOW_CHECKS) keep working,
and so do the short "dockerflow" spellings, which load the very same app.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from django.apps import AppConfig, apps
from django.test import Client, override_settings

import dockerflow.apps
import dockerflow.django.apps
import dockerflow.django.middleware
import dockerflow.django.urls
import dockerflow.middleware
import dockerflow.urls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("short", "seed", "names"),
    [
        (dockerflow.apps, dockerflow.django.apps, ["DockerflowConfig"]),
        (dockerflow.middleware, dockerflow.django.middleware, ["DockerflowMiddleware"]),
        (dockerflow.urls, dockerflow.django.urls, ["app_name", "urlpatterns"]),
    ],
)
def test_short_spellings_are_the_same_objects(
    short: object, seed: object, names: list[str]
) -> None:
    for name in names:
        assert getattr(short, name) is getattr(seed, name)


@pytest.mark.parametrize("entry", ["dockerflow.django", "dockerflow"])
def test_both_app_spellings_load_the_one_app(entry: str) -> None:
    config = AppConfig.create(entry)
    assert type(config) is dockerflow.django.apps.DockerflowConfig
    assert (config.name, config.label) == ("dockerflow.django", "dockerflow")
    assert apps.get_app_config("dockerflow").verbose_name == "Dockerflow"


def test_unknown_names_on_the_short_modules_raise() -> None:
    for module in (dockerflow.apps, dockerflow.middleware, dockerflow.urls):
        with pytest.raises(AttributeError):
            module.nothing_here  # type: ignore[attr-defined]  # noqa: B018


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
        assert apps.get_app_config("dockerflow").name == "dockerflow.django"
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
