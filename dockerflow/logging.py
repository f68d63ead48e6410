"""Mozlog 2.0 JSON logging: a formatter, a stdout handler, request-id plumbing.

The formatter never raises and never drops a record: whatever a record holds,
``format()`` returns exactly one line of strict (RFC 8259) JSON.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import sys
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from . import emitguard
from .emitguard import LineFormatter, guard_stream_emit, write_line
from .logconfig import mozlog_config
from .requestid import (
    REQUEST_ID_MAX_LENGTH,
    get_or_generate_request_id,
    new_request_id,
    request_id_context,
    validate_request_id,
)
from .safejson import (
    SafeJSONEncoder,
    json_key,
    last_resort_line,
    safe_repr,
    safer_format_traceback,
    sanitize,
)

__all__ = [
    "REQUEST_ID_MAX_LENGTH",
    "JsonLogFormatter",
    "MozlogFormatter",
    "MozlogHandler",
    "RequestIdLogFilter",
    "SafeJSONEncoder",
    "get_or_generate_request_id",
    "mozlog_config",
    "new_request_id",
    "request_id_context",
    "safer_format_traceback",
    "validate_request_id",
]


_LogRecord = logging.LogRecord
_StreamHandler = logging.StreamHandler
_islice = itertools.islice
_STANDARD_COUNT = len(_LogRecord("", 0, "", 0, "", (), None).__dict__)


class JsonLogFormatter(LineFormatter):
    """Format log records as mozlog 2.0 JSON, one record per line.

    Configure it from ``dictConfig`` with ``"()"`` and ``logger_name``, or from
    an ini file through ``fileConfig`` with ``class =``.
    """

    LOGGING_FORMAT_VERSION = "2.0"
    #: Python levels to syslog severities; any other level is DEBUG (7).
    SYSLOG_LEVEL_MAP = {50: 2, 40: 3, 30: 4, 20: 6, 10: 7}
    DEFAULT_SYSLOG_LEVEL = 7
    #: LogRecord attributes that are not the caller's extras.
    EXCLUDED_LOGRECORD_ATTRS = frozenset(
        vars(_LogRecord("", 0, "", 0, "", (), None))
    ) | {
        "asctime",
        "logger_name",
        "message",
        "processName",
        "taskName",
    }

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Any = "%",
        logger_name: str = "Dockerflow",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(fmt, datefmt, style, *args, **kwargs)
        self.logger_name = logger_name
        self.hostname = socket.gethostname()
        # Strict JSON: NaN and infinities raise and go the sanitising path.
        self._encoder = SafeJSONEncoder(
            ensure_ascii=True, allow_nan=False, separators=(",", ":")
        )
        self._encode = self._encoder.encode
        # The same encoder, built once and without cycle tracking: a cycle
        # ends in RecursionError, which sends the record to the sanitiser.
        self._iterencode: Any = (
            c_make_encoder(
                None,
                safe_repr,
                encode_basestring_ascii,
                None,
                ":",
                ",",
                False,
                False,
                False,
            )
            if c_make_encoder is not None
            else lambda o, _level: self._encoder.iterencode(o)
        )
        self._heads: dict[tuple[Any, Any, Any, Any], str] = {}
        self._heads_get = self._heads.get

    def _logger_name(self, record: logging.LogRecord) -> Any:
        # A MozlogHandler(name=...) stamps its name on the record; that name
        # wins over the formatter's own, as in python-dockerflow.
        return record.__dict__.get("logger_name") or self.logger_name

    def is_value_jsonlike(self, value: str) -> bool:
        """Whether a string looks like a JSON object."""
        return value.startswith("{") and value.endswith("}")

    def convert_record(self, record: logging.LogRecord) -> dict[str, Any]:
        """The mozlog envelope of ``record`` as a dict."""
        return {
            "Timestamp": int(record.created * 1e9),
            "Type": record.name,
            "Logger": self._logger_name(record),
            "Hostname": self.hostname,
            "EnvVersion": self.LOGGING_FORMAT_VERSION,
            "Severity": self.SYSLOG_LEVEL_MAP.get(
                record.levelno, self.DEFAULT_SYSLOG_LEVEL
            ),
            "Pid": record.process,
            "Fields": self._fields(record),
        }

    def _fields(self, record: logging.LogRecord) -> dict[str, Any]:
        fields = self._extras(record)
        self._add_message(record, fields)
        if record.exc_info:
            exc_type, exc_value, exc_tb = record.exc_info
            fields["error"] = safe_repr(exc_value)
            fields["traceback"] = safer_format_traceback(exc_type, exc_value, exc_tb)
        if record.stack_info:
            fields["stack"] = record.stack_info
        return fields

    def _extras(self, record: logging.LogRecord) -> dict[str, Any]:
        """The record's attributes that ``LogRecord.__init__`` did not set."""
        attrs = vars(record)
        if type(record) is _LogRecord and len(attrs) >= _STANDARD_COUNT:
            # LogRecord.__init__ sets its attributes first, in a fixed order:
            # what follows them is the caller's extras (or another
            # formatter's "message" and "asctime"). Subclasses may differ,
            # so they take the slower path below.
            fields = dict(_islice(attrs.items(), _STANDARD_COUNT, None))
            if "message" in fields or "asctime" in fields or "logger_name" in fields:
                fields.pop("message", None)
                fields.pop("asctime", None)
                fields.pop("logger_name", None)
            return fields
        excluded = self.EXCLUDED_LOGRECORD_ATTRS
        return {k: v for k, v in attrs.items() if k not in excluded}

    def _add_message(self, record: logging.LogRecord, fields: dict[str, Any]) -> None:
        """``msg``, or a JSON-object message's keys, or the raw format string
        and its ``args`` with ``format_error`` when they don't match."""
        msg = record.msg
        try:
            message = (
                msg if type(msg) is str and not record.args else record.getMessage()
            )
        except Exception as exc:
            fields["msg"] = msg if isinstance(msg, str) else safe_repr(msg)
            fields["args"] = record.args
            fields["format_error"] = f"{type(exc).__name__}: {safe_repr(exc)}"
            return
        if message and not (
            message[0] == "{"
            and message[-1] == "}"
            and self._merge_json(message, fields)
        ):
            fields["msg"] = message

    @staticmethod
    def _merge_json(message: str, fields: dict[str, Any]) -> bool:
        """Put a JSON-object message's keys into ``fields``; extras win ties."""
        try:
            parsed = json.loads(message)
        except ValueError:
            return False
        if not isinstance(parsed, dict):
            return False
        for key, value in parsed.items():
            fields.setdefault(key, value)
        return True

    def format(self, record: logging.LogRecord) -> str:
        """One line of strict JSON for ``record``; never raises."""
        if emitguard.installed[0] and _StreamHandler.emit is not emitguard.last_seen[0]:
            # Something patched emit since the guard was installed: keep
            # our handlers' lines whole.
            guard_stream_emit(JsonLogFormatter)
        try:
            try:
                return self.encode_line(
                    record.name,
                    record.levelno,
                    record.process,
                    record.__dict__.get("logger_name"),
                    record.created,
                    self._fields(record),
                )
            except Exception:
                return self._encode(sanitize(self.convert_record(record)))
        except Exception as exc:
            return last_resort_line(
                record,
                exc,
                self.logger_name,
                self.hostname,
                self.LOGGING_FORMAT_VERSION,
            )

    def encode_line(
        self,
        name: str,
        levelno: int,
        process: Any,
        logger_name: Any,
        created: float,
        fields: dict[str, Any],
        fields_json: str | None = None,
    ) -> str:
        """The line ``format()`` writes for a record with these attributes
        and ``Fields``; raises where ``format()`` would sanitise instead.
        ``fields_json``, if given, is ``fields`` as this formatter encodes them.
        """
        key = (name, levelno, process, logger_name)
        head = self._heads_get(key)
        if head is None:
            head = self._head(key)
        encoded = fields_json or "".join(self._iterencode(fields, 0))
        return f'{{"Timestamp":{int(created * 1e9)},{head}{encoded}}}'

    def _head(self, key: tuple[Any, Any, Any, Any]) -> str:
        """The envelope between Timestamp and Fields, which repeats per logger."""
        name, levelno, process, logger_name = key
        severity = self.SYSLOG_LEVEL_MAP.get(levelno, self.DEFAULT_SYSLOG_LEVEL)
        constant = self._encode(
            {
                "Logger": logger_name or self.logger_name,
                "Hostname": self.hostname,
                "EnvVersion": self.LOGGING_FORMAT_VERSION,
            }
        )[1:-1]
        head = (
            f'"Type":{encode_basestring_ascii(json_key(name))},{constant},'
            f'"Severity":{severity},"Pid":{int(process or 0)},"Fields":'
        )
        if len(self._heads) < 1024:  # bounded: logger names are few
            self._heads[key] = head
        return head


class MozlogFormatter(JsonLogFormatter):
    """python-dockerflow's newer name for :class:`JsonLogFormatter`."""


class MozlogHandler(logging.StreamHandler):
    """A stdout handler that writes mozlog JSON under the given logger name."""

    def __init__(self, stream: Any = None, name: str = "Dockerflow") -> None:
        super().__init__(stream if stream is not None else sys.stdout)
        self.logger_name = name
        self.setFormatter(MozlogFormatter(logger_name=name))

    def emit(self, record: logging.LogRecord) -> None:
        # Records carry the handler's name, as python-dockerflow's do, so a
        # formatter set on this handler later still writes this name.
        record.logger_name = self.logger_name
        # Written out rather than inherited, so no patch of
        # StreamHandler.emit (see dockerflow.emitguard) ever reaches it.
        write_line(self, record)


class RequestIdLogFilter(logging.Filter):
    """Adds the current request id as ``rid`` to records that lack one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "rid", None) is None:
            record.rid = request_id_context.get()
        return True
