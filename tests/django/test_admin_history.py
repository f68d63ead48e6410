"""The heartbeat history in the admin: access, the list, its filters, the picture.

Pages are rendered through the real admin site with the seeded history of
``history_data``; the picture is parsed as XML to read its structure.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dockerflow.django.admin import lists, picture
from dockerflow.django.models import (
    DURATION_BUCKETS,
    FAILING,
    CheckRun,
    HeartbeatRun,
    StatusChange,
)

from . import history_data as data

pytestmark = pytest.mark.django_db
LIST = "/admin/dockerflow/heartbeatrun/"
CHANGES = "/admin/dockerflow/statuschange/"


def make_user(name: str, *perms: str, staff: bool = True) -> User:
    user = User.objects.create_user(name, password="pw", is_staff=staff)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return user


@pytest.fixture
def viewer(client: Client) -> Client:
    client.force_login(make_user("viewer", "view_heartbeatrun", "view_statuschange"))
    return client


@pytest.fixture
def seeded() -> data.Seeded:
    return data.seed()


def heatmap(html: str) -> ET.Element:
    """The picture's section of the page, parsed: the grid is well-formed XML."""
    markup = re.search(r'<section class="dockerflow-picture".*?</section>', html, re.S)
    assert markup, "no picture on the page"
    return ET.fromstring(markup.group(0).replace("&nbsp;", " ").replace("<wbr>", ""))


def text(element: ET.Element | None) -> str:
    assert element is not None
    return " ".join("".join(element.itertext()).split())


def cells_of(element: ET.Element) -> list[ET.Element]:
    return element.findall(".//td[@data-status]")


def shown(response: object) -> list[HeartbeatRun]:
    return list(response.context["cl"].result_list)  # type: ignore[attr-defined]


def test_anonymous_users_are_sent_to_log_in(
    client: Client, seeded: data.Seeded
) -> None:
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_view_permission_get_nothing(
    client: Client, seeded: data.Seeded
) -> None:
    client.force_login(make_user("staff"))
    assert client.get(LIST).status_code == 403
    assert client.get(CHANGES).status_code == 403
    run = HeartbeatRun.objects.first()
    assert run is not None
    assert client.get(f"{LIST}{run.pk}/change/").status_code == 403
    assert b"dockerflow" not in client.get("/admin/").content.lower()


def test_the_view_permission_shows_everything_and_changes_nothing(
    viewer: Client, seeded: data.Seeded
) -> None:
    response = viewer.get(LIST)
    assert response.status_code == 200
    assert (
        b"addlink" not in response.content and b'name="action"' not in response.content
    )
    run = HeartbeatRun.objects.first()
    assert run is not None
    page = f"{LIST}{run.pk}/change/"
    assert viewer.get(page).status_code == 200
    before = HeartbeatRun.objects.count()
    assert viewer.post(page, {"host": "hacked"}).status_code == 403
    assert viewer.post(f"{LIST}{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert viewer.get(f"{LIST}add/").status_code == 403
    assert HeartbeatRun.objects.count() == before
    assert not HeartbeatRun.objects.filter(host="hacked").exists()


def test_the_list_shows_badge_failing_checks_version_and_duration(
    viewer: Client, seeded: data.Seeded
) -> None:
    response = viewer.get(LIST, {"status": "failing"})
    runs = shown(response)
    assert runs and all(run.status in FAILING for run in runs)
    html = response.content.decode()
    assert 'class="dockerflow-badge" data-status="critical"' in html
    assert "check_database_connected" in html and data.NEW in html
    assert "3.0 s" in html or "ms" in html


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"status": "warning"}, lambda r: r.status == "warning"),
        ({"host": "web-2"}, lambda r: r.host == "web-2"),
        ({"version": data.OLD}, lambda r: r.version == data.OLD),
        (
            {"failing_check": "check_redis_connected"},
            lambda r: "check_redis_connected" in r.failing_checks,
        ),
        ({"q": "redis"}, lambda r: "check_redis_connected" in r.failing_checks),
        ({"source": "http"}, lambda r: r.source == "http"),
    ],
)
def test_each_filter_narrows_the_list(
    viewer: Client, seeded: data.Seeded, params: dict[str, str], expect: Callable
) -> None:
    response = viewer.get(LIST, {**params, "all": ""})
    assert response.status_code == 200
    runs = shown(response)
    assert runs and all(expect(run) for run in runs)
    assert len(runs) < seeded.runs


