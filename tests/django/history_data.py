"""A small, known heartbeat history written straight into the tables.

The admin tests and the browser test read it: four hosts over 24 hours, a
few failure episodes, a deploy, and a host that stopped reporting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

from dockerflow.django.models import (
    DURATION_BUCKETS,
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)

CHECKS = (
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
)
HOSTS = ("web-1", "web-2", "web-3", "web-4")
LEVELS = {"ok": 0, "warning": 30, "error": 40, "critical": 50}
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Episode:
    """``check`` of ``host`` had ``status`` from ``since`` to ``until`` hours ago."""

    host: str
    check: str
    status: str
    since: float
    until: float = 0.0

    def covers(self, host: str, check: str, age: float) -> bool:
        return (
            host == self.host and check == self.check and self.until <= age < self.since
        )


EPISODES = (
    Episode("web-2", "check_redis_connected", "error", since=7, until=4),
    Episode("web-1", "check_migrations_applied", "warning", since=12, until=11),
    # Still failing: the "now" line counts web-3.
    Episode("web-3", "check_database_connected", "critical", since=0.6),
)
#: web-4 stopped reporting this many hours ago.
MISSING_HOST, MISSING_FOR = "web-4", 3
MISSING = {MISSING_HOST: MISSING_FOR}
#: The version changed this many hours ago.
OLD, NEW, DEPLOYED = "2026.3.3", "2026.3.4", 10
EVERY = timedelta(minutes=15)
MESSAGES = {
    "check_redis_connected": ("dockerflow.health.E004", "Could not connect to redis"),
    "check_migrations_applied": ("dockerflow.health.W001", "Unapplied migration"),
    "check_database_connected": (
        "dockerflow.health.E001",
        "Could not connect to database",
    ),
}


@dataclass
class Seeded:
    now: datetime
    runs: int
    statuses: dict[str, int]


def worst(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: LEVELS[s])


def floor(t: datetime, size: timedelta) -> datetime:
    t = t.astimezone(dt_timezone.utc)
    t = t.replace(minute=0, second=0, microsecond=0)
    return t if size == HOUR else t.replace(hour=0)


def _count(
    aggregates: dict, key: tuple, status: str, ms: float, failing: float
) -> None:
    row = aggregates.setdefault(
        key,
        {
            "runs": 0,
            "failing_seconds": 0.0,
            "duration_total_ms": 0.0,
            "duration_max_ms": 0.0,
        },
    )
    bucket = next(name for name, edge in DURATION_BUCKETS if ms <= edge)
    row["runs"] += 1
    # As the recorder counts them: the total, the slowest and the fastest.
    row["duration_total_ms"] += ms
    row["duration_max_ms"] = max(row["duration_max_ms"], ms)
    row["duration_min_ms"] = min(row.get("duration_min_ms", ms), ms)
    row[status] = row.get(status, 0) + 1
    row[bucket] = row.get(bucket, 0) + 1
    row["failing_seconds"] += failing


def _checks(
    host: str, index: int, t: datetime, age: float, episodes: tuple[Episode, ...]
) -> list[CheckRun]:
    rows = []
    for number, name in enumerate(CHECKS):
        status = next((e.status for e in episodes if e.covers(host, name, age)), "ok")
        message_id, text = MESSAGES[name]
        rows.append(
            CheckRun(
                time=t,
                host=host,
                name=name,
                status=status,
                level=LEVELS[status],
                duration_ms=3000.0 if status == "error" else 2.0 + index + number,
                messages=[] if status == "ok" else [{"id": message_id, "msg": text}],
            )
        )
    return rows


def seed(
    now: datetime | None = None,
    hosts: tuple[str, ...] = HOSTS,
    every: timedelta = EVERY,
    episodes: tuple[Episode, ...] = EPISODES,
    missing: dict[str, float] = MISSING,
) -> Seeded:
    """Write the history as of ``now``: each host stores a run ``every`` 15
    minutes; each host in ``missing`` stopped that many hours ago."""
    now = now or timezone.now()
    runs: list[HeartbeatRun] = []
    checks: list[list[CheckRun]] = []
    aggregates: dict[tuple, dict] = {}
    t = now - 24 * HOUR + every
    while t <= now:
        age = (now - t) / HOUR
        for index, host in enumerate(hosts):
            if age < missing.get(host, 0):
                continue
            rows = _checks(host, index, t, age, episodes)
            status = worst([r.status for r in rows])
            failing = [r.name for r in rows if LEVELS[r.status] >= 40]
            duration = max(r.duration_ms for r in rows) + 1
            runs.append(
                HeartbeatRun(
                    time=t,
                    host=host,
                    status=status,
                    level=LEVELS[status],
                    duration_ms=duration,
                    http_status=500 if failing else 200,
                    source="http",
                    version=NEW if age < DEPLOYED else OLD,
                    failing_checks=failing,
                )
            )
            checks.append(rows)
            for period, size in (("hour", HOUR), ("day", DAY)):
                start = floor(t, size)
                spent = every.total_seconds() if failing else 0.0
                _count(aggregates, (host, "", period, start), status, duration, spent)
                for row in rows:
                    spent = every.total_seconds() if row.name in failing else 0.0
                    key = (host, row.name, period, start)
                    _count(aggregates, key, row.status, row.duration_ms, spent)
        t += every
    HeartbeatRun.objects.bulk_create(runs)
    # SQLite and PostgreSQL both hand back primary keys from bulk_create.
    for run, rows in zip(runs, checks, strict=True):
        for row in rows:
            row.run = run
    CheckRun.objects.bulk_create([row for rows in checks for row in rows])
    HeartbeatAggregate.objects.bulk_create(
        HeartbeatAggregate(
            host=host, check_name=check, period=period, start=start, **counts
        )
        for (host, check, period, start), counts in aggregates.items()
    )
    _states(now, hosts, episodes, missing)
    statuses: dict[str, int] = {}
    for run in runs:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    return Seeded(now, len(runs), statuses)


def _states(
    now: datetime,
    hosts: tuple[str, ...],
    all_episodes: tuple[Episode, ...],
    missing: dict[str, float],
) -> None:
    states, changes = [], []
    for host in hosts:
        seen = now - missing.get(host, 0) * HOUR
        current = {}
        for check in CHECKS:
            episodes = [e for e in all_episodes if (e.host, e.check) == (host, check)]
            ongoing = [e for e in episodes if e.until == 0]
            if ongoing:
                current[check] = (ongoing[0].status, now - ongoing[0].since * HOUR)
            else:
                ended = [now - e.until * HOUR for e in episodes]
                current[check] = ("ok", max(ended, default=now - 24 * HOUR))
            # Each episode flips the check and, with it, the host as a whole.
            for e, name in [(e, name) for e in episodes for name in (check, "")]:
                broke = now - e.since * HOUR
                changes.append(
                    StatusChange(
                        time=broke,
                        host=host,
                        check_name=name,
                        old_status="ok",
                        new_status=e.status,
                        failing_checks=[e.check] if LEVELS[e.status] >= 40 else [],
                        previous_duration=(broke - (now - 24 * HOUR)).total_seconds(),
                    )
                )
                if e.until:
                    changes.append(
                        StatusChange(
                            time=now - e.until * HOUR,
                            host=host,
                            check_name=name,
                            old_status=e.status,
                            new_status="ok",
                            previous_duration=(e.since - e.until) * 3600,
                        )
                    )
        host_status = worst([status for status, _since in current.values()])
        host_since = max(since for _status, since in current.values())
        for check, (status, since) in [
            ("", (host_status, host_since)),
            *current.items(),
        ]:
            states.append(
                CheckState(
                    host=host,
                    check_name=check,
                    status=status,
                    since=since,
                    seen_at=seen,
                    counted_until=seen,
                )
            )
    CheckState.objects.bulk_create(states)
    StatusChange.objects.bulk_create(changes)


def flap(host: str, check: str, times: int, start: datetime, every: timedelta) -> None:
    """``times`` status changes of one host's check, ok and error in turn."""
    statuses = ["ok", "error"]
    StatusChange.objects.bulk_create(
        StatusChange(
            time=start + n * every,
            host=host,
            check_name=check,
            old_status=statuses[n % 2],
            new_status=statuses[(n + 1) % 2],
            failing_checks=[check] if n % 2 == 0 else [],
            previous_duration=every.total_seconds(),
        )
        for n in range(times)
    )
