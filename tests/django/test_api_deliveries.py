"""The history API's webhook deliveries: who may read them, what a row says
in each state, the filters, the cursor, and a page's fixed cost.

The rows are made as production makes them (``deliveries_data``): flips
recorded by the history, sent to real receivers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dockerflow.django.models import Delivery
from tests.django import deliveries_data as data

from .test_api import AUTH, TAMPERED, TOKEN, get, user

pytestmark = pytest.mark.django_db
DELIVERIES = "/dockerflow/history/deliveries/"


@pytest.fixture(autouse=True)
def api_settings(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.django.urls_api"
    settings.DOCKERFLOW_HEARTBEAT_TOKEN = TOKEN


@pytest.fixture
def seeded() -> Iterator[None]:
    with data.webhooks():
        data.seed()
        yield


def rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_token_or_the_view_permission_reads_them(seeded: None) -> None:
    assert Client().get(DELIVERIES).status_code == 401
    assert user("changes", "view_statuschange").get(DELIVERIES).status_code == 403
    assert user("hooks", "view_delivery").get(DELIVERIES).status_code == 200
    response = get(DELIVERIES)
    assert response["Cache-Control"] == "no-store"
    assert len(rows(response)) == Delivery.objects.count() == 24


def test_newest_first_each_with_its_state_attempts_error_and_next_try(
    seeded: None,
) -> None:
    got = rows(get(DELIVERIES, host="web-1", check="db"))
    expected = Delivery.objects.filter(host="web-1", check_name="db")
    assert [r["id"] for r in got] == list(
        expected.order_by("-created", "-id").values_list("id", flat=True)
    )
    first = {r["webhook"]: r for r in got if r["attempts"] == 1}
    assert {name: r["state"] for name, r in first.items()} == {
        "ops": "delivered",
        "chat": "pending",
        "old": "failed",
    }
    ops, chat = first["ops"], first["chat"]
    assert (ops["last_status"], ops["last_error"]) == (200, "")
    assert ops["delivered_at"] and ops["delivered_at"].endswith("Z")
    assert (chat["last_status"], chat["last_error"]) == (
        503,
        "HTTP 503 Service Unavailable",
    )
    assert chat["delivered_at"] is None and chat["next_try"] > chat["created"]
    assert json.loads(chat["body"]) == {"text": "web-1 db: ok \u2192 error"}
    assert json.loads(ops["body"])["messages"]["db"][0]["msg"] == "db is error"
    assert "messages" not in json.loads(first["old"]["body"])
    change = Delivery.objects.get(pk=ops["id"]).change_id
    assert ops["change"] == change and ops["check"] == "db"
    waiting = [r for r in got if r["attempts"] == 0]
    assert len(waiting) == 3 and {r["state"] for r in waiting} == {"pending"}


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"state": "failed"}, lambda r: r["state"] == "failed"),
        (
            {"state": ["failed", "delivered"]},
            lambda r: r["state"] in ("failed", "delivered"),
        ),
        ({"webhook": "chat"}, lambda r: r["webhook"] == "chat"),
        ({"host": "web-2"}, lambda r: r["host"] == "web-2"),
        ({"check": ""}, lambda r: r["check"] == ""),
        ({"webhook": "chat", "state": "pending", "check": "db"}, lambda r: True),
    ],
)
def test_each_filter_narrows_the_list(
    seeded: None, params: dict[str, Any], expect: Any
) -> None:
    got = rows(get(DELIVERIES, **params))
    assert got and all(expect(r) for r in got)
    assert len(got) < Delivery.objects.count()


def test_since_and_until_select_by_created(seeded: None) -> None:
    newest = Delivery.objects.order_by("-created").first()
    assert newest is not None
    at = newest.created.isoformat()
    assert {r["id"] for r in rows(get(DELIVERIES, since=at))} == set(
        Delivery.objects.filter(created__gte=newest.created).values_list(
            "id", flat=True
        )
    )
    assert (
        len(rows(get(DELIVERIES, until=at)))
        == Delivery.objects.filter(created__lt=newest.created).count()
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "retrying"}, "state"),
        ({"webhook": "x" * 65}, "webhook"),
        ({"host": "web\x00-1"}, "host"),
        ({"since": "yesterday"}, "since"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(params: dict[str, Any], field: str) -> None:
    response = get(DELIVERIES, **params)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]


def test_the_cursor_walks_every_delivery_once(seeded: None) -> None:
    seen: list[int] = []
    page = get(DELIVERIES, page_size=5).json()
    seen += [r["id"] for r in page["results"]]
    while page["next"]:
        page = Client().get(page["next"], **AUTH).json()
        seen += [r["id"] for r in page["results"]]
    assert seen == list(
        Delivery.objects.order_by("-created", "-id").values_list("id", flat=True)
    )


@pytest.mark.parametrize("cursor", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_cursor_is_the_documented_json_404(
    seeded: None, cursor: str
) -> None:
    response = get(DELIVERIES, cursor=cursor)
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Invalid cursor"},
    )


def test_a_page_is_one_query_and_never_counts(seeded: None) -> None:
    def queries(page_size: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert get(DELIVERIES, page_size=page_size).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few, more = queries(2), queries(20)
    assert len(few) == len(more) == 1
    assert not any("COUNT(" in sql.upper() for sql in few + more)
