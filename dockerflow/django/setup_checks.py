"""System checks of how a project is set up, not of one setting's value:
python-dockerflow's files beside ours (``dockerflow.W040``), and a
``request.summary`` logger that reaches no handler (``dockerflow.W041``).
"""

from __future__ import annotations

import logging
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.checks import Warning

import dockerflow
from dockerflow.summary import summary_logger

__all__ = [
    "DISTRIBUTION",
    "check_logging",
    "check_one_distribution",
    "claimants",
    "reaches_a_handler",
]

#: This project's distribution name; python-dockerflow's is "dockerflow".
DISTRIBUTION = "dockerflow-kit"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _claims(dist: metadata.Distribution, package: str) -> bool:
    # RECORD is what pip wrote when it installed the files; an egg-info
    # left in a source tree by a build lists files nobody installed.
    record = dist.read_text("RECORD") or ""
    return any(line.startswith(f"{package}/") for line in record.splitlines())


def claimants(package_dir: Path | None = None) -> list[str]:
    """Each distribution other than ours that installed files in the folder
    ``import dockerflow`` loads, as "name version"."""
    folder = package_dir or Path(dockerflow.__file__).resolve().parent
    found = []
    for dist in metadata.distributions(path=[str(folder.parent)]):
        name = dist.metadata["Name"] or ""
        if _normalized(name) != DISTRIBUTION and _claims(dist, folder.name):
            found.append(f"{name} {dist.version}")
    return sorted(found)


def check_one_distribution(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    others = claimants()
    if not others:
        return []
    folder = Path(dockerflow.__file__).resolve().parent
    return [
        Warning(
            f"{' and '.join(others)} also installed files in {folder}, where "
            f"{DISTRIBUTION} is installed: the two write the same modules, so "
            "which one's code runs depends on the order they were installed in.",
            hint="Run `pip uninstall dockerflow`, then reinstall "
            f"{DISTRIBUTION} from the checkout or wheel it came from, with `pip "
            "install --force-reinstall`: the uninstall also removes the files "
            "the two share.",
            id="dockerflow.W040",
        )
    ]


def reaches_a_handler(logger: logging.Logger, level: int) -> bool:
    """Whether a record at ``level`` on ``logger`` would reach a handler that
    emits it, as ``Logger.callHandlers`` walks the tree."""
    if logger.disabled or not logger.isEnabledFor(level):
        return False
    node: logging.Logger | None = logger
    while node is not None:
        if any(handler.level <= level for handler in node.handlers):
            return True
        if not node.propagate:
            return False
        node = node.parent
    return False


def check_logging(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    # logging.lastResort would print a WARNING, but request.summary is INFO.
    if reaches_a_handler(summary_logger, logging.INFO):
        return []
    return [
        Warning(
            f"The {summary_logger.name!r} logger reaches no handler at INFO, so "
            "no request is logged.",
            hint="Set LOGGING = mozlog_config('your-service') (from "
            "dockerflow.logging import mozlog_config), or give the "
            f"{summary_logger.name!r} logger a handler.",
            id="dockerflow.W041",
        )
    ]
