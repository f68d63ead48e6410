"""One request's Dockerflow state, the same in every framework: its id, its
timer, and the one ``request.summary`` record logged about it.

An adapter opens a scope when a request arrives, logs the summary when the
response (or the exception) is known, and closes it when nothing more will be
logged about the request, so every record in between carries the request id.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from .endpoints import PATHS
from .options import Options
from .requestid import new_request_id, request_id_context, validate_request_id
from .summary import log_summary, summary_fields

__all__ = ["RequestScope", "environ_key"]

_perf_counter = time.perf_counter
_ENVIRON_KEYS: dict[str, str] = {}


def environ_key(header: str) -> str:
    """Where a WSGI server (and Django's ``request.META``) files a request
    header: read there, a framework need not parse every header of the request.
    """
    key = _ENVIRON_KEYS.get(header)
    if key is None:
        key = _ENVIRON_KEYS[header] = "HTTP_" + header.upper().replace("-", "_")
    return key


class RequestScope:
    """Started when a request arrives; ``summary()`` once; ``close()`` at the end."""

    __slots__ = ("_token", "logged", "options", "rid", "started")

    def __init__(self, request_id: Any = None, options: Options | None = None) -> None:
        #: The client's id when it is safe to log and echo, else a new UUID4.
        #: Spaces and tabs around it are dropped, as HTTP allows them there.
        if isinstance(request_id, str):
            request_id = request_id.strip(" \t")
        self.rid: str = validate_request_id(request_id) or new_request_id()
        #: ``time.perf_counter()`` when the request arrived.
        self.started = _perf_counter()
        #: Whether the summary has been logged (it is logged once).
        self.logged = False
        #: The adapter's options, read once when the request arrived.
        self.options = options
        self._token: Any = request_id_context.set(self.rid)

    def fields(
        self,
        *,
        method: str,
        path: str,
        agent: str = "",
        lang: str = "",
        uid: Any = "",
        status: int | None = None,
        raised: bool = False,
        querystring: str | None = None,
        timed: bool = True,
    ) -> dict[str, Any]:
        """The Fields of this request's ``request.summary`` record; without
        ``t`` when not ``timed`` (the app removed the arrival time)."""
        return summary_fields(
            method=method,
            path=path,
            agent=agent,
            lang=lang,
            uid=uid,
            rid=self.rid,
            started=self.started if timed else None,
            status=status,
            raised=raised,
            querystring=querystring,
        )

    def summary(
        self,
        fields: dict[str, Any],
        exc: BaseException | None = None,
        *,
        skip_probes: bool = False,
        logger: logging.Logger | None = None,
        direct: bool = True,
    ) -> None:
        """Log the ``request.summary`` record once; the probes' only if asked.
        ``direct`` is ``DOCKERFLOW_SUMMARY_DIRECT_WRITE`` (see log_summary)."""
        if self.logged:
            return
        self.logged = True
        if skip_probes and fields.get("path") in PATHS:
            return
        log_summary(fields, exc, logger, direct=direct)

    def close(self) -> None:
        """Stop tagging records with this request's id; safe to call twice."""
        token, self._token = self._token, None
        if token is not None:
            try:  # noqa: SIM105 (not contextlib.suppress: every request pays)
                request_id_context.reset(token)
            except ValueError:
                # Closed from another context (an ASGI server closes responses
                # on a worker thread), whose copy dies with the request.
                pass
