"""Mozilla's Dockerflow pattern for Python web services.

Importing this package loads no web framework: the shared core (logging,
version, checks) is standard library only, and each framework adapter is
imported only when a project asks for it.
"""

from __future__ import annotations

__version__ = "2026.11.0"
__all__ = ["__version__"]
