"""The smallest ``dictConfig`` that makes a service log mozlog JSON to stdout.

``mozlog_config()`` returns it as a fresh dict: Django's ``LOGGING`` setting,
or the argument of :func:`logging.config.dictConfig` anywhere else.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SUMMARY_LEVEL", "mozlog_config"]

#: request.summary records are INFO (ERROR when the view raised): they reach
#: stdout whatever ``level`` the rest of the service logs at.
SUMMARY_LEVEL = "INFO"


def mozlog_config(
    logger_name: str = "Dockerflow",
    *,
    level: str | int = "INFO",
    stream: Any = "ext://sys.stdout",
) -> dict[str, Any]:
    """A logging configuration: every record as one mozlog JSON line on ``stream``.

    ``logger_name`` is the ``Logger`` field of each line, usually the
    service's name. The root logger gets the handler at ``level``, so the
    service's own loggers and its libraries' need nothing more;
    ``request.summary`` is always on. Every record carries the request id
    of the request it was made in. Extend the returned dict as with any
    ``dictConfig``: existing loggers are left enabled.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "mozlog": {
                "()": "dockerflow.logging.JsonLogFormatter",
                "logger_name": logger_name,
            }
        },
        "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
        "handlers": {
            "mozlog": {
                "class": "dockerflow.logging.MozlogHandler",
                "stream": stream,
                "name": logger_name,
                "formatter": "mozlog",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["mozlog"], "level": level},
        # No handler of its own: it propagates to the root's, once.
        "loggers": {"request.summary": {"level": SUMMARY_LEVEL}},
    }
