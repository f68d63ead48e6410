"""The example's own pages: a sync home page, an async JSON view, a crash, a
webhook receiver, and ReDoc.

They exist to show that request.summary covers sync, async and failing views;
ReDoc's page is drf-spectacular's, held to this site's own assets.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

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


@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest) -> HttpResponse:
    """A webhook receiver to point DOCKERFLOW_WEBHOOKS at: it checks the
    signature over the raw body, then logs the change (docs/notifications.rst)."""
    digest = hmac.new(
        settings.WEBHOOK_SECRET.encode(), request.body, hashlib.sha256
    ).hexdigest()
    sent = request.headers.get("X-Dockerflow-Signature-256", "")
    if not hmac.compare_digest(f"sha256={digest}", sent):
        logger.warning("Webhook refused: bad signature")
        return JsonResponse({"error": "bad signature"}, status=403)
    change = json.loads(request.body)
    logger.info(
        "Webhook received: %s",
        change.get("text", ""),
        extra={"idempotency_key": request.headers.get("Idempotency-Key", "")},
    )
    return HttpResponse(status=204)


#: ReDoc's bundle draws Redocly's logo from a CDN, always; with no image
#: source but this site, the browser never asks for it and ReDoc drops the
#: image (its text link stays). Scripts and styles inline: ReDoc's own.
REDOC_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
    ]
)


# A page about the API, not part of it (as drf-spectacular's own view is).
@extend_schema(exclude=True)
class RedocView(SpectacularRedocView):
    """drf-spectacular's ReDoc page, loading nothing from another site."""

    template_name = "example_project/redoc.html"

    def get(
        self, request: HttpRequest, *args: object, **kwargs: object
    ) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = REDOC_POLICY
        return response
