"""Sanic's debug switches, as the extension reads them.

The DOCKERFLOW_* parsing rules are tested once, in tests/core/test_options.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dockerflow_sanic import conf


@pytest.mark.parametrize(
    ("debug_attr", "config", "expected"),
    [
        (False, {}, False),
        (True, {}, True),
        (False, {"DEBUG": True}, True),
        (False, {"DEBUG": "false"}, False),
        (False, {"DEBUG": "1"}, True),
    ],
)
def test_is_debug(debug_attr: bool, config: dict[str, object], expected: bool) -> None:
    app = SimpleNamespace(debug=debug_attr, config=config)
    assert conf.is_debug(app) is expected
