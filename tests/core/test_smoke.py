"""A first smoke test so the suite is never empty while it grows."""

from __future__ import annotations


def test_core_imports() -> None:
    import dockerflow.checks
    import dockerflow.logging
    import dockerflow.version

    assert dockerflow.checks.ERROR == 40
