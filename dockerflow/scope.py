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

from .endpoints import PROBE_PATHS
from .options import Options
from .requestid import accept_request_id, new_request_id, request_id_context
from .summary import SummaryFields, log_summary

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


class RequestScope(SummaryFields):
    """Started when a request arrives; ``summary()`` once; ``close()`` at the end.

    Its :meth:`~dockerflow.summary.SummaryFields.fields` are the Fields of
    the request's record, with this scope's id and timer.
    """

    __slots__ = ("_token", "logged", "options", "rid", "started")

    def __init__(self, request_id: Any = None, options: Options | None = None) -> None:
        #: The client's id when it is safe to log and echo (see
        #: :func:`~dockerflow.requestid.accept_request_id`), else a new UUID4.
        self.rid: str = accept_request_id(request_id) or new_request_id()
        #: ``time.perf_counter()`` when the request arrived.
        self.started = _perf_counter()
        #: Whether the summary has been logged (it is logged once).
        self.logged = False
        #: The adapter's options, read once when the request arrived.
        self.options = options
        self._token: Any = request_id_context.set(self.rid)

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
        if skip_probes and fields.get("path") in PROBE_PATHS:
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
