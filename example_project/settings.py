"""Settings for the example project, every one of them read from the environment.

The defaults give a working SQLite site on a fresh clone; a deployment sets
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


# version.json lives here, so this is the BASE_DIR that /__version__ reads.
BASE_DIR = Path(__file__).resolve().parent

# The default only exists so `make run` works on a fresh clone; a deployment
# that forgets to set it still gets a site, but never a shared secret.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "example-project-dev-only-not-a-secret"
)
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
# Behind a TLS-terminating load balancer, the scheme arrives in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and ReDoc served from this site's static files, not a CDN.
    "drf_spectacular_sidecar",
    "dockerflow.django",
    "example_project",
]

MIDDLEWARE = [
    # First, so the Dockerflow endpoints answer load balancers that probe by
    # IP over plain HTTP before ALLOWED_HOSTS or SSL redirects get a say, and
    # so every request, static files included, gets its request.summary.
    "dockerflow.django.middleware.DockerflowMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps, so the example can theme the admin (admin/base_site.html).
        "DIRS": [BASE_DIR / "templates"],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith(("postgresql", "mysql")):
    # Shorter than the heartbeat's check timeout (3 s), so a database that
    # accepts connections and never answers is reported by its own error,
    # and each check thread it held ends within the probe. libpq waits at
    # least 2 s whatever is asked; a ?connect_timeout= in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DOCKERFLOW_CHECKS = [
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
    "example_project.checks.check_static_manifest",
]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # For the site's own cache calls: a hung Redis costs a
                # request 5 s, not forever. The heartbeat's Redis check
                # pings with at most 1.5 times its own timeout whatever
                # these say, so its threads end soon after a probe.
                "SOCKET_CONNECT_TIMEOUT": 5,
                "SOCKET_TIMEOUT": 5,
            },
        }
    }
    DOCKERFLOW_CHECKS.append("dockerflow.django.checks.check_redis_connected")

REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dockerflow example project",
    "DESCRIPTION": "The Dockerflow endpoints and the heartbeat history API.",
    "VERSION": "1.0.0",
    # The schema endpoint itself is not part of the API it describes.
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Check names and messages are shown to staff and to callers that send
# "Authorization: Bearer <token>"; unset, only staff and DEBUG see them.
DOCKERFLOW_HEARTBEAT_TOKEN = os.environ.get("DOCKERFLOW_HEARTBEAT_TOKEN") or None
DOCKERFLOW_CHECK_TIMEOUT = float(os.environ.get("DOCKERFLOW_CHECK_TIMEOUT", "3.0"))
# /__metrics__ for Prometheus, from the heartbeat history; with a token set,
# a scrape must send it as "Authorization: Bearer <token>".
DOCKERFLOW_METRICS_ENDPOINT = True
DOCKERFLOW_METRICS_TOKEN = os.environ.get("DOCKERFLOW_METRICS_TOKEN") or None
# Each status change, POSTed signed to WEBHOOK_URL; by default to this site's
# own receiver (/hooks/receive/), which checks the signature and logs it.
WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET", "example-webhook-secret")
DOCKERFLOW_WEBHOOKS = [
    {
        "name": "example",
        "url": os.environ.get(
            "WEBHOOK_URL",
            f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/hooks/receive/",
        ),
        "secret": WEBHOOK_SECRET,
        "min_status": "warning",
    }
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or str(BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
# Everything this project logs goes to stdout as mozlog JSON, one record per
# line, where the platform's log shipper picks it up.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "dockerflow.logging.JsonLogFormatter",
            "logger_name": "example_project",
        },
    },
    # Every record made while serving a request carries that request's id.
    "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "request.summary": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
        "dockerflow": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # runserver's access log; request.summary already says the same.
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
        "py.warnings": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
        "example_project": {
            "handlers": ["console"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
    },
}
