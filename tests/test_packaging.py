"""What installing this project gives: the sdist and wheel ``make dist`` builds,
under a distribution name of its own, and what each extra brings with it.

Each extra is resolved by pip against the package index (``pip install
--dry-run --report``, under the project's constraints), which lists what a
fresh venv would get without installing it. python-dockerflow installed and
then ours is done for real, in a fresh venv.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
UPSTREAM = "dockerflow==2026.3.4"


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,  # type: ignore[call-overload]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder ``python -m build`` (what ``make dist`` runs) wrote, and
    what it printed. The wheel is built from the sdist."""
    out = tmp_path_factory.mktemp("dist")
    done = run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return out, done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(dist: tuple[Path, str]) -> Path:
    [found] = dist[0].glob("*.whl")
    return found


def test_the_build_finds_every_package_folder(dist: tuple[Path, str]) -> None:
    # The template folders used to be "importable packages absent from the
    # packages configuration": some forty lines of warnings on every install.
    assert "absent from the `packages` configuration" not in dist[1]
    assert sorted(path.name for path in dist[0].iterdir()) == [
        "dockerflow_kit-2026.11.0-py3-none-any.whl",
        "dockerflow_kit-2026.11.0.tar.gz",
    ]


def test_the_sdist_holds_the_packages_and_not_the_tests(dist: tuple[Path, str]) -> None:
    [sdist] = dist[0].glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {
        "setup.cfg",
        "CHANGELOG.rst",
        "dockerflow/django/templates/admin/dockerflow/pagination.html",
        "dockerflow_sanic/py.typed",
        "dockerflow_fastapi/py.typed",
    } <= names
    assert not [name for name in names if name.startswith("tests")]


def test_the_wheel_is_dockerflow_kit_with_python_dockerflows_import_names(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = "dockerflow_kit-2026.11.0.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        top_level = archive.read(f"{info}/top_level.txt").decode().split()
    assert re.search(r"^Name: dockerflow-kit$", metadata, re.M)
    assert top_level == [
        "dockerflow",
        "dockerflow_fastapi",
        "dockerflow_flask",
        "dockerflow_sanic",
    ]
    templates = "dockerflow/django/templates/admin/dockerflow"
    assert {
        f"{templates}/pagination.html",
        f"{templates}/heartbeatrun/change_list.html",
        "dockerflow/django/static/dockerflow/admin/history.css",
        "dockerflow/django/migrations/0001_initial.py",
        "dockerflow/py.typed",
        "dockerflow_flask/py.typed",
        "dockerflow_sanic/py.typed",
    } <= names
    assert not [name for name in names if "__pycache__" in name or "tests/" in name]


#: Each extra as the docs use it: what must come, and what must not.
DJANGO = {"django", "djangorestframework", "drf-spectacular", "drf-spectacular-sidecar"}
FLASK = {"flask", "blinker", "werkzeug"}
EXTRAS = {
    "": (set(), {"django", "flask", "sanic", "redis", "fastapi"}),
    "django": (DJANGO, FLASK | {"sanic", "redis", "django-redis"}),
    "django,django-redis": (DJANGO | {"redis", "django-redis"}, FLASK | {"sanic"}),
    "django,metrics": (DJANGO | {"prometheus_client"}, FLASK | {"sanic", "redis"}),
    "flask": (FLASK, {"django", "sanic", "redis"}),
    "flask,redis": (FLASK | {"redis"}, {"django", "django-redis", "sanic"}),
    "sanic": ({"sanic"}, {"django", "flask", "redis"}),
    "sanic,redis": ({"sanic", "redis"}, {"django", "django-redis", "flask"}),
    "fastapi": ({"fastapi", "starlette", "pydantic"}, {"django", "flask", "sanic"}),
    "fastapi,redis": (
        {"fastapi", "redis"},
        {"django", "django-redis", "flask", "sanic"},
    ),
}


@pytest.mark.parametrize("extras", list(EXTRAS))
def test_each_extra_brings_its_framework_and_no_other(
    wheel: Path, tmp_path: Path, extras: str
) -> None:
    report = tmp_path / "report.json"
    target = f"{wheel}[{extras}]" if extras else str(wheel)
    run(
        *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
        *("--quiet", "--report", report, "-c", CONSTRAINTS, target),
    )
    got = {
        item["metadata"]["name"].lower()
        for item in json.loads(report.read_text())["install"]
    }
    needed, foreign = EXTRAS[extras]
    assert needed <= got, f"{extras!r} lacks {sorted(needed - got)}"
    assert not foreign & got, f"{extras!r} brings {sorted(foreign & got)}"
    assert "dockerflow" not in got  # python-dockerflow, by its distribution name


def test_python_dockerflow_beside_ours_is_warned_until_the_hint_is_followed(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    pip = (sys.executable, "-m", "pip", "--python", venv / "bin" / "python")
    quiet = ("--quiet", "--disable-pip-version-check")
    run(*pip, "install", *quiet, "-c", CONSTRAINTS, UPSTREAM, "Django")
    run(*pip, "install", *quiet, wheel)
    project = tmp_path / "project"
    project.mkdir()
    (project / "version.json").write_text("{}")
    (project / "project_settings.py").write_text(
        "from dockerflow.logging import mozlog_config\n"
        'SECRET_KEY = "not-secret"\n'
        'INSTALLED_APPS = ["dockerflow.django"]\n'
        f"BASE_DIR = {str(project)!r}\n"
        'LOGGING = mozlog_config("t")\n'
    )

    def check() -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(project)}
        command = ("-m", "django", "check", "--settings=project_settings")
        return run(venv / "bin" / "python", *command, cwd=project, env=env)

    warned = check().stderr
    assert "(dockerflow.W040) dockerflow 2026.3.4 also installed files in" in warned
    hint = "HINT: Run `pip uninstall dockerflow`, then reinstall dockerflow-kit"
    assert hint in warned
    # The hint, followed: the uninstall takes the shared files with it.
    run(*pip, "uninstall", *quiet, "--yes", "dockerflow")
    run(*pip, "install", *quiet, "--force-reinstall", "--no-deps", wheel)
    assert "System check identified no issues" in check().stdout
