"""Views the Django tests route to: plain, failing, raising, async, login.

They stand in for a project's own views behind DockerflowMiddleware.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


def touch_user(request: HttpRequest) -> HttpResponse:
    """Loads request.user, as most authenticated views do."""
    return HttpResponse(f"user:{request.user.pk}")


def not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse("nope", status=404)


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view broke")


#: What the ``refuse/<kind>`` views raise, and the status Django answers it with.
REFUSALS = {
    "not-found": (Http404, 404),
    "denied": (PermissionDenied, 403),
    "suspicious": (SuspiciousOperation, 400),
    "bad-request": (BadRequest, 400),
}


def refuse(request: HttpRequest, kind: str) -> HttpResponse:
    raise REFUSALS[kind][0](f"refused: {kind}")


async def refuse_async(request: HttpRequest, kind: str) -> HttpResponse:
    raise REFUSALS[kind][0](f"refused: {kind}")


async def hello_async(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello async")


def log_in(request: HttpRequest) -> HttpResponse:
    user = get_user_model().objects.get(username=request.GET["username"])
    login(request, user)
    return HttpResponse("in")
