"""The example's own pages: a sync home page, an async JSON view and a crash.

They exist to show that request.summary covers sync, async and failing views.
"""

from __future__ import annotations

import asyncio
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger("example_project")


def index(request: HttpRequest) -> HttpResponse:
    logger.info(
        "Rendering the home page", extra={"remote": request.META.get("REMOTE_ADDR")}
    )
    return render(request, "example_project/index.html")


async def hello(request: HttpRequest) -> JsonResponse:
    # A real await, so under ASGI this view runs on the event loop.
    await asyncio.sleep(0)
    return JsonResponse({"hello": request.GET.get("name", "world")})


def error(request: HttpRequest) -> HttpResponse:
    """Raise on purpose: the request.summary record is then ERROR, errno 500."""
    raise RuntimeError("the example's /error/ view always fails")
