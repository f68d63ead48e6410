"""The benchmarks' Django site as a WSGI app, for gunicorn: the admin and the API.

Reads its database from DOCKERFLOW_BENCH_POSTGRES_URL, as the benchmarks do.
Run: gunicorn benchmarks.history_wsgi (served.py starts it).
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from benchmarks import history_admin

history_admin.configure(
    os.environ.get("DOCKERFLOW_BENCH_POSTGRES_URL", history_admin.DEFAULT_URL), api=True
)
application = get_wsgi_application()
