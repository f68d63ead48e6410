"""The example project's own app: its templates, checks and startup wiring.

Its ready() sends Python warnings through logging, so they reach stdout as
mozlog JSON like every other line the project writes.
"""

from __future__ import annotations

import logging

from django.apps import AppConfig


class ExampleProjectConfig(AppConfig):
    name = "example_project"
    verbose_name = "Dockerflow example project"

    def ready(self) -> None:
        # Otherwise warnings go to stderr as plain text, which a log shipper
        # that expects one JSON document per line would choke on.
        logging.captureWarnings(True)
