"""Tests of the Sanic extension.

Sanic 23.12 imports the renamed ``websockets.connection`` and sanic-testing
the deprecated ``websockets.legacy`` client, each warning at import time.
Those are theirs to fix, and under filterwarnings=error they would fail
collection, so both are imported here first with only those warnings ignored.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="websockets")
    import sanic  # noqa: F401
    import sanic_testing  # noqa: F401
