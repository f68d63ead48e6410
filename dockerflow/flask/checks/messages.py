"""python-dockerflow's ``dockerflow.flask.checks.messages``, kept as an alias.

Everything here is :mod:`dockerflow.checks.messages`, where new code should
import from. Unlike python-dockerflow, importing it warns of nothing: the
path keeps working.
"""

from __future__ import annotations

from dockerflow.checks import messages as _core
from dockerflow.checks.messages import *  # noqa: F403

# Spelled so that type checkers see every name this module exports.
__all__: list[str] = []
__all__ += _core.__all__
