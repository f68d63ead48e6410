"""/__metrics__ answers 503 with a line of plain text, never Django's HTML
page, when the history cannot be read or prometheus_client is missing.
"""

from __future__ import annotations

import sys

import pytest
from django.db import connection
from django.test import Client, override_settings

from dockerflow.django import history

from .test_metrics import ON, OPENMETRICS, record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]


def scrape(client: Client) -> tuple[int, str, str]:
    with override_settings(**ON, DEBUG=True):  # DEBUG would show its HTML page
        response = client.get("/__metrics__", headers={"Accept": OPENMETRICS})
    return response.status_code, response["Content-Type"], response.content.decode()


def assert_plain_503(answer: tuple[int, str, str], reason: str) -> None:
    status, content_type, text = answer
    assert (status, content_type) == (503, "text/plain; charset=utf-8")
    assert text.startswith(f"/__metrics__: {reason}")
    assert text.endswith("\n") and text.count("\n") == 1
    assert "<" not in text


def test_503_when_the_history_cannot_be_read(client: Client) -> None:
    record()
    with connection.cursor() as cursor:  # the states' table gone, as in a bad migrate
        cursor.execute("ALTER TABLE dockerflow_checkstate RENAME TO moved_away")
    assert_plain_503(scrape(client), "the heartbeat history could not be read (")


def test_503_when_prometheus_client_is_not_installed(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    record()
    assert scrape(client)[0] == 200
    # None in sys.modules makes each import of it raise ImportError.
    names = [
        name
        for name in sys.modules
        if name.split(".")[0] == "prometheus_client"
        or name.startswith(f"{history.__name__}.")
    ]
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "prometheus_client", None)
    assert_plain_503(scrape(client), "prometheus_client is not installed")
