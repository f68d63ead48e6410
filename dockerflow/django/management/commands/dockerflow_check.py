"""``manage.py dockerflow_check``: the heartbeat from a shell or a Docker HEALTHCHECK.

Runs DOCKERFLOW_CHECKS through the engine behind ``/__heartbeat__`` and exits
0 when healthy, 1 when failing, 2 when it could not run.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dockerflow.checks import (
    ERROR,
    MAX_TIMEOUT,
    WARNING,
    CheckResult,
    HeartbeatResult,
)
from dockerflow.django import heartbeat
from dockerflow.django.system_checks import check_settings
from dockerflow.endpoints import HEARTBEAT

EXIT_HEALTHY = 0
EXIT_FAILING = 1
EXIT_CANNOT_RUN = 2

FAIL_LEVELS = {"warning": WARNING, "error": ERROR}

#: Settings mistakes that stop the heartbeat itself from running as
#: configured: DOCKERFLOW_CHECKS malformed or unimportable, a bad timeout.
_BLOCKING = frozenset({"dockerflow.E003", "dockerflow.E004", "dockerflow.E008"})


def _full_name(check: Any) -> str:
    return f"{getattr(check, '__module__', '')}.{getattr(check, '__name__', '')}"


def select(
    pairs: list[heartbeat.Pair], names: list[str], tags: list[str]
) -> list[heartbeat.Pair]:
    """The checks named (by name or dotted path) or tagged, in their order."""
    if not names and not tags:
        return pairs
    known = {name for name, _ in pairs} | {_full_name(check) for _, check in pairs}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CommandError(
            f"No such check: {', '.join(unknown)}. "
            f"The heartbeat runs: {', '.join(name for name, _ in pairs) or 'nothing'}.",
            returncode=EXIT_CANNOT_RUN,
        )
    chosen = [
        (name, check)
        for name, check in pairs
        if name in names
        or _full_name(check) in names
        or set(tags) & set(getattr(check, "tags", ()))
    ]
    if not chosen:
        raise CommandError(
            f"No check is tagged {' or '.join(tags)}.", returncode=EXIT_CANNOT_RUN
        )
    return chosen


def _messages(check: CheckResult) -> list[str]:
    lines = []
    for message in check.messages:
        prefix = f"{message.id}: " if message.id else ""
        lines += f"{prefix}{message.msg}".splitlines() or [prefix]
    return lines


class Command(BaseCommand):
    help = (
        "Run the Dockerflow heartbeat checks once. Exit 0 when healthy, "
        "1 when failing, 2 when the checks could not run."
    )
    # Django's full system-check pass would cost more than the checks
    # themselves; handle() validates only the settings the heartbeat needs.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the heartbeat JSON, with details, instead of a table.",
        )
        parser.add_argument(
            "--fail-level",
            choices=sorted(FAIL_LEVELS),
            default="error",
            help="The level at which the command exits 1 (default: error, "
            f"like {HEARTBEAT.path}).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="Seconds each check may take (default: DOCKERFLOW_CHECK_TIMEOUT).",
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="Store the run in the heartbeat history, unless DOCKERFLOW_HISTORY "
            "is off.",
        )
        parser.add_argument(
            "--check",
            action="append",
            default=[],
            dest="checks",
            metavar="NAME",
            help="Run only this check, by name or dotted path; repeatable.",
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            dest="tags",
            metavar="TAG",
            help="Run only the checks with this tag (database, caches, ...); "
            "repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        timeout = options["timeout"]
        if timeout is not None and not (
            math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT
        ):
            raise CommandError(
                "--timeout must be a positive number of seconds, at most "
                f"{MAX_TIMEOUT:g}, not {timeout:g}.",
                returncode=EXIT_CANNOT_RUN,
            )
        self._validate_settings(ignore_timeout=timeout is not None)
        pairs = select(heartbeat.heartbeat_checks(), options["checks"], options["tags"])
        with heartbeat.unlogged(options["verbosity"] < 2):
            result = heartbeat.run(pairs, timeout=timeout, cached=False)
        if options["record"]:
            self._record(result, verbose=options["verbosity"] >= 2)
        if options["json"]:
            self.stdout.write(json.dumps(result.payload(details=True), indent=2))
        else:
            self._write_table(result)
        if result.level >= FAIL_LEVELS[options["fail_level"]]:
            raise SystemExit(EXIT_FAILING)

    def _validate_settings(self, *, ignore_timeout: bool) -> None:
        ignored = {"dockerflow.E008"} if ignore_timeout else set()
        blocking = [
            message for message in check_settings() if message.id in _BLOCKING - ignored
        ]
        if blocking:
            lines = [f"{m.id}: {m.msg} HINT: {m.hint}" for m in blocking]
            raise CommandError(
                "The heartbeat cannot run as configured:\n" + "\n".join(lines),
                returncode=EXIT_CANNOT_RUN,
            )

    def _record(self, result: HeartbeatResult, *, verbose: bool) -> None:
        from dockerflow.django import history

        # Forced: a HEALTHCHECK that asks to record every run means it,
        # whatever DOCKERFLOW_HISTORY keeps of the HTTP probes.
        stored = history.record(result, source="command", force=True)
        # stderr, so --json output stays one JSON document.
        if stored is None:
            self.stderr.write(
                "The run was not recorded: DOCKERFLOW_HISTORY is off, or the "
                "database refused it (see the dockerflow.history log)."
            )
        elif verbose:
            self.stderr.write(f"Recorded as run {stored.pk}.")

    def _write_table(self, result: HeartbeatResult) -> None:
        rows = [
            (check.name, check.status, f"{check.duration * 1000:.1f} ms", check)
            for check in result
        ]
        headers = ("CHECK", "STATUS", "DURATION")
        widths = [
            max([len(headers[i])] + [len(str(row[i])) for row in rows])
            for i in range(3)
        ]
        indent = sum(widths) + 3 * 2
        self.stdout.write(
            "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
            + "  MESSAGES"
        )
        for name, status, duration, check in rows:
            # Pad before styling: colour codes would count as width.
            cells = [
                name.ljust(widths[0]),
                self._styled(status, status.ljust(widths[1])),
                duration.rjust(widths[2]),
            ]
            lines = _messages(check) or [""]
            self.stdout.write(("  ".join(cells) + "  " + lines[0]).rstrip())
            for line in lines[1:]:
                self.stdout.write(" " * indent + line)
        plural = "" if len(rows) == 1 else "s"
        self.stdout.write(
            f"\n{self._styled(result.status, result.status)}: "
            f"{len(rows)} check{plural} in {result.duration * 1000:.1f} ms"
        )

    def _styled(self, status: str, text: str) -> str:
        if status in ("error", "critical"):
            return self.style.ERROR(text)
        if status == "warning":
            return self.style.WARNING(text)
        if status == "ok":
            return self.style.SUCCESS(text)
        return text
