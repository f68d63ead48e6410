"""The system checks of how a project is set up: python-dockerflow's files
beside ours (W040) and a request.summary logger with no handler (W041), and
``check --deploy`` reporting each failing check once.

W040 in a real virtualenv, python-dockerflow installed and then ours, is in
tests/test_packaging.py, beside the wheel it installs.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockerflow.django import setup_checks
from tests.services import refused_port

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SETTINGS = """
SECRET_KEY = "not-secret"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "dockerflow.django"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
BASE_DIR = %r
"""


def project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "version.json").write_text("{}")
    (tmp_path / "project_settings.py").write_text(SETTINGS % str(tmp_path) + extra)
    return tmp_path


# -- W041: request.summary reaches no handler ---------------------------------


def test_a_project_without_logging_is_told_to_use_mozlog_config(tmp_path: Path) -> None:
    done = manage("check", "--settings=project_settings", cwd=project(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "(dockerflow.W041) The 'request.summary' logger reaches no handler" in (
        done.stderr
    )
    assert "HINT: Set LOGGING = mozlog_config('your-service')" in done.stderr


def test_a_project_with_mozlog_config_hears_nothing(tmp_path: Path) -> None:
    extra = (
        'from dockerflow.logging import mozlog_config\nLOGGING = mozlog_config("t")\n'
    )
    done = manage("check", "--settings=project_settings", cwd=project(tmp_path, extra))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout, done.stderr


@pytest.fixture
def logger() -> logging.Logger:
    """b under a, under the root: made by hand, so that no logging fixture
    of the suite finds them in the logging manager and adds its handlers."""
    parent, child = logging.Logger("a"), logging.Logger("b", logging.INFO)
    parent.parent, child.parent = logging.getLogger(), parent
    parent.propagate = False
    return child


def test_a_handler_above_or_beside_the_logger_is_reached(
    logger: logging.Logger,
) -> None:
    assert not setup_checks.reaches_a_handler(logger, logging.INFO)
    assert logger.parent is not None
    logger.parent.addHandler(logging.NullHandler())
    assert setup_checks.reaches_a_handler(logger, logging.INFO)


def test_a_handler_past_propagate_false_is_not_reached(logger: logging.Logger) -> None:
    logging.getLogger().addHandler(handler := logging.NullHandler())
    try:
        assert not setup_checks.reaches_a_handler(logger, logging.INFO)
    finally:
        logging.getLogger().removeHandler(handler)


def test_a_handler_above_info_reaches_nothing(logger: logging.Logger) -> None:
    logger.addHandler(warnings_only := logging.NullHandler(logging.WARNING))
    assert not setup_checks.reaches_a_handler(logger, logging.INFO)
    warnings_only.setLevel(logging.INFO)
    assert setup_checks.reaches_a_handler(logger, logging.INFO)


@pytest.mark.parametrize("silent", ["level", "disabled"])
def test_a_logger_above_info_or_disabled_reaches_nothing(
    logger: logging.Logger, silent: str
) -> None:
    logger.addHandler(logging.NullHandler())
    if silent == "level":
        logger.setLevel(logging.WARNING)
    else:
        logger.disabled = True
    assert not setup_checks.reaches_a_handler(logger, logging.INFO)


# -- W040: another distribution's files in our package's folder ---------------


def installed(site: Path, name: str, version: str, files: list[str]) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )
    (info / "RECORD").write_text("".join(f"{path},,\n" for path in files))


def test_python_dockerflows_files_in_our_folder_are_named(tmp_path: Path) -> None:
    (tmp_path / "dockerflow").mkdir()
    installed(tmp_path, "dockerflow-kit", "2026.11.0", ["dockerflow/__init__.py"])
    installed(tmp_path, "dockerflow", "2026.3.4", ["dockerflow/logging.py"])
    installed(tmp_path, "Django", "5.2", ["django/__init__.py"])
    assert setup_checks.claimants(tmp_path / "dockerflow") == ["dockerflow 2026.3.4"]


def test_a_source_trees_egg_info_claims_nothing(tmp_path: Path) -> None:
    # A build leaves dockerflow.egg-info in a checkout, listing sources that
    # nobody installed; only RECORD, written by an installer, counts.
    (tmp_path / "dockerflow").mkdir()
    info = tmp_path / "dockerflow.egg-info"
    info.mkdir()
    (info / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: dockerflow\nVersion: 1\n"
    )
    (info / "SOURCES.txt").write_text("dockerflow/__init__.py\n")
    assert setup_checks.claimants(tmp_path / "dockerflow") == []


def test_this_checkout_has_one_distribution() -> None:
    assert setup_checks.check_one_distribution() == []


# -- check --deploy: one report -----------------------------------------------


def test_check_deploy_reports_a_failing_check_once_and_logs_it_nowhere(
    tmp_path: Path,
) -> None:
    # The example project logs mozlog JSON to stdout; the engine used to log
    # each message there too, beside Django's report on stderr.
    done = manage(
        "check",
        "--deploy",
        "--tag",
        "dockerflow",
        DJANGO_SETTINGS_MODULE="example_project.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{refused_port()}/none",
        DJANGO_STATIC_ROOT=str(tmp_path),
        REDIS_URL="",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("dockerflow.health.E001") == 1, done.stderr
    assert "dockerflow.health.E001" not in done.stdout, done.stdout
