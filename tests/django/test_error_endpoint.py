"""/__error__ on Django: off by default, then only for staff or the token."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

ON = {"DOCKERFLOW_ERROR_ENDPOINT": True, "DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret"}


def test_off_by_default() -> None:
    with override_settings(DOCKERFLOW_HEARTBEAT_TOKEN="s3cret"):
        response = Client().get("/__error__", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 404


@override_settings(**ON)
def test_on_it_answers_strangers_404() -> None:
    response = Client().get("/__error__")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


@override_settings(**ON)
def test_on_it_raises_for_the_token(summaries) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    response = client.get("/__error__", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 500
    [record] = [r for r in summaries() if r.path == "/__error__"]
    assert (record.levelno, record.errno) == (logging.ERROR, 500)
    assert "on purpose" in record.getMessage()
