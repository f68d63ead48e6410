"""The one table of DOCKERFLOW_* options: name, default, parser and message ID.

Django's system checks and the Flask and Sanic config validation both read it,
so every framework accepts, refuses and explains a value the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from .checks.limits import DEFAULT_TIMEOUT, valid_timeout
from .details import DETAIL_POLICIES, DETAILS_AUTHORIZED
from .replies import DEFAULT_FAILED_STATUS

_FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "none"})

#: A parser takes the raw value and ``lenient``: True where values arrive as
#: text (Flask and Sanic config from environment variables), False for
#: Django settings, which are Python values. It raises ValueError saying
#: what is wrong, in words that follow the option's name.
Parser = Callable[[Any, bool], Any]


def flag(value: Any) -> bool:
    """A boolean option, accepting words like "off" from environment variables."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def _number(value: Any, lenient: bool) -> float:
    if isinstance(value, bool) or (isinstance(value, str) and not lenient):
        raise ValueError(f"is not a number: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"is not a finite number: {value!r}")
    return number


def _policy(value: Any, lenient: bool) -> str:
    text = value.strip().lower() if lenient and isinstance(value, str) else value
    if text not in DETAIL_POLICIES:
        raise ValueError(f"must be one of {', '.join(DETAIL_POLICIES)}, not {value!r}")
    return str(text)


def _token(value: Any, lenient: bool) -> str | None:
    if value is None or (lenient and not value):
        return None
    if isinstance(value, str) and value:
        return value
    if lenient:
        return str(value)
    raise ValueError("must be a non-empty string or None")


def _timeout(value: Any, lenient: bool) -> float:
    _number(value, lenient)  # refuses text where values are Python's
    return valid_timeout(value)


def _cache_seconds(value: Any, lenient: bool) -> float:
    number = _number(value, lenient)
    if number < 0:
        raise ValueError(f"must be 0 or more, not {value!r}")
    return number


def _status(value: Any, lenient: bool) -> int:
    number = _number(value, lenient)
    if number != int(number) or not 500 <= number <= 599:
        raise ValueError(f"must be a 5xx status code, not {value!r}")
    return int(number)


def _header(value: Any, lenient: bool) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a header name, not {value!r}")
    return value.strip()


def _flag(value: Any, lenient: bool) -> bool:
    return flag(value) if lenient else bool(value)


@dataclass(frozen=True)
class Option:
    """One DOCKERFLOW_* option."""

    key: str
    #: The attribute of :class:`Options` that holds the parsed value.
    field: str
    default: Any
    parse: Parser
    #: The Django system-check ID that reports a bad value, if any.
    id: str | None
    hint: str

    def read(self, value: Any, lenient: bool = True) -> Any:
        """The parsed value; a ValueError names the option."""
        try:
            return self.parse(value, lenient)
        except ValueError as exc:
            raise ValueError(f"{self.key} {exc}") from None


TABLE: tuple[Option, ...] = (
    Option(
        "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        "failed_status",
        DEFAULT_FAILED_STATUS,
        _status,
        "dockerflow.E005",
        "Load balancers take a failing heartbeat to be 5xx; use 500 or 503.",
    ),
    Option(
        "DOCKERFLOW_HEARTBEAT_DETAILS",
        "details",
        DETAILS_AUTHORIZED,
        _policy,
        "dockerflow.E006",
        f"Use one of {', '.join(map(repr, DETAIL_POLICIES))}.",
    ),
    Option(
        "DOCKERFLOW_HEARTBEAT_TOKEN",
        "token",
        None,
        _token,
        "dockerflow.E007",
        "Read it from the environment, e.g. os.environ.get(...).",
    ),
    Option(
        "DOCKERFLOW_CHECK_TIMEOUT",
        "timeout",
        DEFAULT_TIMEOUT,
        _timeout,
        "dockerflow.E008",
        "Seconds a check may take, more than 0 and at most 3600; keep it under "
        "the probe's timeout.",
    ),
    Option(
        "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS",
        "cache_seconds",
        0,
        _cache_seconds,
        "dockerflow.E009",
        "Seconds to reuse a heartbeat result; 0 turns caching off.",
    ),
    Option(
        "DOCKERFLOW_REQUEST_ID_HEADER_NAME",
        "request_id_header",
        "X-Request-ID",
        _header,
        "dockerflow.E010",
        "The default is 'X-Request-ID'.",
    ),
    Option(
        "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING",
        "log_querystring",
        False,
        _flag,
        None,
        "True adds the query string to request.summary records.",
    ),
    Option(
        "DOCKERFLOW_ERROR_ENDPOINT",
        "error_endpoint",
        False,
        _flag,
        None,
        "True serves the error endpoint to callers who may see heartbeat details.",
    ),
    Option(
        "DOCKERFLOW_SUMMARY_SKIP_PROBES",
        "skip_probes",
        False,
        _flag,
        None,
        "True logs no request.summary for the three Dockerflow endpoints.",
    ),
    Option(
        "DOCKERFLOW_SUMMARY_DIRECT_WRITE",
        "direct_write",
        True,
        _flag,
        None,
        "False logs every request.summary through Logger.handle, with a LogRecord.",
    ),
)

#: Every key, with the value used when the app sets none.
DEFAULTS: dict[str, Any] = {option.key: option.default for option in TABLE}


@dataclass(frozen=True)
class Options:
    """The parsed DOCKERFLOW_* options of one app."""

    details: str = DETAILS_AUTHORIZED
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    cache_seconds: float = 0.0
    failed_status: int = DEFAULT_FAILED_STATUS
    request_id_header: str = "X-Request-ID"
    log_querystring: bool = False
    skip_probes: bool = False
    error_endpoint: bool = False
    direct_write: bool = True


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """Set each key the app left unset; keys it set are never touched."""
    for key, value in DEFAULTS.items():
        if key not in config:
            config[key] = value


def _given(config: Mapping[str, Any]) -> Iterator[tuple[Option, Any]]:
    """Each option with the value ``config`` gives it (None means the default)."""
    for option in TABLE:
        value = config.get(option.key)
        yield option, option.default if value is None else value


def read_options(config: Mapping[str, Any]) -> Options:
    """The options in ``config``, text allowed; a ValueError names the first bad key."""
    return Options(**{o.field: o.read(value) for o, value in _given(config)})


_KEYS = tuple(option.key for option in TABLE)
_read: dict[tuple[Any, ...], Options] = {}


def read_options_cached(config: Mapping[str, Any]) -> Options:
    """:func:`read_options`, parsed again only when a value (or its type)
    changed: Flask and Sanic read the options on every request."""
    values = tuple(map(config.get, _KEYS))
    key = values + tuple(map(type, values))
    try:
        options = _read.get(key)
    except TypeError:  # an unhashable value, which parsing will refuse
        return read_options(config)
    if options is None:
        options = read_options(config)  # a bad value raises, and is not kept
        if len(_read) < 64:
            _read[key] = options
    return options


def read_or_default(config: Mapping[str, Any]) -> Options:
    """The options in ``config``, strictly parsed, each bad one replaced by its default.

    For Django, whose system checks report the bad values at startup.
    """
    values = {}
    for option, value in _given(config):
        try:
            values[option.field] = option.read(value, lenient=False)
        except ValueError:
            values[option.field] = option.read(option.default, lenient=False)
    return Options(**values)


def problems(config: Mapping[str, Any]) -> list[tuple[Option, str]]:
    """Each option whose value in ``config`` is refused when parsed strictly."""
    found = []
    for option, value in _given(config):
        try:
            option.read(value, lenient=False)
        except ValueError as exc:
            found.append((option, str(exc)))
    return found
