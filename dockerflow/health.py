"""The message IDs that Dockerflow's built-in checks report.

E001 to E010, W001 and I001 keep the IDs python-dockerflow published, so a
project's SILENCED_SYSTEM_CHECKS and dashboards keep working after a switch.
"""

from __future__ import annotations

# Databases and migrations.
INFO_CANT_CHECK_MIGRATIONS = "dockerflow.health.I001"
WARNING_UNAPPLIED_MIGRATION = "dockerflow.health.W001"
ERROR_CANNOT_CONNECT_DATABASE = "dockerflow.health.E001"
ERROR_UNUSABLE_DATABASE = "dockerflow.health.E002"
ERROR_MISCONFIGURED_DATABASE = "dockerflow.health.E003"

# Redis.
ERROR_CANNOT_CONNECT_REDIS = "dockerflow.health.E004"
ERROR_MISSING_REDIS_CLIENT = "dockerflow.health.E005"
ERROR_MISCONFIGURED_REDIS = "dockerflow.health.E006"
ERROR_REDIS_PING_FAILED = "dockerflow.health.E007"

# SQLAlchemy and redis-py errors seen by the Flask and Sanic checks.
ERROR_DB_API_EXCEPTION = "dockerflow.health.E008"
ERROR_SQLALCHEMY_EXCEPTION = "dockerflow.health.E009"
ERROR_REDIS_EXCEPTION = "dockerflow.health.E010"

# Reported by the heartbeat engine itself, about any check.
ERROR_CHECK_EXCEPTION = "dockerflow.health.E011"
ERROR_CHECK_TIMEOUT = "dockerflow.health.E012"
ERROR_CHECK_INVALID_RESULT = "dockerflow.health.E013"

# Caches.
ERROR_CACHE_EXCEPTION = "dockerflow.health.E014"
ERROR_CACHE_MISMATCH = "dockerflow.health.E015"

#: Every ID above, with what it means, for documentation and tooling.
DESCRIPTIONS: dict[str, str] = {
    INFO_CANT_CHECK_MIGRATIONS: "The database could not be reached to check migrations.",
    WARNING_UNAPPLIED_MIGRATION: "A migration exists that the database has not applied.",
    ERROR_CANNOT_CONNECT_DATABASE: "Connecting to a database failed.",
    ERROR_UNUSABLE_DATABASE: "A database connection opened but is not usable.",
    ERROR_MISCONFIGURED_DATABASE: "A database is misconfigured.",
    ERROR_CANNOT_CONNECT_REDIS: "Connecting to Redis failed or timed out.",
    ERROR_MISSING_REDIS_CLIENT: "The Redis client library is not installed.",
    ERROR_MISCONFIGURED_REDIS: "Redis is misconfigured.",
    ERROR_REDIS_PING_FAILED: "Redis answered PING with something other than PONG.",
    ERROR_DB_API_EXCEPTION: "The database driver raised an error.",
    ERROR_SQLALCHEMY_EXCEPTION: "SQLAlchemy raised an error.",
    ERROR_REDIS_EXCEPTION: "Redis returned an error.",
    ERROR_CHECK_EXCEPTION: "A check raised an exception instead of returning messages.",
    ERROR_CHECK_TIMEOUT: "A check did not finish within its timeout.",
    ERROR_CHECK_INVALID_RESULT: "A check returned something that is not a list of messages.",
    ERROR_CACHE_EXCEPTION: "A cache raised an error during a set/get round-trip.",
    ERROR_CACHE_MISMATCH: "A cache returned a different value than was stored.",
}
