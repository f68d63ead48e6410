"""Fills the history tables in PostgreSQL with a month of runs, fast, in SQL alone.

``generate_series`` writes the runs, then their check rows, hour, day and
all-time aggregates, states and status changes are derived from them, as
recording would.
"""

from __future__ import annotations

from typing import Any

from dockerflow.django.models import DURATION_BUCKETS

CHECKS = (
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
)
#: Two hosts stop reporting this many runs before the end: the missing ones.
SILENT_RUNS = 30
DAYS = 30
TABLES = (
    "dockerflow_checkrun",
    "dockerflow_statuschange",
    "dockerflow_heartbeatrun",
    "dockerflow_heartbeataggregate",
    "dockerflow_checkstate",
)

RUNS_SQL = """
INSERT INTO dockerflow_heartbeatrun
    (time, host, status, level, duration_ms, http_status, source, version, failing_checks)
SELECT time, host, status, level, duration, CASE WHEN level >= 40 THEN 500 ELSE 200 END,
       'http', version,
       CASE WHEN level >= 40 THEN '["check_redis_connected"]' ELSE '[]' END::jsonb
FROM (
    SELECT time, host, version, duration, status,
           CASE status WHEN 'ok' THEN 0 WHEN 'warning' THEN 30
                       WHEN 'error' THEN 40 ELSE 50 END AS level
    FROM (
        SELECT %(end)s - n * %(step)s * interval '1 second' AS time,
               'web-' || lpad(h::text, 3, '0') AS host,
               -- A new version every ~3 days, rolled out host after host.
               'v' || lpad((%(versions)s - (n + h * 7) / 1000)::text, 3, '0') AS version,
               2 + abs(hashtext(n || ':' || h)) %% 40 AS duration,
               -- A flaky check fails in a share of the runs (per mille), at
               -- random; episodes of 12 runs (under an hour) fail on 1.7%% of hosts.
               CASE WHEN abs(hashtext(n || '/' || h)) %% 1000 < %(flaky)s THEN 'error'
                    WHEN abs(hashtext(h || ':' || n / 12)) %% 1000 < 15 THEN 'error'
                    WHEN abs(hashtext(h || ':' || n / 12)) %% 1000 < 17 THEN 'critical'
                    WHEN abs(hashtext(h || ':' || n / 12)) %% 1000 < 40 THEN 'warning'
                    ELSE 'ok' END AS status
        FROM generate_series(0, %(per_host)s - 1) AS n, generate_series(1, %(hosts)s) AS h
        WHERE NOT (h > %(hosts)s - 2 AND n < %(silent)s)
    ) AS raw
) AS runs
ORDER BY time
"""

CHECK_RUNS_SQL = """
INSERT INTO dockerflow_checkrun (run_id, time, host, name, status, level, duration_ms, messages)
SELECT id, time, host, name, status, level, duration,
       CASE WHEN level = 0 THEN '[]'::jsonb
            ELSE jsonb_build_array(jsonb_build_object('id', 'dockerflow.health.E004',
                                                      'msg', 'Could not connect to redis'))
       END
FROM (
    SELECT r.id, r.time, r.host, c.name, c.k,
           CASE WHEN c.name = 'check_redis_connected' AND r.level >= 40 THEN r.status
                WHEN c.name = 'check_migrations_applied' AND r.level = 30 THEN 'warning'
                ELSE 'ok' END AS status,
           CASE WHEN c.name = 'check_redis_connected' AND r.level >= 40 THEN r.level
                WHEN c.name = 'check_migrations_applied' AND r.level = 30 THEN 30
                ELSE 0 END AS level,
           CASE WHEN c.name = 'check_redis_connected' THEN r.duration_ms - 1
                ELSE c.k END AS duration
    FROM dockerflow_heartbeatrun AS r
    CROSS JOIN (VALUES (1, 'check_database_connected'), (2, 'check_migrations_applied'),
                       (3, 'check_redis_connected')) AS c (k, name)
) AS checks
ORDER BY id, k
"""

AGGREGATE_SQL = """
INSERT INTO dockerflow_heartbeataggregate
    (host, check_name, period, start, runs, ok, info, warning, error, critical,
     failing_seconds, duration_total_ms, duration_max_ms, {buckets})
SELECT host, {check}, %(period)s, date_trunc(%(period)s, time), count(*),
       count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'info'),
       count(*) FILTER (WHERE status = 'warning'), count(*) FILTER (WHERE status = 'error'),
       count(*) FILTER (WHERE status = 'critical'),
       count(*) FILTER (WHERE level >= 40) * %(step)s, sum(duration_ms), max(duration_ms),
       {histogram}
FROM {table}
GROUP BY 1, 2, 3, 4
"""

