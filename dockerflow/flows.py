"""Each endpoint's flow, written once for every framework.

An adapter reads its request and config into plain values, calls one function
here, and turns the returned :class:`~dockerflow.replies.Reply` into its own
response type. The 405 and HEAD rules, the logging of a bad version.json, the
heartbeat's signal and the detail policy all happen here, in this order.

:class:`EndpointRequest` is the one protocol between an adapter and these
flows: an adapter subclasses it once, and the ``serve_*`` functions (the
flows of :data:`dockerflow.endpoints.ENDPOINTS`) ask it what they need.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .checks.results import HeartbeatResult
from .details import Caller, sees_details, sees_details_async
from .options import Options
from .replies import (
    Reply,
    heartbeat_reply,
    lbheartbeat_reply,
    method_not_allowed,
    version_reply,
)
from .version import VersionFileError

__all__ = [
    "Caller",
    "DeliberateError",
    "EndpointRequest",
    "error",
    "heartbeat",
    "heartbeat_async",
    "lbheartbeat",
    "version",
    "version_async",
]

logger = logging.getLogger("dockerflow")

VersionData = Mapping[str, Any] | None


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


def _reply(result: HeartbeatResult, details: bool, options: Options) -> Reply:
    return heartbeat_reply(result, details=details, failed_status=options.failed_status)


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
    try:
        notify(result)
    except Exception:
        # A receiver's failure must not turn a heartbeat into a traceback.
        logger.exception("A heartbeat signal receiver raised")
    details = sees_details(caller, options.details, options.token, result)
    return _reply(result, details, options)


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
    details = await sees_details_async(caller, options.details, options.token, result)
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
    if not (
        options.error_endpoint and sees_details(caller, options.details, options.token)
    ):
        return Reply(404, {"error": "Not Found"})
    logger.error("The __error__ endpoint was called")
    raise DeliberateError("The __error__ endpoint was called on purpose")


# -- the adapter protocol ------------------------------------------------------


class EndpointRequest:
    """One request to a Dockerflow endpoint, as the flows below ask about it.

    An adapter subclasses it once: that subclass is its translation of the
    framework's request, config, signals and version loader. Each method is
    called only by the endpoints that need it, so a probe pays for none.
    In the async flows, ``load_version``, ``run_checks``, ``send`` and
    ``is_staff`` may return awaitables.
    """

    #: The staff lookup of :class:`~dockerflow.details.Caller`, if the
    #: framework has staff users.
    is_staff: Callable[[HeartbeatResult | None], Any] | None = None

    def __init__(self, method: str, options: Options) -> None:
        self.method = method
        #: The adapter's options, read once for this request.
        self.options = options

    def header(self, name: str) -> str | None:
        """The request's header ``name``, or None."""
        raise NotImplementedError

    def debug(self) -> bool:
        """Whether the app runs in debug mode (callers see details then)."""
        raise NotImplementedError

    def load_version(self) -> Any:
        """The version data: a mapping, or None when there is none."""
        raise NotImplementedError

    def version_file(self) -> str | None:
        """The file :meth:`load_version` reads, for the 404 to name."""
        return None

    def run_checks(self) -> Any:
        """Run the heartbeat's checks: a :class:`~dockerflow.checks.HeartbeatResult`."""
        raise NotImplementedError

    def send(self, passed: bool, result: HeartbeatResult) -> Any:
        """Tell the framework's receivers: the heartbeat passed, or failed."""
        return None

    def caller(self) -> Caller:
        """Who asked, for the detail policy."""
        return Caller(self.header("Authorization"), self.debug(), self.is_staff)


def _notify(request: EndpointRequest) -> Callable[[HeartbeatResult], Any]:
    return lambda result: request.send(result.passed, result)


def serve_version(request: EndpointRequest) -> Reply:
    return version(request.method, request.load_version, request.version_file())


async def serve_version_async(request: EndpointRequest) -> Reply:
    load, path = request.load_version, request.version_file()
    return await version_async(request.method, load, path)


def serve_heartbeat(request: EndpointRequest) -> Reply:
    caller, options = request.caller(), request.options
    return heartbeat(
        request.method, caller, options, request.run_checks, _notify(request)
    )


async def serve_heartbeat_async(request: EndpointRequest) -> Reply:
    caller, options = request.caller(), request.options
    return await heartbeat_async(
        request.method, caller, options, request.run_checks, _notify(request)
    )


def serve_lbheartbeat(request: EndpointRequest) -> Reply:
    return lbheartbeat(request.method)


async def serve_lbheartbeat_async(request: EndpointRequest) -> Reply:
    return lbheartbeat(request.method)  # no I/O: fine on the event loop


def serve_error(request: EndpointRequest) -> Reply:
    return error(request.method, request.caller(), request.options)


async def serve_error_async(request: EndpointRequest) -> Reply:
    return serve_error(request)
