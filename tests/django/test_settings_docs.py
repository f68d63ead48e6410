"""docs/settings.rst and docs/check-ids.rst say what the two setting tables say:
``dockerflow.options.TABLE`` (every framework) and the history's (Django).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dockerflow import options
from dockerflow.django.history import table

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECTIONS = (
    "Django settings",
    "Flask config keys",
    "Sanic config keys",
    "FastAPI settings",
)


def sections() -> dict[str, str]:
    """settings.rst's text under each of its section titles."""
    text = (DOCS / "settings.rst").read_text()
    parts = re.split(r"^(.+)\n-{3,}\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def documented(section: str) -> dict[str, str]:
    """Each ``KEY`` = ``default`` of one section, by key."""
    return dict(re.findall(r"^``(DOCKERFLOW_\w+)`` = ``(.+)``$", section, re.M))


def shown(default: Any) -> str:
    """A default as the docs write it: Python, with strings in double quotes."""
    return json.dumps(default) if isinstance(default, str) else repr(default)


@pytest.mark.parametrize("title", SECTIONS)
def test_every_shared_option_is_documented_with_its_default(title: str) -> None:
    found = documented(sections()[title])
    expected = {option.key: shown(option.default) for option in options.TABLE}
    assert {key: found.get(key) for key in expected} == expected


def test_every_history_setting_is_documented_with_its_default() -> None:
    found = documented(sections()["Django settings"])
    expected = {setting.key: shown(setting.default) for setting in table.TABLE}
    assert {key: found.get(key) for key in expected} == expected
    # And nothing documented that the table does not know.
    history = {key for key in found if key.startswith("DOCKERFLOW_HISTORY")}
    assert history == set(expected)


def check_rows() -> dict[str, str]:
    """check-ids.rst's settings table: each ID's row text, continuation lines
    included."""
    text = (DOCS / "check-ids.rst").read_text()
    rows: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        match = re.match(r"^``(dockerflow\.[EW]\d{3})``\s+(.*)$", line)
        if match:
            current = match.group(1)
            rows[current] = match.group(2)
        elif current and line.startswith(" " * 10) and line.strip():
            rows[current] += " " + line.strip()
        else:
            current = None
    return rows


def table_ids() -> dict[str, set[str]]:
    """Each check ID of both tables, with the settings it reports on."""
    ids: dict[str, set[str]] = {}
    for option in options.TABLE:
        if option.id:
            ids.setdefault(option.id, set()).add(option.key)
    for setting in table.TABLE:
        for id in (setting.id, *(rule.id for rule in setting.rules)):
            ids.setdefault(id, set()).add(setting.key)
    return ids


def test_every_check_id_of_the_tables_is_documented_for_its_settings() -> None:
    rows = check_rows()
    for id, keys in table_ids().items():
        assert id in rows, f"{id} is not in docs/check-ids.rst"
        named = set(re.findall(r"``(DOCKERFLOW_\w+)``", rows[id]))
        family = "``DOCKERFLOW_HISTORY_*``" in rows[id]
        # A row names its settings, or their family, and no other setting.
        assert named <= keys, (id, named - keys)
        assert named or family, f"{id}'s row names none of {sorted(keys)}"
