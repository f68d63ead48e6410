"""The history API: who may read it, what runs and changes look like, the
filters, the cursor, and uptime/p95 from the aggregates.

Runs are recorded through ``history.record`` as the heartbeat records them.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.django import history
from dockerflow.django.history.aggregates import percentile
from dockerflow.django.models import HeartbeatAggregate, HeartbeatRun
from tests.profiles import examples

from .history_helpers import T0, at, run

pytestmark = pytest.mark.django_db

TOKEN = "api-test-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
RUNS = "/dockerflow/history/runs/"
CHANGES = "/dockerflow/history/changes/"
UPTIME = "/dockerflow/history/uptime/"


@pytest.fixture(autouse=True)
def api_settings(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.django.urls_api"
    settings.DOCKERFLOW_HEARTBEAT_TOKEN = TOKEN
    settings.DOCKERFLOW_HISTORY = "all"
    settings.DOCKERFLOW_HISTORY_FLUSH_SECONDS = 0  # counters written with each run


def record(host: str, seconds: float, version: str = "", **statuses: str) -> Any:
    with override_settings(DOCKERFLOW_HISTORY_HOST=host):
        if version:
            with override_settings(
                DOCKERFLOW_VERSION_CALLBACK=lambda root: {"version": version}
            ):
                return history.record(
                    run(seconds, **statuses), source="http", http_status=200
                )
        return history.record(run(seconds, **statuses), source="http", http_status=200)


@pytest.fixture
def stored() -> list[HeartbeatRun]:
    """Six runs on two hosts; web-2's db check fails in the middle."""
    return [
        record("web-1", 0, version="1.0"),
        record("web-2", 10, version="1.0"),
        record("web-2", 20, version="1.0", db="error"),
        record("web-2", 30, version="1.1", db="critical"),
        record("web-1", 40, version="1.1", cache="warning"),
        record("web-2", 50, version="1.1"),
    ]


def get(path: str, client: Client | None = None, **params: Any) -> Any:
    return (client or Client()).get(path, params, **AUTH)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def user(name: str, *perms: str, staff: bool = True, **extra: Any) -> Client:
    person = User.objects.create_user(name, is_staff=staff, **extra)
    for perm in perms:
        person.user_permissions.add(Permission.objects.get(codename=perm))
    client = Client()
    client.force_login(person)
    return client


# -- who may read ---------------------------------------------------------


