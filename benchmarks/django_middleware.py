"""Per-request cost of DockerflowMiddleware: one trivial view, with and without it.

Two WSGI handlers in one process, timed in interleaved rounds; prints µs per
request for each, the difference and the ratio. Run: python benchmarks/django_middleware.py
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("hello/", hello), path("", include("dockerflow.django.urls"))]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DOCKERFLOW = "dockerflow.django.middleware.DockerflowMiddleware"


def configure() -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
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


def handler(middleware: list[str]) -> WSGIApp:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    # The chain is built once, in __init__, from the settings of that moment.
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Firefox/131.0",
        "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.5",
        "HTTP_X_REQUEST_ID": "4bd4c6a1-8d8a-4b9a-9d5e-3c8a3f7f2a11",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
    start_response.status = status  # type: ignore[attr-defined]


def per_request_us(app: WSGIApp, path: str, number: int, log: bool = True) -> float:
    logging.getLogger("request.summary").disabled = not log
    started = time.perf_counter()
    for _ in range(number):
        response = app(environ(path), start_response)
        b"".join(response)
        response.close()  # type: ignore[attr-defined]
    return (time.perf_counter() - started) / number * 1e6


def main(number: int = 3_000, rounds: int = 9) -> dict[str, float]:
    configure()
    apps = {
        "plain view": (handler([]), "/hello/"),
        "plain view + Dockerflow": (handler([DOCKERFLOW]), "/hello/"),
        "  the same, summary not logged": (handler([DOCKERFLOW]), "/hello/"),
        "/__lbheartbeat__ in middleware": (handler([DOCKERFLOW]), "/__lbheartbeat__"),
    }
    for app, target in apps.values():  # warm up, and prove every app answers
        per_request_us(app, target, 200)
        assert start_response.status.startswith("200"), start_response.status  # type: ignore[attr-defined]
    times: dict[str, list[float]] = {label: [] for label in apps}
    for _ in range(rounds):  # interleaved, so all see the same machine state
        for label, (app, target) in apps.items():
            log = "not logged" not in label
            times[label].append(per_request_us(app, target, number, log))
    best = {label: min(values) for label, values in times.items()}
    median = {label: statistics.median(values) for label, values in times.items()}
    print(
        f"{number} requests x {rounds} interleaved rounds, Django {django.__version__}"
    )
    print(f"{'':<34}{'best µs':>10}{'median µs':>12}")
    for label in apps:
        print(f"{label:<34}{best[label]:>10.1f}{median[label]:>12.1f}")
    plain, ours = median["plain view"], median["plain view + Dockerflow"]
    print(
        f"middleware overhead (median): {ours - plain:.1f} µs per request, {ours / plain:.2f}x"
    )
    return median


if __name__ == "__main__":
    main()
