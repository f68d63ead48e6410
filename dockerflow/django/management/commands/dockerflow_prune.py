"""``manage.py dockerflow_prune``: delete old heartbeat history, for cron.

The same batched prune the recorder runs on its own, taken to the end.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from dockerflow.django.history.pruning import BATCH_SIZE, prune


class Command(BaseCommand):
    help = (
        "Delete heartbeat history older than the DOCKERFLOW_HISTORY_*_DAYS "
        "settings, in batches, keeping each host's and check's last failures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows per DELETE (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be deleted; delete nothing.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias holding the history (default 'default').",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            pruned = prune(
                using=options["database"],
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
            )
        except DatabaseError as exc:
            raise CommandError(f"The history could not be pruned: {exc}") from exc
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            f"{verb} {pruned.runs} runs, {pruned.changes} status changes, "
            f"{pruned.aggregates} aggregates and {pruned.states} host states; "
            f"{pruned.kept_failures} runs are kept for their failures."
        )
