"""The heartbeat history admin in a real browser: Debian's chromium driven by Playwright.

The example project runs under gunicorn with a seeded history; the browser
logs in, reads the heatmap, filters, opens a run, and keeps screenshots.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, Server
from tests.e2e.test_django_e2e import manage, prepare, project_env, running

pytestmark = pytest.mark.e2e

#: Installed by ``make browser``; Playwright never downloads a browser here.
CHROMIUM = Path(os.environ.get("DOCKERFLOW_TEST_CHROMIUM", "/usr/bin/chromium"))
#: Where the screenshots are kept after the run, for people and CI to look at.
ARTIFACTS = Path(
    os.environ.get("DOCKERFLOW_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts")
)
LIST = "/admin/dockerflow/heartbeatrun/"
PASSWORD = "operator-pw"

SEED_SCRIPT = f"""
from django.contrib.auth.models import Permission, User
from tests.django.history_data import seed

seed()
user = User.objects.create_user("operator", password={PASSWORD!r}, is_staff=True)
user.user_permissions.set(
    Permission.objects.filter(codename__in=["view_heartbeatrun", "view_statuschange"])
)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    env = project_env(tmp_path_factory.mktemp("browser"))
    prepare(env)
    done = manage(env, "shell", "-c", SEED_SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    with running("gunicorn", env) as server:
        yield server


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


def test_an_operator_reads_the_history_in_the_admin(
    server: Server, page: object
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    base = f"http://127.0.0.1:{server.port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{base}/admin/login/?next={LIST}")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{base}{LIST}")

    # The picture: a cell per host and hour, the "now" line, the deploy.
    heatmap = page.locator("svg.dockerflow-heatmap")
    expect(heatmap).to_be_visible()
    expect(heatmap.locator("g.row")).to_have_count(4)
    expect(heatmap.locator("g.cell")).to_have_count(4 * 24)
    expect(heatmap.locator("text.now")).to_have_text("1 of 4 hosts failing · 1 missing")
    expect(heatmap.locator("g.deploy")).to_have_count(1)
    box = heatmap.locator("g.cell").first.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10  # drawn
    expect(page.locator("table.dockerflow-checks tbody tr")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / "admin-history.png"))

    # Filter to failures: every badge left is error or critical.
    page.get_by_role("link", name="failing (error or worse)").click()
    expect(page).to_have_url(re.compile(r"status=failing"))
    badges = page.locator("#result_list .dockerflow-badge")
    assert badges.count() > 0
    assert set(badges.evaluate_all("els => els.map(e => e.dataset.status)")) <= {
        "error",
        "critical",
    }

    # A run's detail page lists its checks.
    page.locator("#result_list tbody tr th a").first.click()
    expect(page.locator("#dockerflow-checks tr.check")).to_have_count(3)
    expect(
        page.locator("#dockerflow-checks .dockerflow-badge[data-status=critical]")
    ).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "admin-history-run.png"), full_page=True)

    # A failing cell of web-2 opens the list filtered to that host and hour.
    page.goto(f"{base}{LIST}")
    cell = page.locator(
        "svg.dockerflow-heatmap g.row[data-label='web-2'] a:has(g.cell[data-status='error'])"
    )
    cell.first.click()
    expect(page).to_have_url(re.compile(r"host=web-2&time__gte=.+&time__lt="))
    hosts = page.locator("#result_list td.field-host").all_inner_texts()
    assert hosts and set(hosts) == {"web-2"}
    assert 1 <= len(hosts) <= 4  # one run every 15 minutes
