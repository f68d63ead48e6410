"""Alembic environment for the test migrations: the Flask-Migrate app's engine.

Unlike Flask-Migrate's template it configures no logging.
"""

from __future__ import annotations

from alembic import context
from flask import current_app

migrate = current_app.extensions["migrate"]
with migrate.db.engine.connect() as connection:
    context.configure(connection=connection, **migrate.configure_args)
    with context.begin_transaction():
        context.run_migrations()
