"""Sphinx configuration. Built with -W: every warning fails the build."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django.settings")

try:  # autodoc of the Django modules needs configured settings
    import django

    django.setup()
except Exception:  # pragma: no cover - the Django pages then fail loudly
    pass

import dockerflow

project = "dockerflow"
author = "dockerflow developers"
copyright = "2026, dockerflow developers"
release = version = dockerflow.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx", "sphinx.ext.viewcode"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False
# Built with -n as well: every cross-reference must resolve. Python's,
# Flask's and Sanic's own types in signatures stay plain text, since the
# build fetches no other project's inventory (it runs without a network).
nitpick_ignore_regex = [
    (r"py:.*", r"(collections\.abc|datetime|logging|os|types)\..*"),
    (r"py:class", r"(flask|sanic)\..*"),
    (r"py:class", r"Sanic|SansIOResponse"),
]
intersphinx_mapping: dict[str, tuple[str, None]] = {}
exclude_patterns = ["_build"]
html_theme = "alabaster"
