"""The OpenAPI schema: a golden file, valid by drf-spectacular's own checks and
by openapi-spec-validator, and true to the bodies the endpoints really send.

After a deliberate schema change, rewrite the golden file with
``DOCKERFLOW_UPDATE_GOLDEN=1 pytest tests/django/test_schema.py`` and review it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client, override_settings
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from dockerflow.django import history

from .history_helpers import run

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("openapi.yaml")
TOKEN = "schema-test-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def generate(tmp_path: Path) -> str:
    """The example project's schema, as ``manage.py spectacular`` writes it."""
    out = tmp_path / "schema.yaml"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="example_project.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        REDIS_URL="",
    )
    command = ["manage.py", "spectacular", "--validate", "--fail-on-warn"]
    done = subprocess.run(
        [sys.executable, *command, "--file", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # --fail-on-warn: any warning or error from the generator fails the command.
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_text()


def test_schema_matches_the_golden_file(tmp_path: Path) -> None:
    generated = generate(tmp_path)
    if os.environ.get("DOCKERFLOW_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(generated)
    assert generated == GOLDEN.read_text(), (
        "The schema changed; if that was meant, rerun with DOCKERFLOW_UPDATE_GOLDEN=1 "
        "and review the diff of tests/django/openapi.yaml."
    )


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(GOLDEN.read_text())


def test_golden_file_is_a_valid_openapi_document(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.0")
    validate(spec)  # raises on any violation of the OpenAPI 3.0 specification


def test_the_three_endpoints_and_the_history_are_in_it(spec: dict[str, Any]) -> None:
    operations = {path: sorted(spec["paths"][path]) for path in sorted(spec["paths"])}
    assert operations == {
        "/__heartbeat__": ["get"],
        "/__lbheartbeat__": ["get"],
        "/__version__": ["get"],
        "/dockerflow/history/": ["get"],
        "/dockerflow/history/changes/": ["get"],
        "/dockerflow/history/deliveries/": ["get"],
        "/dockerflow/history/runs/": ["get"],
        "/dockerflow/history/runs/{id}/": ["get"],
        "/dockerflow/history/uptime/": ["get"],
    }
    heartbeat = spec["paths"]["/__heartbeat__"]["get"]["responses"]
    assert sorted(heartbeat) == ["200", "5XX"]
    assert sorted(spec["paths"]["/__version__"]["get"]["responses"]) == [
        "200",
        "404",
        "500",
    ]


def conforms(spec: dict[str, Any], path: str, response: Any) -> None:
    """Assert that ``response`` is one the schema documents for ``path``."""
    responses = spec["paths"][path]["get"]["responses"]
    code = str(response.status_code)
    documented = responses.get(code) or responses.get(f"{code[0]}XX")
    assert documented is not None, f"{path} answered {code}, not documented"
    schema = documented["content"]["application/json"]["schema"]
    validator = OAS30Validator({"components": spec["components"], "allOf": [schema]})
    errors = [e.message for e in validator.iter_errors(response.json())]
    assert errors == [], (path, code, response.json())


@pytest.mark.django_db
@override_settings(
    ROOT_URLCONF="tests.django.urls_api",
    DOCKERFLOW_HEARTBEAT_TOKEN=TOKEN,
    DOCKERFLOW_CHECKS=["tests.django.checks.passing", "tests.django.checks.warning"],
)
def test_real_endpoint_bodies_match_the_schema(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    client = Client()
    for headers in ({}, AUTH):  # the anonymous and the detailed forms
        conforms(spec, "/__heartbeat__", client.get("/__heartbeat__", **headers))
        with override_settings(DOCKERFLOW_CHECKS=["tests.django.checks.error"]):
            failed = client.get("/__heartbeat__", **headers)
            assert failed.status_code == 500
            conforms(spec, "/__heartbeat__", failed)
        with override_settings(
            DOCKERFLOW_CHECKS=["tests.django.checks.critical"],
            DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=503,
        ):
            conforms(spec, "/__heartbeat__", client.get("/__heartbeat__", **headers))
    detailed = client.get("/__heartbeat__", **AUTH).json()
    assert set(detailed) > {"status"}  # the detailed form was the one checked
    conforms(spec, "/__lbheartbeat__", client.get("/__lbheartbeat__"))
    conforms(spec, "/__version__", client.get("/__version__"))
    with override_settings(BASE_DIR=tmp_path):
        missing = client.get("/__version__")
        assert missing.status_code == 404
        conforms(spec, "/__version__", missing)
        (tmp_path / "version.json").write_text("{not json")
        invalid = client.get("/__version__")
        assert invalid.status_code == 500
        conforms(spec, "/__version__", invalid)


@pytest.mark.django_db
@override_settings(
    ROOT_URLCONF="tests.django.urls_api",
    DOCKERFLOW_HEARTBEAT_TOKEN=TOKEN,
    DOCKERFLOW_HISTORY="all",
    DOCKERFLOW_HISTORY_FLUSH_SECONDS=0,
)
def test_real_history_bodies_match_the_schema(spec: dict[str, Any]) -> None:
    for seconds, statuses in enumerate(({}, {"db": "error"}, {"cache": "warning"})):
        stored = history.record(run(seconds, **statuses), source="command")
    assert stored is not None
    client = Client()
    prefix = "/dockerflow/history"
    conforms(spec, f"{prefix}/runs/", client.get(f"{prefix}/runs/", **AUTH))
    one = client.get(f"{prefix}/runs/{stored.pk}/", **AUTH)
    conforms(spec, "/dockerflow/history/runs/{id}/", one)
    changes = client.get(f"{prefix}/changes/", **AUTH)
    assert len(changes.json()["results"]) >= 2
    conforms(spec, f"{prefix}/changes/", changes)
    until = (dt.datetime(2026, 3, 5, tzinfo=dt.timezone.utc)).isoformat()
    uptime = client.get(f"{prefix}/uptime/", {"until": until}, **AUTH)
    assert uptime.json()["results"]
    conforms(spec, f"{prefix}/uptime/", uptime)
    for path in ("/runs/", "/changes/", "/uptime/"):
        conforms(spec, f"{prefix}{path}", client.get(f"{prefix}{path}"))  # 401
        bad = client.get(f"{prefix}{path}", {"since": "soon"}, **AUTH)
        assert bad.status_code == 400
        conforms(spec, f"{prefix}{path}", bad)


def test_any_project_including_the_api_gets_the_same_schema(
    spec: dict[str, Any],
) -> None:
    # In this process, with the test project's settings (no SPECTACULAR or
    # REST_FRAMEWORK settings at all): the same paths and components.
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    generator = SchemaGenerator(urlconf="tests.django.urls_api")
    schema = generator.get_schema(request=None, public=True)
    generated = yaml.safe_load(OpenApiYamlRenderer().render(schema))
    assert generated["paths"] == spec["paths"]
    assert generated["components"] == spec["components"]


@pytest.mark.django_db
@override_settings(
    ROOT_URLCONF="tests.django.urls_api", DOCKERFLOW_HEARTBEAT_TOKEN=TOKEN
)
def test_real_delivery_bodies_match_the_schema(spec: dict[str, Any]) -> None:
    from . import deliveries_data

    with deliveries_data.webhooks():
        deliveries_data.seed(hosts=("web-1",))
    path = "/dockerflow/history/deliveries/"
    client = Client()
    page = client.get(path, **AUTH)
    states = {row["state"] for row in page.json()["results"]}
    assert states == {"pending", "delivered", "failed"}
    conforms(spec, path, page)
    conforms(spec, path, client.get(path))  # 401
    bad = client.get(path, {"state": "soon"}, **AUTH)
    assert bad.status_code == 400
    conforms(spec, path, bad)
    tampered = client.get(path, {"cursor": "%%%"}, **AUTH)
    assert tampered.status_code == 404
    conforms(spec, path, tampered)
