"""Webhook deliveries in the admin: read-only, each state with its attempts,
last error and next try, the filters, the body, and a fixed query count.

The rows are made as production makes them (``deliveries_data``): flips
recorded by the history, sent to real receivers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dockerflow.django.models import Delivery

from . import deliveries_data as data
from .test_admin_history import make_user, queries_of

pytestmark = pytest.mark.django_db
LIST = "/admin/dockerflow/delivery/"


@pytest.fixture
def hooks() -> Iterator[None]:
    with data.webhooks():
        yield


@pytest.fixture
def seeded(hooks: None) -> None:
    data.seed()


@pytest.fixture
def viewer(client: Client) -> Client:
    client.force_login(make_user("viewer", "view_delivery", "view_statuschange"))
    return client


def shown(response: object) -> list[Delivery]:
    return list(response.context["cl"].result_list)  # type: ignore[attr-defined]


def row_of(html: str, delivery: Delivery) -> str:
    """The list row of ``delivery``, its tags stripped."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    link = f'href="{LIST}{delivery.pk}/change/'
    found = next(r for r in rows if link in r)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found)).split())


def test_only_the_view_permission_shows_them_and_nothing_changes(
    client: Client, seeded: None
) -> None:
    assert "/admin/login/" in client.get(LIST)["Location"]
    client.force_login(make_user("staff", "view_statuschange"))
    assert client.get(LIST).status_code == 403
    client.force_login(make_user("viewer", "view_delivery"))
    response = client.get(LIST)
    assert response.status_code == 200
    assert b"addlink" not in response.content
    assert b'name="action"' not in response.content
    row = Delivery.objects.first()
    assert row is not None
    page = f"{LIST}{row.pk}/change/"
    assert client.get(page).status_code == 200
    assert client.post(page, {"state": "delivered"}).status_code == 403
    assert client.post(f"{LIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    assert Delivery.objects.count() == 24
    assert Delivery.objects.get(pk=row.pk).state == row.state


def test_each_state_with_its_attempts_last_error_and_next_try(
    viewer: Client, seeded: None
) -> None:
    html = viewer.get(LIST).content.decode().replace("<wbr>", "")
    first = Delivery.objects.filter(host="web-1", check_name="db", attempts=1)
    delivered = first.get(webhook="ops")
    retrying = first.get(webhook="chat")
    failed = first.get(webhook="old")
    waiting = Delivery.objects.filter(host="web-1", check_name="db", attempts=0)
    not_tried = waiting.first()
    for row, colour in [
        (delivered, "ok"),
        (retrying, "warning"),
        (failed, "error"),
        (not_tried, "info"),
    ]:
        assert row is not None
        badge = f'data-status="{colour}">{row.state}</span>'
        assert badge in html, (row.state, colour)
    # Delivered: one attempt, no error, no next try.
    assert re.search(
        r" delivered 1 attempt ok → error web-1 db ops -$", row_of(html, delivered)
    )
    # Pending after a 503: the error, and when it is tried next.
    assert re.search(
        r" pending 1 attempt ok → error web-1 db chat "
        r"HTTP 503 Service Unavailable next try \d{4}-\d\d-\d\d \d\d:\d\d \S+$",
        row_of(html, retrying),
    )
    assert re.search(
        r" failed 1 attempt ok → error web-1 db old HTTP 503 Service Unavailable$",
        row_of(html, failed),
    )
    assert re.search(
        r" pending 0 attempts error → ok web-1 db \w+ - next try ",
        row_of(html, not_tried),
    )


def test_the_change_link_opens_the_status_change(viewer: Client, seeded: None) -> None:
    row = Delivery.objects.select_related("change").first()
    assert row is not None
    html = viewer.get(LIST).content.decode()
    href = f"/admin/dockerflow/statuschange/{row.change_id}/change/"
    assert f'href="{href}"' in html
    page = viewer.get(href)
    assert page.status_code == 200
    assert row.change.new_status in page.content.decode()


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"state__exact": "failed"}, lambda d: d.state == "failed"),
        ({"state__exact": "delivered"}, lambda d: d.state == "delivered"),
        ({"webhook": "chat"}, lambda d: d.webhook == "chat"),
        ({"q": "web-2"}, lambda d: d.host == "web-2"),
    ],
)
def test_each_filter_narrows_the_list(
    viewer: Client, seeded: None, params: dict[str, str], expect: Callable
) -> None:
    response = viewer.get(LIST, params)
    assert response.status_code == 200
    rows = shown(response)
    assert rows and all(expect(d) for d in rows)
    assert len(rows) < Delivery.objects.count()


def test_the_webhook_filter_lists_the_configured_ones_and_the_one_asked_for(
    viewer: Client, seeded: None
) -> None:
    html = unescape(viewer.get(LIST).content.decode())
    assert all(f"?webhook={name}" in html for name in data.HOOKS)
    gone = viewer.get(LIST, {"webhook": "gone"})
    assert gone.status_code == 200 and shown(gone) == []
    assert "?webhook=gone" in unescape(gone.content.decode())


def test_the_detail_page_shows_the_body_with_messages_only_where_allowed(
    viewer: Client, seeded: None
) -> None:
    rows = Delivery.objects.filter(host="web-1", check_name="db", attempts=1)
    pages = {}
    for row in rows:
        with CaptureQueriesContext(connection) as queries:
            response = viewer.get(f"{LIST}{row.pk}/change/")
        assert response.status_code == 200 and len(queries) <= 8
        body = re.search(
            r'<pre class="dockerflow-body">(.*?)</pre>', response.content.decode(), re.S
        )
        assert body, row.webhook
        pages[row.webhook] = unescape(body.group(1))
    assert '"msg": "db is error"' in pages["ops"]  # indented to read
    assert "db is error" not in pages["old"]
    assert pages["chat"] == '{\n  "text": "web-1 db: ok → error"\n}'


def test_the_history_button_answers(viewer: Client, seeded: None) -> None:
    row = Delivery.objects.first()
    assert row is not None
    response = viewer.get(f"{LIST}{row.pk}/history/")
    assert response.status_code == 200 and b"change history" in response.content


@pytest.mark.parametrize(
    "params", [{}, {"state__exact": "pending"}, {"webhook": "ops"}, {"q": "web"}]
)
def test_the_list_costs_the_same_queries_at_any_size(
    viewer: Client,
    hooks: None,
    params: dict[str, str],
    django_assert_max_num_queries: Callable,
) -> None:
    data.seed(hosts=("web-1",))
    small = queries_of(viewer, LIST, **params)
    data.seed(hosts=tuple(f"web-{n}" for n in range(2, 10)))  # 108 rows, 3 pages
    with django_assert_max_num_queries(6):
        large = queries_of(viewer, LIST, **params)
    assert len(large) == len(small)
    counts = [sql for sql in large if sql.upper().startswith("SELECT COUNT(")]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_the_search_box_says_what_it_finds(viewer: Client, seeded: None) -> None:
    html = viewer.get(LIST).content.decode()
    assert re.search(r'<label for="searchbar"><img [^>]+> Host</label>', html)
    runs = make_user("runs", "view_heartbeatrun")
    viewer.force_login(runs)
    html = viewer.get("/admin/dockerflow/heartbeatrun/").content.decode()
    assert re.search(r'<label for="searchbar"><img [^>]+> Failing check</label>', html)
