"""docs/metrics.rst lists the series a scrape serves, with their types, and its
alert rules pass ``promtool check rules`` and name only those series.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.test import override_settings
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from dockerflow.checks import CheckResult, HeartbeatResult
from dockerflow.django import history
from dockerflow.django.history import exposition, metrics

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.rst"
SUFFIXES = {"counter": "_total", "info": "_info"}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]


def served() -> dict[str, str]:
    """Each series name a scrape serves, as the docs write it, with its type."""
    checks = (CheckResult("db", (), duration=0.001),)
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-1"):
        history.record(
            HeartbeatResult(checks=checks, started_at=time.time(), duration=0.001),
            source="http",
            force=True,
        )
    text = exposition.exposition(metrics.snapshot(), "application/openmetrics-text")[0]
    return {
        family.name + SUFFIXES.get(family.type, ""): family.type
        for family in text_string_to_metric_families(text.decode())
    }


def documented() -> dict[str, str]:
    rows = re.findall(
        r"^   \* - ``(dockerflow_\w+)``\n     - (\w+)$", DOCS.read_text(), re.M
    )
    return dict(rows)


def rules() -> str:
    text = DOCS.read_text()
    block = text[text.index("   groups:") :].split("\n\n")[0]
    return "\n".join(line[3:] for line in block.splitlines()) + "\n"


def test_the_docs_list_every_series_with_its_type() -> None:
    assert documented() == served()


def test_the_alert_rules_pass_promtool_and_name_served_series(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: `make promtool` installs it", pytrace=False)
    path = tmp_path / "rules.yml"
    path.write_text(rules())
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 rules found" in done.stdout
    # Label names too: the stateset's label is its own series' name.
    names = set(re.findall(r"\bdockerflow_\w+", rules()))
    assert len(names) == 2
    assert names <= set(served())
