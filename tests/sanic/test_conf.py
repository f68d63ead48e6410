"""The Sanic extension's config: the shared parser, and Sanic's debug switches.

Parsing and validation rules are tested once, in tests/core/test_options.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dockerflow import options
from dockerflow_sanic import conf


def test_the_extension_uses_the_shared_parser() -> None:
    assert conf.read is options.read_options
    assert conf.apply_defaults is options.apply_defaults
    with pytest.raises(ValueError, match="DOCKERFLOW_CHECK_TIMEOUT"):
        conf.read({"DOCKERFLOW_CHECK_TIMEOUT": "soon"})


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
