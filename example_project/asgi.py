"""The ASGI entry point: ``uvicorn example_project.asgi:application``.

The same project as under WSGI; async views run on the event loop. At
lifespan shutdown, the history's writer stores the runs it still holds.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

# The history's models load once Django is set up, which this call does.
django_application = get_asgi_application()

from dockerflow.django.history.lifespan import draining  # noqa: E402

application = draining(django_application)
