"""``manage.py dockerflow_deliver``: send the webhook deliveries that are due,
for cron: the same sender each process runs on its own while it is probed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from dockerflow.django.conf import conf
from dockerflow.django.webhooks.delivery import Sent, deliver_due, soonest


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries of DOCKERFLOW_WEBHOOKS that are due, "
        "within each webhook's rate, until none is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="One pass only: at most one batch per webhook.",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            help="Also wait up to this many seconds for deliveries that fall "
            "due meanwhile, such as retries and rate-limited ones (default 0).",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias holding the history (default 'default').",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait"] < 0:
            raise CommandError("--wait must be 0 or more seconds.")
        hooks, using = conf.webhooks, options["database"]
        if not hooks:
            raise CommandError("DOCKERFLOW_WEBHOOKS names no webhook that parses.")
        total = Sent()
        deadline = time.monotonic() + options["wait"]
        try:
            while True:
                sent = deliver_due(hooks, using)
                total.add(sent)
                if options["once"]:
                    break
                wait = soonest(hooks, using)
                if wait is None:
                    break
                if wait == 0 and sent.total:
                    continue  # more are due now: the batch was full
                if time.monotonic() + wait > deadline:
                    break
                time.sleep(max(wait, 0.05))
        except DatabaseError as exc:
            raise CommandError(f"Deliveries could not be sent: {exc}") from exc
        self.stdout.write(
            f"Delivered {total.delivered}, {total.retrying} to retry, "
            f"{total.failed} failed for good."
        )
