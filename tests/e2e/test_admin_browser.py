"""The heartbeat history admin in a real browser: Debian's chromium driven by Playwright.

The example project runs under gunicorn with a fleet's history (seven hosts,
two gone quiet, one critical when it did, a flapping check, a run every five
minutes for a day). Every page of the history is read in light and dark, by
the system's preference and by the admin's theme toggle, on a desktop and
on a phone: text contrast measured in the page, axe's serious violations,
what is in view, and no request leaving the site. Screenshots are kept.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e import browser
from tests.e2e.django_project import manage, prepare, project_env, running
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

LIST = "/admin/dockerflow/heartbeatrun/"
CHANGES = "/admin/dockerflow/statuschange/"
DELIVERIES = "/admin/dockerflow/delivery/"
PASSWORD = "operator-pw"
#: web-4 quiet for 3 hours and healthy then; web-6 quiet for 2, critical.
SEED_SCRIPT = f"""
from datetime import timedelta
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from dockerflow.django.models import Delivery, HeartbeatRun, StatusChange
from tests.django import history_data as data

now = timezone.now()
pod = "worker-7f9c8d6b5-x2k4q"
data.seed(
    now=now,
    hosts=(*data.HOSTS, "web-5", "web-6", pod),
    every=timedelta(minutes=5),
    episodes=(
        *data.EPISODES,
        data.Episode("web-6", "check_database_connected", "critical", since=2.5),
        data.Episode(pod, "check_redis_connected", "error", since=6, until=5),
        data.Episode(pod, "check_database_connected", "error", since=5.5, until=5),
    ),
    missing={{data.MISSING_HOST: data.MISSING_FOR, "web-6": 2}},
)
data.flap("web-5", "check_redis_connected", 24, now - timedelta(hours=8), timedelta(minutes=3))
user = User.objects.create_user("operator", password={PASSWORD!r}, is_staff=True)
user.user_permissions.set(
    Permission.objects.filter(
        codename__in=["view_heartbeatrun", "view_statuschange", "view_delivery"]
    )
)
# Deliveries of every change to two webhooks, in each state and colour.
error = "URLError: [Errno 111] Connection refused by hooks.example.internal"
states = [
    dict(state="delivered", attempts=1, last_status=200, delivered_at=now),
    dict(state="pending", attempts=3, last_error=error, next_try=now + timedelta(minutes=4)),
    dict(state="failed", attempts=12, last_status=503, last_error="HTTP 503 Service Unavailable"),
    dict(state="pending"),
]
Delivery.objects.bulk_create(
    Delivery(
        change=c, webhook=hook, host=c.host, check_name=c.check_name,
        body='{{"text": "%s %s: %s to %s"}}' % (c.host, c.check_name, c.old_status, c.new_status),
        created=c.time, **{{"next_try": c.time, **states[(n + i) % len(states)]}},
    )
    for n, c in enumerate(StatusChange.objects.order_by("time"))
    for i, hook in enumerate(("ops-pager", "team-chat.slack"))
)
# A run in which two checks failed at once.
run = HeartbeatRun.objects.filter(
    host=pod, time__gte=now - timedelta(hours=5.4), time__lt=now - timedelta(hours=5)
).first()
print("IDS", run.pk, StatusChange.objects.filter(host="web-6").first().pk,
      HeartbeatRun.objects.count(), Delivery.objects.filter(state="pending").first().pk,
      Delivery.objects.count())
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not browser.CHROMIUM.exists():
        pytest.fail(f"{browser.CHROMIUM} is missing: `make browser` installs it")
    env = project_env(tmp_path_factory.mktemp("browser"))
    prepare(env)
    done = manage(env, "shell", "-c", SEED_SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    ids = next(
        line.split()[1:] for line in done.stdout.splitlines() if line.startswith("IDS")
    )
    run, change, runs, delivery, deliveries = (int(n) for n in ids)
    with running("gunicorn", env) as server:
        yield {
            "server": server,
            "run": run,
            "change": change,
            "runs": runs,
            "delivery": delivery,
            "deliveries": deliveries,
        }


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(browser.CHROMIUM), headless=True, args=browser.ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts() -> Any:
    browser.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {browser.ARTIFACTS}")
    return browser.ARTIFACTS


def base(site: dict[str, Any]) -> str:
    server: Server = site["server"]
    return f"http://127.0.0.1:{server.port}"


def log_in(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{base(site)}/admin/login/?next={LIST}")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base(site)}{LIST}")


#: The pages the admin's theme toggle is tried on: one of each kind.
TOGGLED = ("runs", "run", "changes", "deliveries")


def pages(site: dict[str, Any], theme: str) -> dict[str, str]:
    run, change = site["run"], site["change"]
    every = {
        "runs": LIST,
        "runs-by-check": f"{LIST}?rows=checks",
        "runs-failing": f"{LIST}?status=failing",
        "run": f"{LIST}{run}/change/",
        "run-history": f"{LIST}{run}/history/",
        "changes": CHANGES,
        "changes-every": f"{CHANGES}?flaps=every",
        "change": f"{CHANGES}{change}/change/",
        "change-history": f"{CHANGES}{change}/history/",
        "deliveries": DELIVERIES,
        "delivery": f"{DELIVERIES}{site['delivery']}/change/",
    }
    if theme.startswith("toggle-"):
        return {name: every[name] for name in TOGGLED}
    return every


@pytest.mark.parametrize("viewport", browser.VIEWPORTS)
@pytest.mark.parametrize("theme", browser.THEMES)
def test_every_history_page_reads_in_each_theme_and_screen(
    chromium: Any, site: dict[str, Any], artifacts: Any, theme: str, viewport: str
) -> None:
    started = time.monotonic()
    context = browser.open_context(chromium, theme, viewport)
    axe = browser.axe_script()
    try:
        page = context.new_page()
        log_in(page, site)
        problems: list[str] = []
        for name, path in pages(site, theme).items():
            page.goto(f"{base(site)}{path}")
            # The admin's own body colour says which theme is drawn.
            body = page.evaluate(
                "() => getComputedStyle(document.body).backgroundColor"
            )
            assert body == browser.BODY[theme], (name, body)
            problems += browser.problems(page, name, viewport, axe)
            shot = artifacts / f"{theme}-{viewport}-{name}.png"
            page.screenshot(path=str(shot), full_page=not theme.startswith("toggle-"))
            if (theme, viewport, name) == ("light", "desktop", "runs"):
                # The picture of docs/history-admin.rst.
                page.screenshot(path=str(artifacts / "admin-history.png"))
        assert not problems, "\n".join(problems)
        assert not browser.strangers(context, base(site))
    finally:
        context.close()
    print(f"{theme} {viewport}: {time.monotonic() - started:.1f} s")


def test_on_a_phone_the_newest_hour_the_host_names_and_the_status_are_in_view(
    chromium: Any, site: dict[str, Any], artifacts: Any
) -> None:
    context = browser.open_context(chromium, "light", "phone")
    try:
        page = context.new_page()
        log_in(page, site)
        width = browser.PHONE["width"]
        hours = page.locator(".dockerflow-grid tr.hours th")
        newest = hours.last.bounding_box()
        assert newest is not None and newest["x"] + newest["width"] <= width
        for host in page.locator(".dockerflow-grid tbody th").all():
            box = host.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] < width
        # The oldest hour is out of view to the left, a swipe away.
        oldest = hours.nth(1).bounding_box()
        assert (oldest is not None and oldest["x"] + oldest["width"] <= 0) or (
            oldest is not None and oldest["x"] < 0
        )
        page.screenshot(path=str(artifacts / "phone-runs-in-view.png"))
        for path, column in (
            (LIST, "status_badge"),
            (CHANGES, "change"),
            (DELIVERIES, "state_badge"),
        ):
            page.goto(f"{base(site)}{path}")
            status = page.locator(
                f"#result_list td.field-{column}"
            ).first.bounding_box()
            assert status is not None and status["x"] + status["width"] <= width, path
    finally:
        context.close()


