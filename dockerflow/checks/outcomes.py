"""What a check's outcome means: its messages, status and duration.

A check that raised, hung or returned something other than messages becomes
an error message here; messages of WARNING or worse are also logged.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

from .. import health
from .messages import CheckMessage, Error
from .results import CheckResult
from .workers import Outcome

#: Where every check message is logged, as python-dockerflow logs them:
#: "ID: text" at the message's own level.
logger = logging.getLogger("dockerflow.checks.registry")


def _safe_text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # RecursionError too, from a deeply nested value
        return f"<unprintable {type(value).__name__}>"


def _text_or_none(value: object) -> str | None:
    return None if value is None else _safe_text(value)


def _sane(message: Any) -> Any:
    """``message``, or a copy whose text, ID and hint are strings (or None):
    the payload, the logs, silencing and the history all read them as such,
    and an object whose ``str()`` raises or recurses would break them."""
    texts = (message.msg, getattr(message, "id", None), getattr(message, "hint", None))
    if type(texts[0]) is str and all(t is None or type(t) is str for t in texts[1:]):
        return message
    msg, id_, hint = _safe_text(texts[0]), *map(_text_or_none, texts[1:])
    try:
        fixed = copy.copy(message)  # keeps its class, Django's ones included
        fixed.msg, fixed.id, fixed.hint = msg, id_, hint
    except Exception:
        fixed = CheckMessage(msg, message.level, hint, None, id_)
    return fixed


def _looks_like_message(item: Any) -> bool:
    return isinstance(getattr(item, "level", None), int) and hasattr(item, "msg")


def _normalize(name: str, value: Any) -> list[Any]:
    """Turn what a check returned into a list of messages."""
    if value is None:
        return []
    if _looks_like_message(value):
        return [_sane(value)]
    if not isinstance(value, (str, bytes, Mapping)):
        try:
            items = list(value)
        except TypeError:
            items = None
        if items is not None and all(_looks_like_message(i) for i in items):
            return [_sane(item) for item in items]
    return [
        Error(
            f"Check {name!r} returned {type(value).__name__}, not a list of messages",
            id=health.ERROR_CHECK_INVALID_RESULT,
        )
    ]


def to_result(
    name: str,
    outcome: Outcome | None,
    limit: float,
    silenced: frozenset[str],
    crowded: int = 0,
) -> CheckResult:
    """The result of check ``name``; ``outcome`` is None when it timed out.

    ``crowded`` is how many attempts of the check were still running when
    this run could start no fresh one (see ``workers.MAX_ATTEMPTS``).
    """
    if outcome is None:
        text = f"Check {name!r} did not finish within {limit:g} seconds"
        if crowded:
            text += (
                f"; {crowded} earlier attempts are still running, the most kept "
                "per check, so none was started until one ends"
            )
        messages = [Error(text, id=health.ERROR_CHECK_TIMEOUT)]
        duration, timed_out = limit, True
    elif outcome.error is not None:
        exc = outcome.error
        messages = [
            Error(
                f"Check {name!r} raised {type(exc).__name__}: {_safe_text(exc)}",
                id=health.ERROR_CHECK_EXCEPTION,
            )
        ]
        duration, timed_out = outcome.duration, False
    else:
        messages = _normalize(name, outcome.value)
        duration, timed_out = outcome.duration, False
    kept = tuple(m for m in messages if getattr(m, "id", None) not in silenced)
    # Every message is logged, silenced or not, as python-dockerflow does:
    # silencing changes the heartbeat's verdict, not what the check found.
    _log(name, tuple(messages), outcome, silenced)
    return CheckResult(name=name, messages=kept, duration=duration, timed_out=timed_out)


def _log(
    name: str,
    messages: tuple[Any, ...],
    outcome: Outcome | None,
    silenced: frozenset[str],
) -> None:
    error = outcome.error if outcome is not None else None
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    for message in messages:
        logger.log(
            message.level,
            "%s: %s",
            getattr(message, "id", None) or name,
            _safe_text(message.msg),
            exc_info=exc_info,
            extra={
                "check": name,
                "check_id": getattr(message, "id", None),
                "silenced": getattr(message, "id", None) in silenced,
            },
        )
