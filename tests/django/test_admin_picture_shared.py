"""The picture above the runs list is computed once per period and shared.

Its queries are counted: a fixed number at any size, none but the version's
for a second list of the same period, and a new picture after a flip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dockerflow.django import history
from dockerflow.django.admin import shared
from dockerflow.django.models import CheckState

from . import history_data as data
from . import history_helpers as made
from .test_admin_history import LIST, make_user

pytestmark = pytest.mark.django_db

#: What ``picture.build`` reads: states, host or check aggregates, the
#: deploys' window of runs, and the per-check table's hour and day sums.
PICTURE_QUERIES = 5
TABLES = ("dockerflow_checkstate", "dockerflow_heartbeataggregate")


@pytest.fixture
def viewer(client: Client) -> Client:
    client.force_login(make_user("viewer", "view_heartbeatrun"))
    return client


def picture_queries(client: Client, params: dict[str, str]) -> list[str]:
    """The SQL a list page ran on the history's small tables, the picture's."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST, params).status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    return [s for s in sqls if any(table in s for table in TABLES)]


def test_the_picture_costs_a_fixed_number_of_queries(
    django_assert_num_queries: Callable,
) -> None:
    for hosts in (("web-1", "web-2"), tuple(f"web-{n}" for n in range(3, 40))):
        data.seed(hosts=hosts)
        shared.pictures.clear()
        for rows in ("hosts", "checks"):
            # The version, then the picture itself.
            with django_assert_num_queries(1 + PICTURE_QUERIES):
                shared.pictures.get(LIST, rows)


def test_a_second_list_of_the_period_draws_no_picture(
    viewer: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One period throughout, however slowly a busy machine runs the test.
    monkeypatch.setattr(shared, "pictures", shared.Pictures(clock=lambda: 1e9))
    data.seed()
    first = picture_queries(viewer, {})
    assert shared.pictures.built == 1
    for params in ({"status": "failing"}, {"q": "redis"}, {"p": "2"}):
        again = picture_queries(viewer, params)
        # Only the version of the states is read, and the filters' choices.
        assert len(again) < len(first), (params, again)
        assert shared.pictures.built == 1, params
    # The other picture is its own.
    viewer.get(LIST, {"rows": "checks"})
    assert shared.pictures.built == 2


def test_each_time_zone_has_its_own_picture() -> None:
    data.seed()
    shared.pictures.get(LIST, "hosts")
    with timezone.override("Asia/Tokyo"):
        tokyo = shared.pictures.get(LIST, "hosts")
    assert shared.pictures.built == 2
    assert tokyo.heatmap.start.utcoffset() == timedelta(hours=9)


def test_a_new_period_draws_it_again() -> None:
    now = [1_000_000.0]
    pictures = shared.Pictures(clock=lambda: now[0])
    data.seed()
    pictures.get(LIST, "hosts")
    pictures.get(LIST, "hosts")
    assert pictures.built == 1
    now[0] += shared.PERIOD_SECONDS
    pictures.get(LIST, "hosts")
    assert pictures.built == 2


@override_settings(DOCKERFLOW_HISTORY="changes", DOCKERFLOW_HISTORY_HOST="web-9")
def test_a_status_change_is_drawn_at_once(viewer: Client) -> None:
    # Runs of now: the picture shows the hosts heard from in its 24 hours.
    now = (timezone.now() - made.T0).total_seconds()
    history.record(made.run(now - 30), source="http")
    before = viewer.get(LIST).content.decode()
    assert "0 of 1 hosts failing" in before
    # The recorder's own flip, as a heartbeat writes it.
    history.record(made.run(now, db="error"), source="http")
    assert CheckState.objects.get(host="web-9", check_name="").status == "error"
    after = viewer.get(LIST).content.decode()
    assert "1 of 1 hosts failing" in after
    assert shared.pictures.built == 2