def test_filter_choices_come_from_the_history(
    viewer: Client, seeded: data.Seeded
) -> None:
    html = viewer.get(LIST).content.decode()
    for value in (*data.HOSTS, data.OLD, data.NEW, *data.CHECKS):
        assert f"={value}" in unescape(html)
    assert lists.distinct_values(HeartbeatRun, "version") == [data.OLD, data.NEW]


def test_the_heatmap_has_a_cell_per_host_and_hour(
    viewer: Client, seeded: data.Seeded
) -> None:
    root = heatmap(viewer.get(LIST).content.decode())
    rows = root.findall(".//tr[@class='row']")
    assert [r.get("data-label") for r in rows] == list(data.HOSTS)
    assert len(cells_of(root)) == len(data.HOSTS) * 24
    web2 = cells_of(rows[1])
    assert {c.get("data-status") for c in web2} == {"ok", "error"}
    web1 = cells_of(rows[0])
    assert "warning" in {c.get("data-status") for c in web1}


def test_the_now_line_deploys_and_missing_hosts(
    viewer: Client, seeded: data.Seeded
) -> None:
    root = heatmap(viewer.get(LIST).content.decode())
    now = root.find(".//p[@class='dockerflow-now']")
    # web-3 is failing; web-4 is missing and counted apart.
    assert text(now) == "1 of 4 hosts failing · 1 missing"
    assert now is not None and now.get("data-alarm") == "true"
    deploys = root.findall(".//li[@class='deploy']")
    assert len(deploys) == 1 and data.NEW in text(deploys[0])
    web4 = root.find(".//tr[@data-label='web-4']")
    assert web4 is not None
    hatched = [c for c in cells_of(web4) if "missing" in (c.get("class") or "")]
    assert len(hatched) == data.MISSING_FOR
    assert "missing since" in text(web4.find("th"))


def test_a_cell_links_to_the_list_filtered_to_its_host_and_hour(
    viewer: Client, seeded: data.Seeded
) -> None:
    root = heatmap(viewer.get(LIST).content.decode())
    link = root.find(".//td[@data-status='error']/a")
    assert link is not None
    url = urlsplit(link.get("href", ""))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == LIST and query["host"] == "web-2"
    runs = shown(viewer.get(url.path, query))
    hour = HeartbeatRun.objects.filter(
        host="web-2", time__gte=query["time__gte"], time__lt=query["time__lt"]
    )
    assert sorted(r.pk for r in runs) == sorted(hour.values_list("pk", flat=True))
    assert 1 <= len(runs) <= 4 and any(r.status == "error" for r in runs)


def test_the_heatmap_by_check(viewer: Client, seeded: data.Seeded) -> None:
    response = viewer.get(LIST, {"rows": "checks"})
    root = heatmap(response.content.decode())
    table = root.find(".//table[@data-kind]")
    assert table is not None and table.get("data-kind") == "checks"
    rows = [r.get("data-label") for r in root.findall(".//tr[@class='row']")]
    assert rows == sorted(data.CHECKS)
    redis = root.find(".//tr[@data-label='check_redis_connected']")
    assert redis is not None
    failing = redis.findall("td[@data-status='error']/a")
    hours = {
        t.replace(minute=0, second=0, microsecond=0)
        for t in CheckRun.objects.filter(
            status="error", name="check_redis_connected"
        ).values_list("time", flat=True)
    }
    assert len(failing) == len(hours) >= 3
    href = failing[0].get("href", "")
    assert "failing_check=check_redis_connected" in href
    assert len(response.context["cl"].result_list) > 0  # rows= never reaches the list


