"""The history API's root, /dockerflow/history/: a JSON list of its endpoints
that anyone may read, as DRF's DefaultRouter gives a router's root."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOKEN = "api-root-test-token"
ROOT = "/dockerflow/history/"


@pytest.fixture(autouse=True)
def api_settings(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.django.urls_api"
    settings.DOCKERFLOW_HEARTBEAT_TOKEN = TOKEN


def test_the_root_lists_each_endpoint_by_its_absolute_url(client: Client) -> None:
    response = client.get(ROOT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "runs": "http://testserver/dockerflow/history/runs/",
        "changes": "http://testserver/dockerflow/history/changes/",
        "deliveries": "http://testserver/dockerflow/history/deliveries/",
        "uptime": "http://testserver/dockerflow/history/uptime/",
    }


def test_each_listed_url_is_the_endpoint_that_asks_for_credentials(
    client: Client,
) -> None:
    for url in client.get(ROOT).json().values():
        assert client.get(url).status_code == 401, url
        authorized = client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert authorized.status_code == 200, url


def test_a_wrong_token_still_gets_the_list(client: Client) -> None:
    response = client.get(ROOT, HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 200


def test_other_methods_are_a_json_405(client: Client) -> None:
    response = client.post(ROOT)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
