"""Run python-dockerflow's own test suite against this package, from outside.

Fetches the release's sdist from PyPI at run time (its tests are never
committed here), installs this checkout editable beside the release's test
requirements in a throwaway venv, runs core, Django, Flask, Sanic and FastAPI the way
the release's tox does, and prints passed/failed per framework.

    python3 scripts/upstream_suite.py            # or: make upstream
    python3 scripts/upstream_suite.py --only flask -- -x -k summary
    python3 scripts/upstream_suite.py --control  # the release itself, for reference

Tests listed in DELIBERATE pin a difference the migration page documents;
they are reported apart, so "must pass" is everything else.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RELEASE = "2026.3.4"
# The release's tox pairs each framework with one constraints file; these
# three are its newest "triple stack" that fits in one venv.
CONSTRAINTS = ("django-5.2.txt", "flask-3.0.txt", "sanic-23.txt", "fastapi-0.100.txt")
REQUIREMENTS = ("default.txt", "django.txt", "flask.txt", "sanic.txt", "fastapi.txt")
# pytest-pythonpath holds pytest below 7, where today's anyio plugin cannot
# load; PYTHONPATH does its one job here.
DROPPED = {"pytest-pythonpath"}
# One pytest run per framework, as the release's tox runs them. Core is
# counted once, on its own.
RUNS: dict[str, list[str]] = {
    "core": ["tests/core"],
    "django": [
        "--no-migrations",
        "-o",
        "DJANGO_SETTINGS_MODULE=tests.django.settings",
        "-o",
        "django_find_project=false",
        "tests/django",
    ],
    "flask": ["-p", "no:django", "tests/flask"],
    "sanic": ["-p", "no:django", "tests/sanic"],
    "fastapi": ["-p", "no:django", "tests/fastapi"],
}

_DETAILS = "details are hidden from anonymous callers"
_ERROR = "/__error__ is not served unless switched on"
_ERRNO = "errno is the HTTP status of a 4xx/5xx response, not 0"
#: Test ids that pin a deliberate difference, with the migration page's reason.
DELIBERATE: dict[str, str] = {
    "tests/core/test_logging.py::test_JsonLogFormatter_emits_warning": (
        "JsonLogFormatter is not deprecated"
    ),
    "tests/sanic/test_sanic.py::test_lbheartbeat": "/__lbheartbeat__ answers {}",
    "tests/django/test_django.py::test_error_returns_500_and_logs_error": _ERROR,
    "tests/flask/test_flask.py::test_error_returns_500_and_logs_error": _ERROR,
    "tests/sanic/test_sanic.py::test_error_returns_500_and_logs_error": _ERROR,
    "tests/flask/test_flask.py::test_heartbeat": _DETAILS,
    "tests/flask/test_flask.py::test_heartbeat_silenced_checks": _DETAILS,
    "tests/flask/test_flask.py::test_full_migrate_check_error": _DETAILS,
    "tests/flask/test_flask.py::test_heartbeat_checks_legacy": _DETAILS,
    "tests/sanic/test_sanic.py::test_heartbeat_checks": _DETAILS,
    "tests/sanic/test_sanic.py::test_heartbeat_silenced_checks": _DETAILS,
    "tests/sanic/test_sanic.py::test_heartbeat_checks_legacy": _DETAILS,
    "tests/sanic/test_sanic.py::test_redis_check_error[connection-messages0]": _DETAILS,
    "tests/sanic/test_sanic.py::test_redis_check_error[redis-messages1]": _DETAILS,
    "tests/sanic/test_sanic.py::test_redis_check_error[malformed-messages2]": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_lbheartbeat_get": "/__lbheartbeat__ answers {}",
    "tests/fastapi/test_fastapi.py::test_error_returns_500_and_logs_error": _ERROR,
    "tests/fastapi/test_fastapi.py::test_heartbeat_get": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_heartbeat_sync": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_heartbeat_async": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_heartbeat_mixed_sync": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_heartbeat_custom_name": _DETAILS,
    "tests/fastapi/test_fastapi.py::test_mozlog_failure": (
        "/__version__ answers a JSON 500 when the version can't be read"
    ),
    # "/" is no route in that app: a 404, which errno reports.
    "tests/flask/test_flask.py::test_request_summary": _ERRNO,
}

#: Must-pass tests that fail here against the release itself (``--control``).
FAIL_AGAINST_RELEASE: dict[str, str] = {
    "tests/sanic/test_sanic.py::test_request_summary_querystring": (
        "reads caplog.records[0], which is Sanic 23.12's startup banner"
    ),
}


@dataclass
class Outcome:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Failed only in teardown: their own assertions held.
    teardown_only: list[str] = field(default_factory=list)


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def package_spec(control: bool) -> list[str]:
    """What pip installs as ``dockerflow``: this checkout, or the release itself."""
    if control:
        return [f"dockerflow[django,flask,sanic,fastapi]=={RELEASE}"]
    return ["-e", f"{REPO}[django,redis,django-redis,flask,sanic,fastapi]"]


def stamp(control: bool) -> str:
    return hashlib.sha256(
        (REPO / "setup.cfg").read_bytes() + " ".join(package_spec(control)).encode()
    ).hexdigest()


def ensure_venv(venv: Path, control: bool) -> Path:
    """Create or reuse the venv; reinstall when our packaging or the release moved."""
    python = venv / "bin" / "python"
    marker = venv / ".upstream-installed"
    if python.exists() and marker.exists() and marker.read_text() == stamp(control):
        return python
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    marker.unlink(missing_ok=True)
    return python


def fetch_tests(python: Path, venv: Path, release: str) -> Path:
    """The release's tests/ and pytest.ini, unpacked from its sdist (nothing else)."""
    work = venv / f"upstream-{release}"
    if (work / "tests").is_dir():
        return work
    with tempfile.TemporaryDirectory() as tmp:
        sdist_only = ["--no-deps", "--no-binary", ":all:"]
        run(
            [
                str(python),
                "-m",
                "pip",
                "download",
                "-q",
                *sdist_only,
                "-d",
                tmp,
                f"dockerflow=={release}",
            ]
        )
        [sdist] = Path(tmp).glob("dockerflow-*.tar.gz")
        staging = Path(tmp) / "unpacked"
        with tarfile.open(sdist) as tar:
            # Only the tests: the release's own dockerflow package under src/
            # must never be importable in this venv.
            members = [
                m
                for m in tar.getmembers()
                if m.name.split("/")[1:2] in (["tests"], ["pytest.ini"])
            ]
            if not any("/tests/" in m.name for m in members):
                sys.exit(f"The dockerflow {release} sdist has no tests/ folder.")
            # The "data" filter refuses links and absolute paths (3.10.12+).
            safe: dict[str, Any] = (
                {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            )
            tar.extractall(staging, members=members, **safe)
        [root] = staging.iterdir()
        shutil.move(str(root), work)
    return work


def install(python: Path, venv: Path, work: Path, control: bool) -> None:
    marker = venv / ".upstream-installed"
    if marker.exists():
        return
    wanted = [
        line.strip()
        for name in REQUIREMENTS
        for line in (work / "tests/requirements" / name).read_text().splitlines()
        if line.strip() and not line.startswith("#") and line.strip() not in DROPPED
    ]
    cons = [f"-c{work / 'tests/constraints' / name}" for name in CONSTRAINTS]
    spec = package_spec(control)
    if not control:
        # This checkout was once installed as "dockerflow", the release's
        # name: a venv from then keeps that install beside dockerflow-kit.
        run([str(python), "-m", "pip", "uninstall", "-q", "-y", "dockerflow"])
    run([str(python), "-m", "pip", "install", "-q", *wanted, *cons, *spec])
    marker.write_text(stamp(control))


def check_import_source(
    python: Path, work: Path, env: dict[str, str], control: bool
) -> None:
    """Refuse to run unless ``import dockerflow`` finds the package meant."""
    found = subprocess.run(
        [str(python), "-c", "import dockerflow; print(dockerflow.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The venvs live inside the checkout: compare with its package folder.
    ours = Path(found).resolve().is_relative_to(REPO / "dockerflow")
    if ours == control:
        meant = f"release {RELEASE}" if control else str(REPO)
        sys.exit(f"dockerflow is imported from {found}, not from {meant}")
    print(f"dockerflow imported from {found}")


def parse_junit(path: Path) -> Outcome:
    # A test that fails and then errors in teardown has two <testcase> rows.
    states: dict[str, str] = {}
    broke_before_teardown: set[str] = set()
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        test_id = f"{module}.py::{case.get('name')}"
        error = case.find("error")
        in_teardown = error is not None and error.get("message", "").startswith(
            "failed on teardown"
        )
        if case.find("failure") is not None or (error is not None and not in_teardown):
            broke_before_teardown.add(test_id)
        if case.find("failure") is not None or error is not None:
            states[test_id] = "failed"
        elif case.find("skipped") is not None:
            states.setdefault(test_id, "skipped")
        else:
            states.setdefault(test_id, "passed")
    outcome = Outcome()
    for test_id, state in states.items():
        getattr(outcome, state).append(test_id)
    outcome.teardown_only = [
        i for i in outcome.failed if i not in broke_before_teardown
    ]
    return outcome


def run_framework(
    python: Path, work: Path, env: dict[str, str], name: str, extra: list[str]
) -> Outcome:
    report = work / f"junit-{name}.xml"
    report.unlink(missing_ok=True)
    run_env = dict(env)
    if name == "django":
        run_env["DJANGO_SETTINGS_MODULE"] = "tests.django.settings"
    cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    # The release's addopts ask for coverage, which only slows this run.
    cmd += ["-o", "addopts=", f"--junitxml={report}", *RUNS[name], *extra]
    print(f"\n== {name}", flush=True)
    # A hung test must not hang the measurement.
    try:
        subprocess.run(cmd, cwd=work, env=run_env, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        print(f"{name}: timed out after 900 s")
    if not report.exists():
        return Outcome(failed=[f"{name}: pytest wrote no report"])
    return parse_junit(report)


def summarise(results: dict[str, Outcome], against: str) -> dict[str, object]:
    lines = ["", f"python-dockerflow {RELEASE} suite against {against}:"]
    must_total = must_passed = must_calls = 0
    summary: dict[str, object] = {}
    for name, outcome in results.items():
        ids = outcome.passed + outcome.failed
        must = [i for i in ids if i not in DELIBERATE]
        ok = [i for i in outcome.passed if i not in DELIBERATE]
        must_total += len(must)
        must_passed += len(ok)
        must_calls += len(ok) + len(
            [i for i in outcome.teardown_only if i not in DELIBERATE]
        )
        lines.append(
            f"  {name:7} {len(outcome.passed):3} passed, {len(outcome.failed):3} failed"
            f" ({len(ok)}/{len(must)} must-pass)"
            + (f", {len(outcome.skipped)} skipped" if outcome.skipped else "")
        )
        summary[name] = {"passed": outcome.passed, "failed": outcome.failed}
    lines.append(f"  must pass: {must_passed} of {must_total}")
    if must_calls != must_passed:
        lines.append(
            f"  ({must_calls} of {must_total} if errors in teardown alone are ignored)"
        )
    failing = [i for o in results.values() for i in o.failed]
    unexpected = [i for i in failing if i not in DELIBERATE]
    deliberate = [i for i in failing if i in DELIBERATE]
    passing_anyway = [i for o in results.values() for i in o.passed if i in DELIBERATE]
    if unexpected:
        lines += ["", "Failing (must pass):"]
        lines += [
            f"  {i}  [fails against the release too: {FAIL_AGAINST_RELEASE[i]}]"
            if i in FAIL_AGAINST_RELEASE
            else f"  {i}"
            for i in unexpected
        ]
    if deliberate:
        lines += ["", "Failing on a deliberate difference:"]
        lines += [f"  {i}  [{DELIBERATE[i]}]" for i in deliberate]
    if passing_anyway:
        lines += ["", "Listed as deliberate but passing:"]
        lines += [f"  {i}" for i in passing_anyway]
    print("\n".join(lines))
    summary["must_pass"] = {
        "passed": must_passed,
        "total": must_total,
        "passed_ignoring_teardown": must_calls,
    }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="default: .venv-upstream[-control]")
    parser.add_argument(
        "--control",
        action="store_true",
        help=f"run the suite against python-dockerflow {RELEASE} itself, to see "
        "which of its tests fail here whatever the package",
    )
    parser.add_argument("--only", choices=sorted(RUNS), action="append")
    parser.add_argument("--json", type=Path, help="also write the ids here")
    parser.add_argument("pytest_args", nargs="*", help="after --, passed to pytest")
    args = parser.parse_args()

    control = args.control
    default = ".venv-upstream-control" if control else ".venv-upstream"
    venv = (args.venv or REPO / default).resolve()
    python = ensure_venv(venv, control)
    work = fetch_tests(python, venv, RELEASE)
    install(python, venv, work, control)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # Their tests import tests.*; the package comes from the venv's install.
    env.update(PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1")
    check_import_source(python, work, env, control)

    results = {
        name: run_framework(python, work, env, name, args.pytest_args)
        for name in (args.only or RUNS)
    }
    summary = summarise(results, f"release {RELEASE}" if control else REPO.name)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    must = summary["must_pass"]
    assert isinstance(must, dict)
    return 0 if must["passed"] == must["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
