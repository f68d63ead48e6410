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
intersphinx_mapping: dict[str, tuple[str, None]] = {}
exclude_patterns = ["_build"]
html_theme = "alabaster"
