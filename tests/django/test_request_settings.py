"""The settings the middleware reads per request, and the header it echoes."""

from __future__ import annotations

import contextvars

import pytest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory, override_settings

from dockerflow.django.conf import conf
from dockerflow.django.middleware import DockerflowMiddleware
from dockerflow.scope import environ_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("X-Request-ID", "HTTP_X_REQUEST_ID"),
        ("x-amzn-trace-id", "HTTP_X_AMZN_TRACE_ID"),
    ],
)
def test_meta_key_is_where_django_files_the_header(name: str, key: str) -> None:
    assert environ_key(name) == key


def test_options_follow_override_settings() -> None:
    assert conf.options.request_id_header == "X-Request-ID"
    with override_settings(
        DOCKERFLOW_REQUEST_ID_HEADER_NAME="X-Trace",
        DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True,
    ):
        assert conf.options.request_id_header == "X-Trace"
        assert conf.options.log_querystring is True
    assert conf.options.request_id_header == "X-Request-ID"


@pytest.mark.parametrize("response_class", [HttpResponse, StreamingHttpResponse])
def test_the_echo_replaces_a_header_the_view_set(response_class: type) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = response_class()
        response["x-request-id"] = "set-by-the-view"
        return response

    request = RequestFactory().get("/hello", HTTP_X_REQUEST_ID="rid-2")
    # In a context of its own: the id stays set until a server closes the response.
    response = contextvars.copy_context().run(DockerflowMiddleware(view), request)
    assert response["X-Request-ID"] == "rid-2"
    assert [name for name, _ in response.items()].count("X-Request-ID") == 1


def test_client_sees_the_echoed_id(client: Client) -> None:
    response = client.get("/hello", HTTP_X_REQUEST_ID="from-client")
    assert response.headers["X-Request-ID"] == "from-client"
