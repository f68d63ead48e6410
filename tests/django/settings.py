"""Django settings for the test suite.

SQLite by default; ``DOCKERFLOW_TEST_DATABASE=postgres`` runs the same tests
against the PostgreSQL server on this machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.services import POSTGRES_URL

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
USE_TZ = True
ROOT_URLCONF = "tests.django.urls"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "dockerflow.django",
]

MIDDLEWARE = [
    "dockerflow.django.middleware.DockerflowMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

# The admin's pages, for the heartbeat history tests.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if os.environ.get("DOCKERFLOW_TEST_DATABASE") == "postgres":
    _url = urlsplit(POSTGRES_URL)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _url.path.lstrip("/") or "test",
            "USER": unquote(_url.username or "postgres"),
            "PASSWORD": unquote(_url.password or ""),
            "HOST": _url.hostname or "127.0.0.1",
            "PORT": str(_url.port or 5432),
            # dockerflow.W010 asks for one; 5 s is past any test's wait.
            "OPTIONS": {"connect_timeout": 5},
        }
    }
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    }

# Tests that are not about the history must not write it: a heartbeat served
# on another thread (async views) would commit rows outside the test's
# transaction. The history tests turn it on (tests/django/history_helpers.py).
DOCKERFLOW_HISTORY = "off"
# A run a test's heartbeat records is stored before the heartbeat answers, in
# the test's transaction; tests/django/test_history_writer.py runs the queue.
DOCKERFLOW_HISTORY_QUEUE = 0

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Fast hashing: tests create users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# request.summary at INFO, as mozlog_config() sets it; its records reach
# pytest's capture handlers on the root logger, which the tests read.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"request.summary": {"level": "INFO"}},
}
