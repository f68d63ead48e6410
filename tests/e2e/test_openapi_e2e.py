"""schemathesis against the example project under gunicorn, and Swagger UI and
ReDoc served from the project's own static files.

schemathesis reads the live schema, generates requests for every operation
(with the bearer token, then without) and checks each response against it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.django_project import LOGGER_NAME, TOKEN, manage, project_env
from tests.e2e.server import BIN, Server, serve
from tests.services import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated project with stored runs and a status change to serve."""
    env = project_env(tmp_path_factory.mktemp("openapi"))
    for args in (
        ("migrate", "--noinput", "-v", "0"),
        # Before collectstatic the static manifest check warns: one run...
        ("dockerflow_check", "--record"),
        ("collectstatic", "--noinput", "-v", "0"),
        # ...and after it the host is ok again: a second run and a change.
        ("dockerflow_check", "--record"),
    ):
        done = manage(env, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    return env


@pytest.fixture(scope="module")
def server(project: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    command = [str(BIN / "gunicorn"), "example_project.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket"]
    # schemathesis sends URLs longer than gunicorn's 4094-byte request line;
    # the limit belongs to the server (or the proxy in front), not the API.
    command += ["--limit-request-line", "0"]
    logs = Path(project["DJANGO_STATIC_ROOT"]).parent / "logs"
    with serve(command, port, logs, LOGGER_NAME, env=project) as server:
        yield server


def schemathesis(server: Server, tmp_path: Path, *options: str) -> str:
    command = [str(BIN / "schemathesis"), "run"]
    command += [f"http://127.0.0.1:{server.port}/api/schema/", "--checks", "all"]
    command += ["--workers", "1", "--report-dir", str(tmp_path), *options]
    # A fixed seed, so a run reproduces (and CI can't fail by the dice);
    # DOCKERFLOW_TEST_SCHEMATHESIS_SEED explores other cases.
    command += ["--seed", os.environ.get("DOCKERFLOW_TEST_SCHEMATHESIS_SEED", "8")]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=540
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Failures:" not in output, output
    return output


def test_history_exists_to_be_fuzzed(server: Server) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    runs = server.request("/dockerflow/history/runs/", headers=auth)
    changes = server.request("/dockerflow/history/changes/", headers=auth)
    assert runs.status == changes.status == 200
    assert runs.body.count(b'"source":"command"') == 2
    assert b'"old_status":"warning","new_status":"ok"' in changes.body


def test_schemathesis_finds_nothing_with_the_token(
    server: Server, tmp_path: Path
) -> None:
    output = schemathesis(
        server,
        tmp_path,
        "--header",
        f"Authorization: Bearer {TOKEN}",
        "--max-examples",
        "25",
    )
    assert "9 selected / 9 total" in output
    assert "No issues found" in output, output


def test_schemathesis_finds_nothing_without_credentials(
    server: Server, tmp_path: Path
) -> None:
    output = schemathesis(server, tmp_path, "--max-examples", "10")
    # Every history operation refused the stranger, as documented.
    assert "5 operations returned only 401/403 responses" in output, output


@pytest.mark.parametrize(
    ("page", "asset"),
    [("/api/schema/swagger/", "swagger-ui-bundle"), ("/api/schema/redoc/", "redoc")],
)
def test_docs_pages_load_their_assets_from_this_site(
    server: Server, page: str, asset: str
) -> None:
    got = server.request(page)
    assert got.status == 200
    html = got.body.decode()
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, html
    assert not [link for link in links if "//" in link], "an asset from elsewhere"
    scripts = [link for link in links if link.endswith(".js")]
    assert any(asset in link for link in scripts), scripts
    assert all(s.startswith("/static/drf_spectacular_sidecar/") for s in scripts)
    for link in links:
        assert link.startswith("/static/"), link
        assert server.request(link).status == 200, link


def test_the_redoc_page_lets_the_browser_load_from_this_site_only(
    server: Server,
) -> None:
    # ReDoc's bundle asks a CDN for Redocly's logo on every load; this policy
    # stops the browser from sending it (the browser suite watches that).
    got = server.request("/api/schema/redoc/")
    assert got.status == 200
    policy = dict(
        part.strip().split(" ", 1)
        for part in got.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    others = {"'self'", "data:", "blob:", "'unsafe-inline'"}
    assert all(set(sources.split()) <= others for sources in policy.values()), policy
