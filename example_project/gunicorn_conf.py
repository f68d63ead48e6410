"""Gunicorn's settings for the example project, which ``make run`` passes:
``gunicorn -c python:example_project.gunicorn_conf example_project.wsgi``.

A worker that exits (SIGTERM, a restart, ``max_requests``) first stores the
heartbeat runs its history writer still holds, for at most 5 s: well inside
gunicorn's 30 s graceful timeout. ``atexit`` would too; this makes it plain.
"""

from __future__ import annotations

from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    from django.apps import apps

    if not apps.ready:
        return  # the project never loaded: nothing was recorded
    from dockerflow.django import history

    history.drain()
