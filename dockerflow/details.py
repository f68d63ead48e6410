"""Who may see heartbeat details (check names and message texts): the policy,
the bearer token, and the caller they are decided for, for every framework.

``DOCKERFLOW_HEARTBEAT_DETAILS`` names the policy; the flows of
:mod:`dockerflow.flows` ask :func:`sees_details` (or its async twin) once per
request, and the history API's authentication reads the token here too.
"""

from __future__ import annotations

import hmac
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checks.results import HeartbeatResult

__all__ = [
    "DETAILS_ALWAYS",
    "DETAILS_AUTHORIZED",
    "DETAILS_NEVER",
    "DETAIL_POLICIES",
    "Caller",
    "bearer_token",
    "may_see_details",
    "sees_details",
    "sees_details_async",
    "token_matches",
]

logger = logging.getLogger("dockerflow")

DETAILS_NEVER = "never"
DETAILS_AUTHORIZED = "authorized"
DETAILS_ALWAYS = "always"
DETAIL_POLICIES = (DETAILS_NEVER, DETAILS_AUTHORIZED, DETAILS_ALWAYS)


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


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_matches(authorization: str | None, expected: str | None) -> bool:
    """Whether the request's bearer token equals ``expected``, in constant time."""
    given = bearer_token(authorization)
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


def may_see_details(
    policy: str,
    *,
    debug: bool = False,
    is_staff: bool = False,
    authorization: str | None = None,
    token: str | None = None,
) -> bool:
    """Whether a caller may see check names and message texts.

    ``always`` shows them to everyone and ``never`` to no one. The default,
    ``authorized``, shows them in debug mode, to staff users, and to callers
    that send ``Authorization: Bearer <token>`` with the configured token.
    """
    if policy == DETAILS_ALWAYS:
        return True
    if policy == DETAILS_NEVER:
        return False
    return debug or is_staff or token_matches(authorization, token)


def decided(caller: Caller, policy: str, token: str | None) -> bool | None:
    """True or False when the token, debug or policy decide; None when staff must."""
    if may_see_details(
        policy, debug=caller.debug, authorization=caller.authorization, token=token
    ):
        return True
    if policy != DETAILS_AUTHORIZED or caller.is_staff is None:
        return False
    return None


def _anonymous(exc: Exception) -> bool:
    # The detail decision must never fail the endpoint: asking who the caller
    # is went wrong, so they are anonymous.
    logger.warning("Could not tell whether the caller is staff", exc_info=exc)
    return False


def sees_details(
    caller: Caller,
    policy: str,
    token: str | None,
    result: HeartbeatResult | None = None,
) -> bool:
    """Whether ``caller`` sees the details of ``result`` under ``policy``."""
    details = decided(caller, policy, token)
    if details is None:
        try:
            details = caller.is_staff(result)  # type: ignore[misc]
        except Exception as exc:
            details = _anonymous(exc)
    return bool(details)


async def sees_details_async(
    caller: Caller,
    policy: str,
    token: str | None,
    result: HeartbeatResult | None = None,
) -> bool:
    """:func:`sees_details` for an ``is_staff`` that may return an awaitable."""
    details = decided(caller, policy, token)
    if details is None:
        try:
            details = caller.is_staff(result)  # type: ignore[misc]
            if inspect.isawaitable(details):
                details = await details
        except Exception as exc:
            details = _anonymous(exc)
    return bool(details)
