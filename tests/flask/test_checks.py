"""The built-in checks against real SQLite, PostgreSQL, Alembic and Redis.

A hung backend is a local socket that accepts and never answers; the
heartbeat must still answer within the check timeout plus some slack.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest
import redis
import sqlalchemy as sa
from flask_migrate import Migrate, upgrade
from flask_sqlalchemy import SQLAlchemy
from redis.backoff import NoBackoff
from redis.retry import Retry

from dockerflow import health
from dockerflow.checks import INFO
from dockerflow.checks.workers import MAX_ATTEMPTS
from dockerflow_flask import Dockerflow, checks
from tests.services import (
    POSTGRES_URL,
    REDIS_URL,
    hung_server,
    refused_port,
    require_postgres,
    require_redis,
)

MIGRATIONS = Path(__file__).parent / "migrations"
POSTGRES_SA_URL = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def heartbeat(app: flask.Flask) -> tuple[int, dict]:
    response = app.test_client().get(
        "/__heartbeat__", headers={"Authorization": "Bearer t"}
    )
    return response.status_code, response.get_json()


def sql_app(url: str) -> tuple[flask.Flask, SQLAlchemy]:
    app = flask.Flask("sql_app")
    app.config.update(SQLALCHEMY_DATABASE_URI=url, DOCKERFLOW_HEARTBEAT_TOKEN="t")
    db = SQLAlchemy(app)
    Dockerflow(app, db=db)
    return app, db


def test_database_sqlite_ok(tmp_path: Path) -> None:
    app, _ = sql_app(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    status, body = heartbeat(app)
    assert status == 200
    assert body["checks"] == {"check_database_connected": "ok"}


def test_database_sqlite_unusable(tmp_path: Path) -> None:
    app, _ = sql_app(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}")
    status, body = heartbeat(app)
    assert status == 500
    messages = body["details"]["check_database_connected"]["messages"]
    assert list(messages) == [health.ERROR_DB_API_EXCEPTION]
    assert "unable to open database file" in messages[health.ERROR_DB_API_EXCEPTION]


def test_database_postgres_ok() -> None:
    require_postgres()
    app, db = sql_app(POSTGRES_SA_URL)
    try:
        assert heartbeat(app)[0] == 200
    finally:
        with app.app_context():
            db.engine.dispose()


def test_database_postgres_refused() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{refused_port()}/test"
    app, _ = sql_app(url)
    status, body = heartbeat(app)
    assert status == 500
    assert (
        health.ERROR_DB_API_EXCEPTION
        in body["details"]["check_database_connected"]["messages"]
    )


def test_database_hung_answers_within_the_timeout() -> None:
    with hung_server() as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
        app, db = sql_app(url)
        app.config["DOCKERFLOW_CHECK_TIMEOUT"] = 0.5
        started = time.perf_counter()
        status, body = heartbeat(app)
        elapsed = time.perf_counter() - started
        assert status == 500
        assert list(body["details"]["check_database_connected"]["messages"]) == [
            health.ERROR_CHECK_TIMEOUT
        ]
        assert elapsed < 0.5 + 2.5
        # Later probes try afresh, and the hung attempts stay bounded.
        for _ in range(MAX_ATTEMPTS + 2):
            assert heartbeat(app)[0] == 500
        hung = [
            t for t in threading.enumerate() if "check_database_connected" in t.name
        ]
        assert len(hung) == MAX_ATTEMPTS, hung
    # Closing the hung server ends the check; its connection attempt fails.
    with app.app_context():
        db.engine.dispose()


def test_database_sqlalchemy_error_is_e009() -> None:
    engine = sa.create_engine("sqlite://")

    class Unloadable:
        @property
        def engine(self) -> sa.Engine:
            raise sa.exc.NoSuchModuleError("no dialect for nosuchdb://")

    assert (
        checks.check_database_connected(Unloadable())[0].id
        == health.ERROR_SQLALCHEMY_EXCEPTION
    )
    assert checks.check_database_connected(engine) == []


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[tuple[flask.Flask, Migrate, SQLAlchemy]]:
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory)
    app = flask.Flask("migrated")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DOCKERFLOW_HEARTBEAT_DETAILS="always",
    )
    db = SQLAlchemy(app)
    migrate = Migrate(app, db, directory=str(directory))
    yield app, migrate, db


def test_migrations_unapplied_are_listed(migrated: tuple) -> None:
    app, migrate, db = migrated
    Dockerflow(app, db=db, migrate=migrate)
    with app.app_context():
        upgrade(directory=migrate.directory, revision="0001")
    status, body = heartbeat(app)
    assert status == 200  # a warning does not fail the heartbeat
    detail = body["details"]["check_migrations_applied"]
    assert detail["messages"] == {
        health.WARNING_UNAPPLIED_MIGRATION: "Unapplied migrations found: 0002"
    }
    with app.app_context():
        upgrade(directory=migrate.directory)
    assert heartbeat(app)[1]["checks"]["check_migrations_applied"] == "ok"


def test_migrations_none_applied_lists_all_oldest_first(migrated: tuple) -> None:
    app, migrate, _ = migrated
    with app.app_context():
        [message] = checks.check_migrations_applied(migrate)
    assert message.msg == "Unapplied migrations found: 0001, 0002"


def test_migrations_database_at_unknown_revision(migrated: tuple) -> None:
    app, migrate, db = migrated
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("CREATE TABLE alembic_version (version_num TEXT)")
            )
            connection.execute(sa.text("INSERT INTO alembic_version VALUES ('ffff')"))
        [message] = checks.check_migrations_applied(migrate)
    assert message.id == health.WARNING_UNAPPLIED_MIGRATION
    assert "ffff" in message.msg and "0002" in message.msg


def test_migrations_custom_version_table_on_postgres(tmp_path: Path) -> None:
    require_postgres()
    table = f"df_flask_{uuid.uuid4().hex[:12]}"
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory)
    # The migrations create tables; a throwaway schema keeps them apart.
    admin = sa.create_engine(POSTGRES_SA_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {table}"))
    try:
        app = flask.Flask("pg_migrated")
        app.config.update(
            SQLALCHEMY_DATABASE_URI=POSTGRES_SA_URL,
            SQLALCHEMY_ENGINE_OPTIONS={
                "connect_args": {"options": f"-c search_path={table}"}
            },
        )
        db = SQLAlchemy(app)
        migrate = Migrate(app, db, directory=str(directory), version_table=table)
        with app.app_context():
            upgrade(directory=str(directory), revision="0001")
            [message] = checks.check_migrations_applied(migrate)
            assert message.msg == "Unapplied migrations found: 0002"
            upgrade(directory=str(directory))
            assert checks.check_migrations_applied(migrate) == []
            db.engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {table} CASCADE"))
        admin.dispose()


def test_migrations_database_unreachable_is_info(tmp_path: Path) -> None:
    app = flask.Flask("unreachable")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{refused_port()}/test"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy(app)
    migrate = Migrate(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        [message] = checks.check_migrations_applied(migrate)
    assert (message.id, message.level) == (
        health.INFO_CANT_CHECK_MIGRATIONS,
        INFO,
    )


def no_retry_client(port: int, **options: object) -> redis.Redis:
    """A client that reports the first failure: redis-py 6+ retries by default."""
    return redis.Redis(
        host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0), **options
    )


def redis_app(client: redis.Redis, **config: object) -> flask.Flask:
    app = flask.Flask("redis_app")
    app.config.update(DOCKERFLOW_HEARTBEAT_TOKEN="t", **config)
    Dockerflow(app, redis=client)
    return app


def test_redis_up() -> None:
    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        status, body = heartbeat(redis_app(client))
        assert status == 200
        assert body["checks"] == {"check_redis_connected": "ok"}
    finally:
        client.close()


def test_redis_refused() -> None:
    client = no_retry_client(refused_port())
    status, body = heartbeat(redis_app(client))
    assert status == 500
    messages = body["details"]["check_redis_connected"]["messages"]
    assert list(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]
    assert messages[health.ERROR_CANNOT_CONNECT_REDIS].startswith(
        "Could not connect to redis"
    )


def test_redis_hung_answers_within_the_timeout() -> None:
    with hung_server() as port:
        client = redis.Redis(host="127.0.0.1", port=port)
        app = redis_app(client, DOCKERFLOW_CHECK_TIMEOUT=0.5)
        started = time.perf_counter()
        status, body = heartbeat(app)
        elapsed = time.perf_counter() - started
        assert status == 500
        assert list(body["details"]["check_redis_connected"]["messages"]) == [
            health.ERROR_CHECK_TIMEOUT
        ]
        assert 0.5 <= elapsed < 3.0


def test_redis_socket_timeout_is_e004() -> None:
    with hung_server() as port:
        client = no_retry_client(port, socket_timeout=0.2)
        [message] = checks.check_redis_connected(client)
    assert message.id == health.ERROR_CANNOT_CONNECT_REDIS


def test_redis_error_reply_is_e010() -> None:
    require_redis()
    # Selecting a database that doesn't exist gets an error reply.
    client = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + "/99999")
    try:
        [message] = checks.check_redis_connected(client)
    finally:
        client.close()
    assert message.id == health.ERROR_REDIS_EXCEPTION


def test_redis_falsy_ping_is_e007() -> None:
    class Silent:
        def ping(self) -> bool:
            return False

    [message] = checks.check_redis_connected(Silent())
    assert message.id == health.ERROR_REDIS_PING_FAILED


def test_redis_asyncio_client_is_not_taken_for_a_pong() -> None:
    require_redis()
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(REDIS_URL)
    [message] = checks.check_redis_connected(client)
    assert message.id == health.ERROR_MISCONFIGURED_REDIS
    assert "asynchronous" in message.msg
