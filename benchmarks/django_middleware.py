"""Per-request cost of DockerflowMiddleware, ours beside python-dockerflow 2026.3.4's.

The same script runs in both venvs (the seed's is built on first use), rounds
interleaved; it prints both overheads and their ratio. Run: python benchmarks/django_middleware.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sidebyside import PROCESSES, Scenarios, compare, report, serve

MIDDLEWARE = "dockerflow.django.middleware.DockerflowMiddleware"  # both packages'
PLAIN = "plain view, no middleware"
WITH = "plain view + middleware"
QUIET = "  the same, summary not logged"
PROBE = "/__lbheartbeat__ + middleware"
PROBE_QUIET = "  the same, summary not logged "


def configure() -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF="urlconf",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "dockerflow.django",
        ],
        DATABASES={},
        MIDDLEWARE=[],
        # Records are formatted as in production, then thrown away: the cost
        # of writing to a real stdout depends on what reads it.
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "dockerflow.logging.JsonLogFormatter"}},
            "handlers": {
                "null": {
                    "class": "logging.FileHandler",
                    "filename": os.devnull,
                    "formatter": "json",
                }
            },
            "loggers": {"request.summary": {"handlers": ["null"], "level": "INFO"}},
        },
    )
    django.setup()


def urlconf() -> None:
    """The URLconf as a module: one view; both middlewares serve the probe."""
    import types

    from django.http import HttpRequest, HttpResponse
    from django.urls import path

    def hello(request: HttpRequest) -> HttpResponse:
        return HttpResponse(b"hello", content_type="text/plain")

    module = types.ModuleType("urlconf")
    module.urlpatterns = [path("hello/", hello)]  # type: ignore[attr-defined]
    sys.modules["urlconf"] = module


def scenarios() -> Scenarios:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    def handler(middleware: list[str]) -> WSGIHandler:
        # The chain is built once, in __init__, from the settings of that moment.
        with override_settings(MIDDLEWARE=middleware):
            return WSGIHandler()

    return {
        PLAIN: (handler([]), "/hello/", True),
        WITH: (handler([MIDDLEWARE]), "/hello/", True),
        QUIET: (handler([MIDDLEWARE]), "/hello/", False),
        PROBE: (handler([MIDDLEWARE]), "/__lbheartbeat__", True),
        PROBE_QUIET: (handler([MIDDLEWARE]), "/__lbheartbeat__", False),
    }


def main(number: int = 2_000, rounds: int = 12) -> list[dict[str, float]]:
    infos, times = compare(Path(__file__), ["Django"], number, rounds)
    print(
        f"{number} requests x {rounds} rounds, alternating between the two venvs,"
        f" {PROCESSES} worker processes each"
    )
    rows = (PLAIN, WITH, QUIET, PROBE, PROBE_QUIET)
    return report(infos, times, rows, "middleware", "middleware", goals=True)


if __name__ == "__main__":
    if "--worker" in sys.argv:
        configure()
        urlconf()
        serve(scenarios(), "Django")
    else:
        main()