def test_every_page_of_each_list_fits_a_desktop_screen(
    chromium: Any, site: dict[str, Any]
) -> None:
    context = browser.open_context(chromium, "light", "desktop")
    try:
        page = context.new_page()
        log_in(page, site)
        clipped = []
        pages = -(-site["runs"] // 50)
        assert pages >= 28  # as many pages as the fleet that reported it
        lists = [
            (LIST, pages),
            (f"{CHANGES}?flaps=every", 3),
            (DELIVERIES, -(-site["deliveries"] // 50)),
        ]
        for path, count in lists:
            for number in range(1, count + 1):
                page.goto(f"{base(site)}{path}{'&' if '?' in path else '?'}p={number}")
                for selector in (".results", ".dockerflow-wide", ".dockerflow-scroll"):
                    clipped += [
                        (path, number, o) for o in browser.overflow(page, selector)
                    ]
        assert not clipped
    finally:
        context.close()


def test_the_heatmap_is_a_table_with_a_legend_a_skip_link_and_cell_details(
    chromium: Any, site: dict[str, Any], artifacts: Any
) -> None:
    from playwright.sync_api import expect

    context = browser.open_context(chromium, "light", "desktop")
    try:
        page = context.new_page()
        log_in(page, site)
        grid = page.get_by_role("table", name=re.compile("Heartbeats of 7 hosts"))
        expect(grid.locator("tbody tr")).to_have_count(7)
        expect(grid.locator("tbody td.cell")).to_have_count(7 * 24)
        expect(page.locator(".dockerflow-legend li")).to_have_count(9)
        now = page.locator(".dockerflow-now")
        expect(now).to_have_text("1 of 7 hosts failing · 2 missing")
        alarm = page.evaluate(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--error-fg')"
        )
        assert now.evaluate("e => getComputedStyle(e).color") == browser.hex_to_rgb(
            alarm
        )
        missing = page.locator(".dockerflow-missing tbody tr")
        expect(missing).to_have_count(2)
        expect(page.locator(".dockerflow-missing tr[data-host=web-6]")).to_contain_text(
            "critical"
        )
        # Hovering a cell, or reaching it by keyboard, shows what it holds.
        cell = grid.locator("tr[data-label=web-2] td[data-status=error] a").first
        cell.hover()
        tip = cell.locator(".tip")
        expect(tip).to_be_visible()
        expect(tip).to_contain_text(
            re.compile(r"web-2 · \d\d:00 to \d\d:00 UTC · error")
        )
        box = tip.bounding_box()
        assert box is not None and box["width"] > 100
        page.screenshot(path=str(artifacts / "desktop-runs-tip.png"))
        # From the top of the page, the skip link is reached in a few Tab
        # presses, and one more goes past the whole grid.
        page.goto(f"{base(site)}{LIST}")
        presses = 0
        while (
            page.evaluate("() => document.activeElement.className") != "dockerflow-skip"
        ):
            page.keyboard.press("Tab")
            presses += 1
            assert presses < 30, "no skip link in reach"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.closest('table')?.className"
        )
        assert focused == "dockerflow-checks", focused
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/api/schema/redoc/", "/api/schema/swagger/"])
def test_the_root_page_and_the_api_docs_load_nothing_from_elsewhere(
    chromium: Any, site: dict[str, Any], artifacts: Any, path: str
) -> None:
    context = browser.open_context(chromium, "light", "phone")
    try:
        page = context.new_page()
        page.goto(f"{base(site)}{path}", wait_until="networkidle")
        assert page.locator("meta[name=viewport]").count() == 1
        assert page.locator("link[rel=icon]").count() >= 1
        if path == "/api/schema/redoc/":
            page.get_by_text("Dockerflow example project").first.wait_for()
        if path == "/api/schema/swagger/":
            page.locator(".swagger-ui .info").wait_for()
        if path == "/":
            for name in ("ReDoc", "Swagger UI", "the schema itself"):
                link = page.get_by_role("link", name=name)
                assert base(site) in link.evaluate("a => a.href")
            assert browser.axe_violations(page, browser.axe_script()) == []
        page.wait_for_load_state("networkidle")
        name = path.strip("/").replace("/", "-") or "root"
        page.screenshot(path=str(artifacts / f"phone-{name}.png"))
        assert not browser.strangers(context, base(site))
        icons = [u for u in context.requests if "favicon" in u]
        assert icons and all(u.startswith(f"{base(site)}/static/") for u in icons)
    finally:
        context.close()