TOTALS_SQL = """
INSERT INTO dockerflow_heartbeataggregate
    (host, check_name, period, start, runs, ok, info, warning, error, critical,
     failing_seconds, duration_total_ms, duration_max_ms, {buckets})
SELECT host, check_name, 'total', timestamptz '1970-01-01 00:00+00', sum(runs),
       sum(ok), sum(info), sum(warning), sum(error), sum(critical),
       sum(failing_seconds), sum(duration_total_ms), max(duration_max_ms), {sums}
FROM dockerflow_heartbeataggregate WHERE period = 'day'
GROUP BY 1, 2
"""

STATES_SQL = """
INSERT INTO dockerflow_checkstate
    (host, check_name, status, since, seen_at, counted_until, stored_at, signature)
SELECT DISTINCT ON (host, check_name) host, check_name, status,
       time - interval '1 hour', time, time, time, ''
FROM (
    SELECT host, '' AS check_name, status, time FROM dockerflow_heartbeatrun
    UNION ALL
    SELECT host, name, status, time FROM dockerflow_checkrun
) AS latest
ORDER BY host, check_name, time DESC
"""

CHANGES_SQL = """
INSERT INTO dockerflow_statuschange
    (time, host, check_name, old_status, new_status, failing_checks, previous_duration, run_id)
SELECT time, host, '', previous, status, failing_checks,
       extract(epoch FROM time - lag(time) OVER (PARTITION BY host ORDER BY time)), id
FROM (
    SELECT id, time, host, status, failing_checks,
           lag(status) OVER (PARTITION BY host ORDER BY time) AS previous
    FROM dockerflow_heartbeatrun
) AS flips
WHERE previous IS DISTINCT FROM status AND previous IS NOT NULL
"""


def _aggregate_sql(table: str, check: str) -> str:
    names = [name for name, _edge in DURATION_BUCKETS]
    filters = []
    low = 0.0
    for _name, edge in DURATION_BUCKETS:
        if edge == float("inf"):
            filters.append(f"count(*) FILTER (WHERE duration_ms > {low})")
        else:
            filters.append(
                f"count(*) FILTER (WHERE duration_ms > {low} AND duration_ms <= {edge})"
            )
        low = edge
    return AGGREGATE_SQL.format(
        buckets=", ".join(names), histogram=", ".join(filters), table=table, check=check
    )


def generate(
    cursor: Any,
    end: Any,
    runs: int,
    hosts: int,
    log: Any = print,
    flaky: float = 0.0,
) -> None:
    """Replace the history with ``runs`` runs of ``hosts`` hosts over 30 days to ``end``.

    ``flaky``: the share of runs in which check_redis_connected fails at
    random on top of its failing episodes (0.10 is the issue's flaky check).
    """
    per_host = runs // hosts
    params = {
        "end": end,
        "step": DAYS * 86400 / per_host,
        "per_host": per_host,
        "hosts": hosts,
        "silent": SILENT_RUNS,
        "versions": per_host // 1000 + 1,
        "flaky": round(flaky * 1000),
    }
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    steps = [
        ("runs", RUNS_SQL, params),
        ("check rows", CHECK_RUNS_SQL, {}),
        ("status changes", CHANGES_SQL, {}),
        ("states", STATES_SQL, {}),
    ]
    for period in ("hour", "day"):
        steps.append(
            (
                f"{period} aggregates",
                _aggregate_sql("dockerflow_heartbeatrun", "''"),
                {**params, "period": period},
            )
        )
        steps.append(
            (
                f"{period} check aggregates",
                _aggregate_sql("dockerflow_checkrun", "name"),
                {**params, "period": period},
            )
        )
    names = [name for name, _edge in DURATION_BUCKETS]
    totals = TOTALS_SQL.format(
        buckets=", ".join(names), sums=", ".join(f"sum({name})" for name in names)
    )
    # The all-time rows /__metrics__ counts from, as the writer keeps them.
    steps.append(("all-time aggregates", totals, {}))
    for label, sql, values in steps:
        cursor.execute(sql, values)
        log(f"  {label}: {cursor.rowcount:,} rows")
    # What autovacuum does soon after on a live database: statistics for the
    # planner and a visibility map for index-only scans.
    for table in TABLES:
        cursor.execute(f"VACUUM ANALYZE {table}")
