"""A database router that sends the heartbeat history's models to a database
of their own, as a fleet too big for the service's database would."""

from __future__ import annotations

from typing import Any

HISTORY = "history"


def _ours(app_label: str) -> bool:
    return app_label == "dockerflow"


class HistoryRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return HISTORY if _ours(model._meta.app_label) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return HISTORY if _ours(model._meta.app_label) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return _ours(app_label) == (db == HISTORY)
