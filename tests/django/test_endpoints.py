"""The three endpoints as a client sees them: bodies, statuses, methods, headers.

Also the probes' special cases: served by the middleware before host and
redirect checks, and /__lbheartbeat__ costing no query.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

ENDPOINTS = ("/__version__", "/__heartbeat__", "/__lbheartbeat__")
VERSION = json.loads((Path(__file__).parent / "version.json").read_text())
MIDDLEWARE_LAST = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dockerflow.django.middleware.DockerflowMiddleware",
]

pytestmark = pytest.mark.django_db


def test_version_serves_version_json(client: Client) -> None:
    response = client.get("/__version__")
    assert response.status_code == 200
    assert response.json() == VERSION


def test_version_missing_file_is_404(client: Client, tmp_path: Path) -> None:
    with override_settings(BASE_DIR=tmp_path):
        response = client.get("/__version__")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "version.json not found",
        "path": str(tmp_path / "version.json"),
    }


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_version_invalid_file_is_json_500(
    client: Client, tmp_path: Path, content: str
) -> None:
    (tmp_path / "version.json").write_text(content)
    with override_settings(BASE_DIR=str(tmp_path)):
        response = client.get("/__version__")
    assert response.status_code == 500
    assert response.json()["error"] == "version.json is invalid"


def test_version_without_base_dir_is_json_500(client: Client) -> None:
    with override_settings(BASE_DIR=None):
        response = client.get("/__version__")
    assert response.status_code == 500
    assert "BASE_DIR" in response.json()["detail"]


def custom_version(base_dir: str) -> dict[str, str]:
    return {"version": "custom", "base_dir": str(base_dir)}


def test_version_callback_is_resolved_per_request(client: Client) -> None:
    callback = f"{__name__}.custom_version"
    with override_settings(DOCKERFLOW_VERSION_CALLBACK=callback):
        response = client.get("/__version__")
    assert response.json() == {
        "version": "custom",
        "base_dir": str(Path(__file__).parent),
    }


def test_lbheartbeat_is_200_and_costs_no_query(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/__lbheartbeat__")
    assert response.status_code == 200
    assert response.json() == {}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("slash", ["", "/"])
def test_with_and_without_trailing_slash(client: Client, path: str, slash: str) -> None:
    response = client.get(path + slash)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_head_gives_status_and_no_body(client: Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert get.content != b""
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_other_methods_get_405(client: Client, path: str, method: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_other_methods_get_405_through_urls_too(client: Client, path: str) -> None:
    # With the middleware last the URL views answer, behind CSRF protection.
    with override_settings(
        MIDDLEWARE=[*MIDDLEWARE_LAST, "django.middleware.csrf.CsrfViewMiddleware"]
    ):
        response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 405


def test_urls_are_named_in_the_namespace() -> None:
    assert reverse("dockerflow:version") == "/__version__"
    assert reverse("dockerflow:heartbeat") == "/__heartbeat__"
    assert reverse("dockerflow:lbheartbeat") == "/__lbheartbeat__"


@override_settings(ROOT_URLCONF="tests.django.urls_seed", MIDDLEWARE=MIDDLEWARE_LAST)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_seed_era_include_serves_the_endpoints(path: str) -> None:
    assert Client().get(path).status_code == 200
    assert reverse("dockerflow:heartbeat") == "/__heartbeat__"


@override_settings(ROOT_URLCONF="tests.django.urls_empty")
@pytest.mark.parametrize("path", ENDPOINTS)
def test_middleware_first_serves_endpoints_without_urls(path: str) -> None:
    assert Client().get(path).status_code == 200


@override_settings(ROOT_URLCONF="tests.django.urls_empty", MIDDLEWARE=MIDDLEWARE_LAST)
def test_middleware_not_first_still_serves_the_endpoints() -> None:
    """As python-dockerflow's does: no URL include needed, wherever it stands."""
    assert Client().get("/__lbheartbeat__").status_code == 200


@override_settings(
    ALLOWED_HOSTS=["www.example.com"], SECURE_SSL_REDIRECT=True, APPEND_SLASH=True
)
@pytest.mark.parametrize("path", ENDPOINTS)
def test_probe_by_ip_is_not_redirected_or_rejected(path: str) -> None:
    client = Client(HTTP_HOST="10.0.0.7:8000")
    response = client.get(path)
    assert response.status_code == 200
    # The same settings do reject and redirect the project's own pages.
    assert client.get("/hello").status_code == 400
    allowed = Client(HTTP_HOST="www.example.com").get("/hello")
    assert allowed.status_code == 301
    assert allowed["Location"].startswith("https://")
