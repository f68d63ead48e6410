"""An app the e2e settings install with E2E_STATUS_LOG: one ``e2e`` record
per ``status_changed`` signal, with the change's id, so a test counts the
signals each server sent from its stdout.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import AppConfig

logger = logging.getLogger("e2e")


def log_change(sender: Any, change: Any, **kwargs: Any) -> None:
    logger.info("e2e status changed", extra={"change": change.pk})


class StatusLogConfig(AppConfig):
    name = "tests.e2e.apps.status_log"
    label = "e2e_status_log"

    def ready(self) -> None:
        from dockerflow.django.signals import status_changed

        status_changed.connect(log_change, dispatch_uid="e2e-status-log")