def test_per_check_figures(viewer: Client, seeded: data.Seeded) -> None:
    html = viewer.get(LIST).content.decode()
    table = re.search(r'<table class="dockerflow-checks">.*?</table>', html, re.S)
    assert table
    row = re.search(
        r'<tr data-check="check_redis_connected">(.*?)</tr>', table.group(0), re.S
    )
    assert row
    cells = [
        " ".join(re.sub(r"<[^>]+>", "", c).split())
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]
    name, now, _since, hosts, up24, up7, up30, p50, p95, p95_30 = cells
    # web-4 is missing: its checks no longer count for "now", but what it
    # said last is shown beside.
    assert (name, hosts) == ("check_redis_connected", "0 of 3 · 1 missing")
    assert now == "ok missing hosts: ok"
    # The aggregates agree with the raw check rows of the same 24 hours.
    first = seeded.now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    rows = CheckRun.objects.filter(name="check_redis_connected", time__gte=first)
    assert up24 == f"{1 - rows.filter(status='error').count() / rows.count():.2%}"
    assert up7 == up30 == f"{1 - 12 / seeded.runs:.2%}"
    # The histogram places each quantile inside the bucket of the raw one.
    durations = sorted(rows.values_list("duration_ms", flat=True))
    edges = [0.0] + [edge for _name, edge in DURATION_BUCKETS]
    for shown_ms, q in ((p50, 0.5), (p95, 0.95)):
        raw = durations[math.ceil(q * len(durations)) - 1]
        high = next(edge for edge in edges if raw <= edge)
        low = edges[edges.index(high) - 1]
        assert shown_ms.endswith(" ms") and low - 0.5 <= float(shown_ms[:-3]) <= high
    assert p95_30 == p95
    db = re.search(
        r'<tr data-check="check_database_connected">(.*?)</tr>', table.group(0), re.S
    )
    assert db and "critical" in db.group(1) and "1 of 3" in db.group(1)


def test_the_detail_page_lists_each_check(viewer: Client, seeded: data.Seeded) -> None:
    run = HeartbeatRun.objects.filter(host="web-2", status="error").first()
    assert run is not None
    with CaptureQueriesContext(connection) as queries:
        html = viewer.get(f"{LIST}{run.pk}/change/").content.decode()
    html = html.replace("<wbr>", "")  # where long names may wrap
    checks = re.findall(r'<tr class="check" data-check="([^"]+)">', html)
    assert checks == list(data.CHECKS)
    assert "dockerflow.health.E004" in html and "Could not connect to redis" in html
    assert "?host=web-2" in html
    assert len(queries) <= 8


def test_the_history_button_of_every_page_answers(
    viewer: Client, seeded: data.Seeded
) -> None:
    # Django's object-history view pages log entries through the list's
    # paginator: a count of the history's own column there was a 500.
    run = HeartbeatRun.objects.first()
    change = StatusChange.objects.first()
    assert run is not None and change is not None
    for page in (f"{LIST}{run.pk}/history/", f"{CHANGES}{change.pk}/history/"):
        response = viewer.get(page)
        assert response.status_code == 200, page
        assert b"change history" in response.content


