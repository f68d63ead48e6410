"""Heartbeat latency through the Django view: 5 slow checks, and one hung check.

The baseline runs the same checks one after another, as python-dockerflow's
heartbeat did, in the same process. Run: python benchmarks/heartbeat_latency.py
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils.module_loading import import_string

CHECK_SECONDS = 0.2
SLOW_CHECKS = [f"{__name__}.slow_check_{i}" for i in range(1, 6)]
HUNG_CHECKS = [f"{__name__}.hung_check"]
RELEASE = threading.Event()


def _slow() -> list[Any]:
    time.sleep(CHECK_SECONDS)
    return []


# Five distinct functions: the engine runs each check once per heartbeat,
# so five references to one function would be one check.
def slow_check_1(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _slow()


def slow_check_2(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _slow()


def slow_check_3(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _slow()


def slow_check_4(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _slow()


def slow_check_5(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return _slow()


def hung_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    RELEASE.wait()  # set when the script ends, so no thread outlives it
    return []


def seed_style_heartbeat(request: HttpRequest) -> JsonResponse:
    """The baseline: each DOCKERFLOW_CHECKS entry called in turn, no timeout."""
    messages = []
    for dotted in settings.DOCKERFLOW_CHECKS:
        messages += import_string(dotted)(app_configs=None)
    return JsonResponse({"status": "ok" if not messages else "error"})


urlpatterns = [
    path("seed-heartbeat/", seed_style_heartbeat),
    path("", include("dockerflow.django.urls")),
]


def configure() -> None:
    settings.configure(
        DEBUG=True,
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
        DOCKERFLOW_CHECKS=SLOW_CHECKS,
        LOGGING_CONFIG=None,
    )
    django.setup()


def timed_get(url: str, expected: int, **overrides: Any) -> float:
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(**overrides):
        started = time.perf_counter()
        response = Client().get(url)
        took = time.perf_counter() - started
    assert response.status_code == expected, (
        url,
        response.status_code,
        response.content,
    )
    return took * 1000


def main(rounds: int = 5, hung_timeout: float = 1.0) -> dict[str, float]:
    configure()
    import logging

    # The hung check fails the heartbeat on purpose; keep the output short.
    for name in ("dockerflow", "django.request"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    timed_get("/__heartbeat__", 200)  # warm up: imports, first threads
    slow: dict[str, list[float]] = {"dockerflow": [], "sequential (seed)": []}
    for _ in range(rounds):
        slow["dockerflow"].append(timed_get("/__heartbeat__", 200))
        slow["sequential (seed)"].append(timed_get("/seed-heartbeat/", 200))
    hung = []
    try:
        for _ in range(rounds):
            hung.append(
                timed_get(
                    "/__heartbeat__",
                    500,
                    DOCKERFLOW_CHECKS=HUNG_CHECKS,
                    DOCKERFLOW_CHECK_TIMEOUT=hung_timeout,
                )
            )
        default = timed_get("/__heartbeat__", 500, DOCKERFLOW_CHECKS=HUNG_CHECKS)
    finally:
        RELEASE.set()
    figures = {label: statistics.median(ms) for label, ms in slow.items()}
    figures["hung check"] = statistics.median(hung)
    figures["hung check, default timeout"] = default
    print(
        f"Django {django.__version__}, median of {rounds} heartbeats through the view"
    )
    print(f"5 checks of {CHECK_SECONDS * 1000:.0f} ms each:")
    for label, ms in slow.items():
        print(
            f"  {label:<22}{statistics.median(ms):>8.0f} ms  (min {min(ms):.0f}, max {max(ms):.0f})"
        )
    print(f"  speed-up {figures['sequential (seed)'] / figures['dockerflow']:.1f}x")
    print("1 check that never returns:")
    hung_label = f"timeout {hung_timeout:.1f} s"
    print(f"  {hung_label:<22}{figures['hung check']:>8.0f} ms  (max {max(hung):.0f})")
    print(f"  {'timeout 3.0 s (default)':<22}{default:>8.0f} ms")
    print(f"  {'sequential (seed)':<22}  never answers")
    return figures


if __name__ == "__main__":
    main()