@pytest.mark.parametrize("path", [RUNS, CHANGES, UPTIME, f"{RUNS}1/"])
def test_strangers_get_a_bearer_challenge(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="dockerflow"'
    wrong = Client().get(path, HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Invalid bearer token."}


def vary(response: Any) -> set[str]:
    return {name.strip().lower() for name in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", [RUNS, CHANGES, UPTIME, RUNS + "{id}/"])
def test_no_answer_is_kept_by_caches_and_each_varies_on_who_asks(
    stored: list[HeartbeatRun], path: str
) -> None:
    path = path.format(id=stored[0].pk)
    answers = [
        get(path),
        Client().get(path),
        user("nobody", staff=False).get(path),
        Client().get(f"{path}?{'&'.join(['a'] * 1001)}", **AUTH),
        get(f"{RUNS}0/"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 403, 400, 404]
    for response in answers:
        assert response["Cache-Control"] == "no-store", response.status_code
        assert {"authorization", "cookie"} <= vary(response), response.status_code


def test_no_token_configured_means_no_token_works() -> None:
    with override_settings(DOCKERFLOW_HEARTBEAT_TOKEN=None):
        assert Client().get(RUNS, **AUTH).status_code == 401


def test_the_token_reads_everything(stored: list[HeartbeatRun]) -> None:
    assert len(ids(get(RUNS))) == 6
    assert get(CHANGES).status_code == 200
    assert get(UPTIME).status_code == 200


def test_staff_need_the_view_permission_of_what_they_read(
    stored: list[HeartbeatRun],
) -> None:
    runs_only = user("runs", "view_heartbeatrun")
    assert runs_only.get(RUNS).status_code == 200
    assert runs_only.get(f"{RUNS}{stored[0].pk}/").status_code == 200
    assert runs_only.get(CHANGES).status_code == 403
    assert runs_only.get(UPTIME).status_code == 403
    everything = user(
        "all", "view_heartbeatrun", "view_statuschange", "view_heartbeataggregate"
    )
    for path in (RUNS, CHANGES, UPTIME):
        assert everything.get(path).status_code == 200


def test_permission_without_staff_or_staff_without_permission_gets_403() -> None:
    assert user("bare", staff=True).get(RUNS).status_code == 403
    assert (
        user("nonstaff", "view_heartbeatrun", staff=False).get(RUNS).status_code == 403
    )
    superuser = user("root", is_superuser=True)
    assert superuser.get(UPTIME).status_code == 200


# -- runs -----------------------------------------------------------------


def test_runs_come_newest_first_with_their_checks(stored: list[HeartbeatRun]) -> None:
    body = get(RUNS).json()
    assert [r["id"] for r in body["results"]] == [r.pk for r in reversed(stored)]
    failing = body["results"][3]  # web-2 at +20 s
    assert failing["host"] == "web-2"
    assert failing["time"] == at(20).isoformat().replace("+00:00", "Z")
    assert (failing["status"], failing["level"], failing["source"]) == (
        "error",
        40,
        "http",
    )
    assert failing["failing_checks"] == ["db"]
    assert failing["version"] == "1.0"
    assert failing["checks"] == [
        {
            "name": "cache",
            "status": "ok",
            "level": 0,
            "duration_ms": 2.0,
            "messages": [],
        },
        {
            "name": "db",
            "status": "error",
            "level": 40,
            "duration_ms": 2.0,
            "messages": [{"id": "tests.db", "msg": "db is error"}],
        },
    ]


def test_one_run(stored: list[HeartbeatRun]) -> None:
    body = get(f"{RUNS}{stored[2].pk}/").json()
    assert body["id"] == stored[2].pk
    assert [c["name"] for c in body["checks"]] == ["cache", "db"]
    assert get(f"{RUNS}999999/").status_code == 404
    # Beyond a 64-bit id, or no number at all: a JSON 404, not a database error.
    for pk in (2**70, -1, "null", "\uff11\uff12"):  # the last: fullwidth 12
        response = get(f"{RUNS}{pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "error"}, [2]),
        ({"status": ["error", "critical"]}, [3, 2]),
        ({"host": "web-1"}, [4, 0]),
        ({"version": "1.1"}, [5, 4, 3]),
        ({"check": "db"}, [5, 4, 3, 2, 1, 0]),
        ({"check": "nope"}, []),
        ({"since": at(20).isoformat()}, [5, 4, 3, 2]),
        ({"until": at(20).isoformat()}, [1, 0]),
        (
            {"since": at(10).isoformat(), "until": at(40).isoformat(), "host": "web-2"},
            [3, 2, 1],
        ),
        ({"host": ""}, []),
    ],
)
def test_run_filters(
    stored: list[HeartbeatRun], params: dict[str, Any], expected: list[int]
) -> None:
    assert ids(get(RUNS, **params)) == [stored[i].pk for i in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": ""}, "until"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"status": "broken"}, "status"),
        ({"host": "web\x00-1"}, "host"),
        ({"host": "x" * 256}, "host"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(params: dict[str, Any], field: str) -> None:
    for path in (RUNS, CHANGES):
        response = get(path, **params)
        assert response.status_code == 400, response.content
        body = response.json()
        assert list(body) == [field]
        assert all(isinstance(text, str) for text in body[field])


@pytest.mark.parametrize("path", [RUNS, CHANGES, UPTIME, RUNS + "{id}/"])
def test_more_query_parameters_than_django_reads_is_a_json_400(
    stored: list[HeartbeatRun], path: str, settings: Any
) -> None:
    path = path.format(id=stored[0].pk)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = Client().get(f"{path}?{'&'.join(['a'] * (limit + 1))}", **AUTH)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"More than {limit} query parameters."]
    }
    at_the_limit = Client().get(f"{path}?{'&'.join(['a'] * limit)}", **AUTH)
    assert at_the_limit.status_code == 200


def test_every_bad_value_of_a_list_filter_is_named_in_one_list() -> None:
    body = get(RUNS, status=["ok", "broken", ""]).json()
    assert body == {
        "status": ['"broken" is not a valid choice.', '"" is not a valid choice.']
    }


def test_an_empty_range_is_empty_not_an_error(stored: list[HeartbeatRun]) -> None:
    assert ids(get(RUNS, since=at(20).isoformat(), until=at(10).isoformat())) == []


def test_the_cursor_walks_every_run_once(stored: list[HeartbeatRun]) -> None:
    seen: list[int] = []
    page = get(RUNS, page_size=4).json()
    assert page["previous"] is None
    seen += [r["id"] for r in page["results"]]
    while page["next"]:
        page = Client().get(page["next"], **AUTH).json()
        seen += [r["id"] for r in page["results"]]
    assert seen == [r.pk for r in reversed(stored)]
    assert get(RUNS, cursor="bz1hYmM=").status_code == 404  # base64 of "o=abc"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cursor(**tokens: str) -> str:
    """A cursor as DRF encodes one: its tokens URL-encoded, then base64."""
    return b64(urlencode(tokens))


TAMPERED = {
    "not base64": "%%%",
    "base64 of p=garbage": "cD1nYXJiYWdl",
    "an empty position": "cD0=",
    "a naive position": cursor(p="2024-05-01 10:00:00"),
    "a position at +14:00 on the first day": cursor(p="0001-01-01 00:00:00+14:00"),
    "a position at -14:00 on the last day": cursor(p="9999-12-31 23:59:59-14:00"),
    "a position past year 9999": cursor(p="99999-01-01 00:00:00+00:00"),
    "the 13th month": cursor(p="2024-13-01 00:00:00+00:00"),
    "a huge offset": cursor(o="9" * 5000),
    "a negative offset": cursor(o="-1"),
    "a reverse flag that is no number": cursor(r="yes"),
    "not ASCII": b64("p=2024-05-01 10:00:00+00:00\u00e9"),
}


@pytest.mark.parametrize("path", [RUNS, CHANGES])
@pytest.mark.parametrize("cursor", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_cursor_is_the_documented_json_404(
    stored: list[HeartbeatRun], path: str, cursor: str
) -> None:
    response = get(path, cursor=cursor)
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Invalid cursor"},
    )


def test_a_position_at_another_offset_pages_from_the_same_moment(
    stored: list[HeartbeatRun],
) -> None:
    moment = at(30).astimezone(dt.timezone(dt.timedelta(hours=14)))
    page = get(RUNS, cursor=cursor(p=str(moment)))
    assert ids(page) == [r.pk for r in reversed(stored[:3])]


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sent=st.one_of(
        st.text(max_size=40),
        st.builds(
            b64,
            st.builds(
                "&".join,
                st.lists(
                    st.builds(
                        "{}={}".format, st.sampled_from("opr"), st.text(max_size=30)
                    ),
                    max_size=3,
                ),
            ),
        ),
        st.builds(lambda p: cursor(p=p), st.text(max_size=40)),
        st.builds(lambda p: cursor(p=str(p)), st.datetimes(timezones=st.timezones())),
    )
)
def test_any_cursor_string_is_a_page_or_a_json_404(
    stored: list[HeartbeatRun], sent: str
) -> None:
    for path in (RUNS, CHANGES):
        response = get(path, cursor=sent)
        assert response.status_code in (200, 404), (sent, response.content)
        assert response["Content-Type"] == "application/json"
        if response.status_code == 404:
            assert response.json() == {"detail": "Invalid cursor"}


def test_a_page_costs_the_same_queries_and_never_counts(
    stored: list[HeartbeatRun],
) -> None:
    def queries(page_size: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert get(RUNS, page_size=page_size).status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few, more = queries(2), queries(6)
    assert len(few) == len(more) == 2  # the page, then its checks in one query
    assert not any("COUNT(" in sql.upper() for sql in few + more)


# -- status changes -------------------------------------------------------


def test_changes_name_the_host_or_the_check_that_flipped(
    stored: list[HeartbeatRun],
) -> None:
    body = get(CHANGES, host="web-2").json()
    flips = [
        (c["time"][11:19], c["check"], c["old_status"], c["new_status"])
        for c in body["results"]
    ]
    # Newest first; a host's row and its check's row share the time.
    assert sorted(flips, key=lambda f: f[0], reverse=True) == flips
    assert sorted(flips) == [
        ("10:00:20", "", "ok", "error"),
        ("10:00:20", "db", "ok", "error"),
        ("10:00:30", "", "error", "critical"),
        ("10:00:30", "db", "error", "critical"),
        ("10:00:50", "", "critical", "ok"),
        ("10:00:50", "db", "critical", "ok"),
    ]
    first_failure = next(
        c for c in body["results"] if c["check"] == "" and c["new_status"] == "error"
    )
    assert first_failure["failing_checks"] == ["db"]
    assert first_failure["previous_duration"] == 10.0
    assert first_failure["run"] == stored[2].pk


def test_change_filters(stored: list[HeartbeatRun]) -> None:
    host_level = get(CHANGES, check="", host="web-2").json()["results"]
    assert {c["check"] for c in host_level} == {""}
    errors = get(CHANGES, status="error").json()["results"]
    assert [(c["host"], c["check"]) for c in errors] == [
        ("web-2", "db"),
        ("web-2", ""),
    ][: len(errors)]
    assert {c["new_status"] for c in errors} == {"error"}
    assert (
        get(CHANGES, version="1.1", check="db").json()["results"][0]["new_status"]
        == "ok"
    )


# -- uptime -----------------------------------------------------------------


def aggregate(
    host: str, check: str, period: str, start: dt.datetime, **counts: Any
) -> None:
    HeartbeatAggregate.objects.create(
        host=host, check_name=check, period=period, start=start, **counts
    )


@pytest.fixture
def buckets() -> dt.datetime:
    """Hour and day aggregates around ``now``, which the fixture returns."""
    now = dt.datetime(2026, 3, 10, 12, 30, tzinfo=dt.timezone.utc)
    hour = now.replace(minute=0)
    day = hour.replace(hour=0)
    aggregate(
        "web-1",
        "db",
        "hour",
        hour,
        runs=10,
        ok=8,
        error=2,
        ms_5=9,
        ms_100=1,
        failing_seconds=60.0,
        duration_total_ms=130.0,
        duration_max_ms=80.0,
    )
    aggregate(
        "web-1",
        "db",
        "hour",
        hour - dt.timedelta(hours=1),
        runs=10,
        ok=10,
        ms_5=10,
        duration_total_ms=40.0,
        duration_max_ms=4.5,
    )
    aggregate(
        "web-2",
        "db",
        "hour",
        hour,
        runs=5,
        critical=5,
        ms_over=5,
        failing_seconds=300.0,
        duration_total_ms=30000.0,
        duration_max_ms=6000.0,
    )
    # Two days ago: outside 24 h, inside 7 d.
    aggregate(
        "web-1", "db", "hour", hour - dt.timedelta(hours=48), runs=99, ok=99, ms_1=99
    )
    aggregate("web-1", "db", "day", day, runs=20, ok=18, error=2, ms_5=19, ms_100=1)
    aggregate("web-1", "db", "day", day - dt.timedelta(days=2), runs=99, ok=99, ms_1=99)
    aggregate(
        "web-1", "db", "day", day - dt.timedelta(days=20), runs=1, error=1, ms_1=1
    )
    return now


def uptime(now: dt.datetime, **params: Any) -> dict[str, Any]:
    response = get(UPTIME, until=now.isoformat(), **params)
    assert response.status_code == 200, response.content
    return response.json()


def test_uptime_over_24_hours_sums_the_hour_buckets(buckets: dt.datetime) -> None:
    body = uptime(buckets)
    assert body["period"] == "hour"
    assert body["since"] == "2026-03-09T12:00:00Z"
    rows = {row["host"]: row for row in body["results"]}
    assert rows["web-1"] == {
        "host": "web-1",
        "check": "db",
        "runs": 20,
        "ok": 18,
        "info": 0,
        "warning": 0,
        "error": 2,
        "critical": 0,
        "uptime": 90.0,
        "failing_seconds": 60.0,
        "mean_ms": 8.5,
        "p50_ms": percentile({"ms_5": 19, "ms_100": 1}, 0.5),
        "p95_ms": percentile({"ms_5": 19, "ms_100": 1}, 0.95),
        "max_ms": 80.0,
    }
    assert rows["web-2"]["uptime"] == 0.0
    assert rows["web-2"]["p95_ms"] == 5000.0  # the open bucket answers its lower edge


def test_uptime_over_days_sums_the_day_buckets(buckets: dt.datetime) -> None:
    week = uptime(buckets, range="7d")
    assert week["period"] == "day"
    assert [(r["host"], r["runs"], r["uptime"]) for r in week["results"]] == [
        ("web-1", 119, round(100 * 117 / 119, 3))
    ]
    month = uptime(buckets, range="30d")
    assert month["results"][0]["runs"] == 120


def test_uptime_by_check_adds_up_the_hosts(buckets: dt.datetime) -> None:
    rows = uptime(buckets, by="check")["results"]
    assert [
        (r["host"], r["check"], r["runs"], r["error"], r["critical"]) for r in rows
    ] == [(None, "db", 25, 2, 5)]


def test_uptime_custom_range_and_filters(buckets: dt.datetime) -> None:
    since = (buckets - dt.timedelta(minutes=90)).isoformat()
    body = uptime(buckets, since=since, host="web-1")
    assert body["since"] == "2026-03-10T11:00:00Z"  # rounded down to the hour
    assert [r["runs"] for r in body["results"]] == [20]
    assert uptime(buckets, check="cache")["results"] == []


def test_uptime_with_nothing_recorded_is_empty_not_an_error() -> None:
    body = get(UPTIME, range="30d").json()
    assert body["results"] == [] and body["period"] == "day"
    assert get(UPTIME, range="1y").status_code == 400


def test_recorded_runs_reach_the_uptime_rows(stored: list[HeartbeatRun]) -> None:
    body = uptime(T0 + dt.timedelta(hours=1), since=T0.isoformat(), check="")
    rows = {row["host"]: row for row in body["results"]}
    assert (
        rows["web-2"]["runs"],
        rows["web-2"]["error"],
        rows["web-2"]["critical"],
    ) == (4, 1, 1)
    assert rows["web-2"]["uptime"] == 50.0
    assert rows["web-1"]["uptime"] == 100.0
