"""The middleware's /__lbheartbeat__: copies of the view's own answer.

Each probe gets a response equal to what the view makes, and its own: what
one request's outer middleware does to it never reaches the next.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from dockerflow.django import probe, views


@pytest.fixture(autouse=True)
def fresh_copiers() -> Any:
    probe._copiers.clear()
    yield
    probe._copiers.clear()


def described(response: HttpResponse) -> tuple[Any, ...]:
    return (
        type(response),
        response.status_code,
        response.reason_phrase,
        list(response.items()),
        response.content,
        dict(response.cookies),
        response.charset,
    )


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_copy_is_the_views_answer(method: str) -> None:
    request = RequestFactory().generic(method, "/__lbheartbeat__")
    first = probe.lbheartbeat(request)
    second = probe.lbheartbeat(request)
    assert described(first) == described(views.lbheartbeat(request))
    assert described(second) == described(first)
    assert probe._copiers[method].copyable


def test_each_probe_has_its_own_headers_cookies_and_body() -> None:
    request = RequestFactory().get("/__lbheartbeat__")
    first = probe.lbheartbeat(request)
    first["X-Changed"] = "yes"
    first.set_cookie("tracking", "1")
    first.content = b"changed"
    first.closed = True
    second = probe.lbheartbeat(request)
    assert "X-Changed" not in second
    assert not second.cookies
    assert second.content == views.lbheartbeat(request).content
    assert not second.closed
    assert second.headers is not first.headers
    assert second._resource_closers is not first._resource_closers


def test_other_methods_get_the_views_405() -> None:
    response = probe.lbheartbeat(RequestFactory().post("/__lbheartbeat__"))
    assert response.status_code == 405
    assert "POST" not in probe._copiers


def test_an_answer_it_cannot_copy_is_made_each_time(monkeypatch: Any) -> None:
    """A Django whose response holds something unknown and mutable is never
    copied: the view answers every probe."""
    made: list[HttpResponse] = []
    real = views.lbheartbeat

    def view(request: Any) -> HttpResponse:
        response = real(request)
        response.extra_state = {"shared": []}  # type: ignore[attr-defined]
        made.append(response)
        return response

    monkeypatch.setattr(views, "lbheartbeat", view)
    request = RequestFactory().get("/__lbheartbeat__")
    answers = [probe.lbheartbeat(request) for _ in range(3)]
    assert not probe._copiers["GET"].copyable
    assert answers == made[1:]  # the first made the (unused) template


def test_through_the_whole_stack(client: Client) -> None:
    for _ in range(2):
        response = client.get("/__lbheartbeat__", HTTP_X_REQUEST_ID="probe-1")
        assert response.status_code == 200
        assert response["X-Request-ID"] == "probe-1"
        assert response["Content-Length"] == str(len(response.content))
    assert probe._copiers["GET"].copyable
