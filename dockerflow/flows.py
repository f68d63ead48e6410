"""Each endpoint's flow, written once for every framework.

An adapter reads its request and config into plain values, calls one function
here, and turns the returned :class:`~dockerflow.endpoints.Reply` into its own
response type. The 405 and HEAD rules, the logging of a bad version.json, the
heartbeat's signal and the detail policy all happen here, in this order.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .checks.results import HeartbeatResult
from .endpoints import (
    DETAILS_AUTHORIZED,
    Reply,
    heartbeat_reply,
    lbheartbeat_reply,
    may_see_details,
    method_not_allowed,
    version_reply,
)
from .options import Options
from .version import VersionFileError

logger = logging.getLogger("dockerflow")

VersionData = Mapping[str, Any] | None


@dataclass(frozen=True)
class Caller:
    """What the detail policy needs to know about who asked.

    ``is_staff`` is asked last and only when it decides, because finding out
    may cost a session and a user lookup. It gets the heartbeat's result
    (None on ``/__error__``), so it can decline to look when the run found
    the database failing; it may return an awaitable in the async flow. If
    it raises, the caller is anonymous.
    """

    authorization: str | None = None
    debug: bool = False
    is_staff: Callable[[HeartbeatResult | None], Any] | None = None


async def _resolved(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


# -- /__lbheartbeat__ ----------------------------------------------------------


def lbheartbeat(method: str) -> Reply:
    """200 for the load balancer: the process is up. Touches no backing service."""
    return method_not_allowed(method) or lbheartbeat_reply()


# -- /__version__ --------------------------------------------------------------


def _version_failed(exc: Exception) -> Reply:
    if isinstance(exc, VersionFileError):
        # The operator's file is wrong, not our code: no traceback.
        logger.warning("version.json is invalid: %s", exc.reason)
    else:
        logger.error("Could not load the version information", exc_info=exc)
    return version_reply(error=exc)


def version(
    method: str, load: Callable[[], VersionData], path: str | None = None
) -> Reply:
    """The version data ``load()`` gives: 200, 404 when None, 500 if it raised.

    ``path`` is the file ``load`` reads, named in the 404 when it is known.
    """
    refused = method_not_allowed(method)
    if refused is not None:
        return refused
    try:
        data = load()
    except Exception as exc:
        return _version_failed(exc)
    return version_reply(data, path=path)


async def version_async(
    method: str, load: Callable[[], Any], path: str | None = None
) -> Reply:
    """:func:`version` with a loader that may be a coroutine function."""
    refused = method_not_allowed(method)
    if refused is not None:
        return refused
    try:
        data = await _resolved(load())
    except Exception as exc:
        return _version_failed(exc)
    return version_reply(data, path=path)


# -- /__heartbeat__ ------------------------------------------------------------


def _notify(notify: Callable[[HeartbeatResult], Any], result: HeartbeatResult) -> Any:
    try:
        return notify(result)
    except Exception:
        # A receiver's failure must not turn a heartbeat into a traceback.
        logger.exception("A heartbeat signal receiver raised")
        return None


def _policy_decided(caller: Caller, options: Options) -> bool | None:
    """True or False when the token, debug or policy decide; None when staff must."""
    if may_see_details(
        options.details,
        debug=caller.debug,
        authorization=caller.authorization,
        token=options.token,
    ):
        return True
    if options.details != DETAILS_AUTHORIZED or caller.is_staff is None:
        return False
    return None


def _not_staff(exc: Exception) -> bool:
    # The detail decision must never fail the endpoint: asking who the caller
    # is went wrong, so they are anonymous.
    logger.warning("Could not tell whether the caller is staff", exc_info=exc)
    return False


def _sees_details(
    caller: Caller, options: Options, result: HeartbeatResult | None = None
) -> bool:
    details = _policy_decided(caller, options)
    if details is None:
        try:
            details = caller.is_staff(result)  # type: ignore[misc]
        except Exception as exc:
            details = _not_staff(exc)
    return bool(details)


def _reply(result: HeartbeatResult, details: Any, options: Options) -> Reply:
    return heartbeat_reply(
        result, details=bool(details), failed_status=options.failed_status
    )


def heartbeat(
    method: str,
    caller: Caller,
    options: Options,
    run: Callable[[], HeartbeatResult],
    notify: Callable[[HeartbeatResult], Any],
) -> Reply:
    """Run the checks, tell ``notify`` (the signals), and reply per the detail policy."""
    refused = method_not_allowed(method)
    if refused is not None:
        return refused
    result = run()
    _notify(notify, result)
    return _reply(result, _sees_details(caller, options, result), options)


async def heartbeat_async(
    method: str,
    caller: Caller,
    options: Options,
    run: Callable[[], Awaitable[HeartbeatResult]],
    notify: Callable[[HeartbeatResult], Any],
) -> Reply:
    """:func:`heartbeat` for an event loop; ``notify`` and ``is_staff`` may be async."""
    refused = method_not_allowed(method)
    if refused is not None:
        return refused
    result = await run()
    try:
        await _resolved(notify(result))
    except Exception:
        logger.exception("A heartbeat signal receiver raised")
    details = _policy_decided(caller, options)
    if details is None:
        try:
            details = await _resolved(caller.is_staff(result))  # type: ignore[misc]
        except Exception as exc:
            details = _not_staff(exc)
    return _reply(result, details, options)


# -- /__error__ ----------------------------------------------------------------


class DeliberateError(Exception):
    """Raised by ``/__error__``, so that error reporting can be tested end to end."""


def error(method: str, caller: Caller, options: Options) -> Reply:
    """Raise :class:`DeliberateError`, for a caller who may see heartbeat details
    when DOCKERFLOW_ERROR_ENDPOINT is on; a 404 for anyone else.

    Off by default: served to anyone, it would let any client fill the error
    tracker and the logs at will.
    """
    refused = method_not_allowed(method)
    if refused is not None:
        return refused
    if not (options.error_endpoint and _sees_details(caller, options)):
        return Reply(404, {"error": "Not Found"})
    logger.error("The __error__ endpoint was called")
    raise DeliberateError("The __error__ endpoint was called on purpose")
