"""The settings the middleware reads per request, and the header it echoes."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, override_settings

from dockerflow.django.conf import conf
from dockerflow.django.middleware import _STORE_KEYS, _echo
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


@pytest.mark.parametrize(
    ("name", "key"),
    [("X-Request-ID", "x-request-id"), ("X-Réquest", ""), ("X\nID", "")],
)
def test_only_names_django_takes_unchanged_go_straight_in(name: str, key: str) -> None:
    """Anything else goes through item assignment, which converts or refuses."""
    direct, assigned = HttpResponse(), HttpResponse()
    outcomes = []
    for set_it in (
        lambda: _echo(direct, name, "rid-0"),
        lambda: assigned.__setitem__(name, "rid-0"),
    ):
        try:
            set_it()
            outcomes.append("set")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes[0] == outcomes[1]
    assert list(direct.items()) == list(assigned.items())
    assert _STORE_KEYS[name] == key


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
def test_echo_sets_the_header_as_item_assignment_would(response_class: type) -> None:
    direct, assigned = response_class(), response_class()
    _echo(direct, "X-Request-ID", "rid-1")
    assigned["X-Request-ID"] = "rid-1"
    assert list(direct.items()) == list(assigned.items())
    assert direct["x-request-id"] == "rid-1"


def test_echo_replaces_a_header_the_view_set() -> None:
    direct, assigned = HttpResponse(), HttpResponse()
    for response in (direct, assigned):
        response["x-request-id"] = "set-by-the-view"
    _echo(direct, "X-Request-ID", "rid-2")
    assigned["X-Request-ID"] = "rid-2"
    assert list(direct.items()) == list(assigned.items())
    assert list(direct.items()) == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("X-Request-ID", "rid-2"),
    ]


def test_client_sees_the_echoed_id(client: Client) -> None:
    response = client.get("/hello", HTTP_X_REQUEST_ID="from-client")
    assert response.headers["X-Request-ID"] == "from-client"