def test_status_changes_list(viewer: Client, seeded: data.Seeded) -> None:
    response = viewer.get(CHANGES, {"host": "web-2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 h 0 min" in html  # the Redis outage lasted three hours
    assert len(response.context["cl"].result_list) == 4
    only_host = viewer.get(CHANGES, {"check": "-"})
    assert all(c.check_name == "" for c in only_host.context["cl"].result_list)


def test_total_silence_is_an_alarm_with_what_each_host_said_last(
    viewer: Client,
) -> None:
    # Every host went quiet two hours ago; web-3 was critical then.
    data.seed(now=datetime.now(timezone.utc) - timedelta(hours=2))
    html = viewer.get(LIST).content.decode()
    root = heatmap(html)
    now = root.find(".//p[@class='dockerflow-now']")
    assert text(now) == "0 of 4 hosts failing · 4 missing"
    assert now is not None and now.get("data-alarm") == "true"
    gone = {
        row.get("data-host"): [text(td) for td in row.findall("td")]
        for row in root.findall(".//table[@class='dockerflow-missing']/tbody/tr")
    }
    assert sorted(gone) == list(data.HOSTS)
    seen, status, failing = gone["web-3"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+", seen)
    assert (status, failing) == ("critical", "check_database_connected")
    assert gone["web-1"][1:] == ["ok", "-"]
    # The per-check table stays, each check missing, with its last state.
    checks = {
        row.get("data-check"): text(row.findall("td")[0])
        for row in root.findall(".//table[@class='dockerflow-checks']/tbody/tr")
    }
    assert checks == {
        "check_database_connected": "missing last: critical",
        "check_migrations_applied": "missing last: ok",
        "check_redis_connected": "missing last: ok",
    }


def test_a_flapping_check_is_folded_into_one_row(
    viewer: Client, seeded: data.Seeded
) -> None:
    start = seeded.now - timedelta(hours=2)
    data.flap("web-1", "check_redis_connected", 12, start, timedelta(minutes=3))
    # Two flips of another check half an hour apart are not flapping.
    data.flap("web-2", "check_database_connected", 2, start, timedelta(minutes=30))
    response = viewer.get(CHANGES, {"host": "web-1"})
    rows = response.context["cl"].result_list
    folded = [c for c in rows if getattr(c, "folded", None)]
    assert len(folded) == 1 and folded[0].folded.count == 12
    assert folded[0].folded.statuses == ("ok", "error")
    html = response.content.decode()
    assert "flapped 12 times" in html
    link = re.search(r'class="dockerflow-flaps" href="([^"]+)"', html)
    assert link
    url = urlsplit(unescape(link.group(1)))
    every = viewer.get(url.path, {k: v[0] for k, v in parse_qs(url.query).items()})
    assert every.status_code == 200
    shown_every = list(every.context["cl"].result_list)
    assert len(shown_every) == 12
    assert {(c.host, c.check_name) for c in shown_every} == {
        ("web-1", "check_redis_connected")
    }
    others = viewer.get(CHANGES, {"host": "web-2"}).context["cl"].result_list
    assert not [c for c in others if getattr(c, "folded", None)]


def test_every_time_on_a_page_is_written_one_way_with_its_zone(
    viewer: Client, seeded: data.Seeded
) -> None:
    run = HeartbeatRun.objects.filter(host="web-2").first()
    assert run is not None
    for page in (LIST, CHANGES, f"{LIST}{run.pk}/change/"):
        html = viewer.get(page).content.decode()
        times = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
        assert times, page
        for shown in times:
            # A date and time with its zone; the heatmap's columns are hours.
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+|\d\d(:\d\d)?", shown)
        assert not re.search(r"\d (a|p)\.m\.", html), page
        assert "CST" in html or "CDT" in html  # the test settings' zone, named


def queries_of(client: Client, path: str, **params: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(
    "params", [{}, {"status": "failing"}, {"rows": "checks"}, {"q": "redis"}]
)
def test_the_list_costs_the_same_queries_at_any_size(
    viewer: Client, params: dict[str, str], django_assert_max_num_queries: Callable
) -> None:
    data.seed(hosts=("web-1", "web-2"))
    small = queries_of(viewer, LIST, **params)
    data.seed(hosts=tuple(f"web-{n}" for n in range(3, 30)))
    with django_assert_max_num_queries(16):
        large = queries_of(viewer, LIST, **params)
    assert len(large) == len(small)


def test_no_list_counts_every_row(viewer: Client, seeded: data.Seeded) -> None:
    paths = [LIST, CHANGES]
    if hasattr(admin, "ShowFacets"):
        # "_facets" asks Django 5 for a count per filter choice: never done here.
        paths.append(f"{LIST}?_facets=1")
    for path in paths:
        sqls = queries_of(viewer, path)
        counts = [sql for sql in sqls if sql.upper().startswith("SELECT COUNT(")]
        assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_a_long_list_says_more_than(
    viewer: Client, seeded: data.Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "COUNT_CAP", 100)
    response = viewer.get(LIST)
    assert b"more than 100 heartbeat runs" in response.content
    assert response.context["cl"].paginator.num_pages == 2
    exact = viewer.get(LIST, {"host": "web-1"})  # 96 runs: counted exactly
    assert b"96 heartbeat runs" in exact.content


def test_version_changes_find_deploys_and_rollbacks() -> None:
    t = [seeded_time(hour) for hour in range(6)]
    # v1 until hour 1, v2 from hour 2 to 3, back to v1 after: two changes.
    changes = picture.version_changes([("v1", t[0], t[5]), ("v2", t[2], t[3])])
    assert sorted(changes) == [(t[2], "v2"), (t[3], "v1")]
    assert picture.version_changes([("v1", t[0], t[5])]) == []
    assert picture.version_changes([("v2", t[3], t[5]), ("v1", t[0], t[2])]) == [
        (t[3], "v2")
    ]


def seeded_time(hour: int) -> datetime:
    return datetime(2026, 3, 4, hour, tzinfo=timezone.utc)
