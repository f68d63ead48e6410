"""Who may read the history API: staff with the model's view permission, or a
caller that sends DOCKERFLOW_HEARTBEAT_TOKEN as ``Authorization: Bearer``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from dockerflow import details

from ..conf import conf

__all__ = [
    "AUTHENTICATION",
    "BearerTokenAuthentication",
    "HistoryReader",
    "TokenClient",
]


class TokenClient:
    """The caller that presented the heartbeat token: a machine, not a user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    pk = None

    def __str__(self) -> str:
        return "heartbeat token"


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <DOCKERFLOW_HEARTBEAT_TOKEN>``, compared in constant time."""

    def authenticate(self, request: Any) -> tuple[TokenClient, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if details.bearer_token(header) is None:
            return None  # not ours: the session may still authenticate
        if not details.token_matches(header, conf.options.token):
            raise AuthenticationFailed("Invalid bearer token.")
        return TokenClient(), "heartbeat-token"

    def authenticate_header(self, request: Any) -> str:
        # Makes DRF answer 401 with a challenge, not 403, to a stranger.
        return 'Bearer realm="dockerflow"'


#: Token first: its challenge is the one a 401 carries.
AUTHENTICATION = [BearerTokenAuthentication, SessionAuthentication]


class HistoryReader(BasePermission):
    """The token, or an active staff user with the view's ``permission``.

    The admin asks for the same view permission, so revoking it hides the
    history in both places.
    """

    message = "Only staff with the view permission, or the heartbeat token, may read the history."

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if isinstance(user, TokenClient):
            return True
        return bool(
            user is not None
            and user.is_active
            and user.is_staff
            and user.has_perm(view.permission)
        )
