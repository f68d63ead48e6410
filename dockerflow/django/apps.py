"""The Django app ``dockerflow.django`` (label ``dockerflow``): wires the settings
checks and DOCKERFLOW_CHECKS into Django's system-check framework when ready.
"""

from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

#: The system-check tag of everything Dockerflow registers.
TAG = "dockerflow"


class DockerflowConfig(AppConfig):
    name = "dockerflow.django"
    label = "dockerflow"
    verbose_name = _("Dockerflow")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .api.system_checks import check_api_requirements
        from .heartbeat import dockerflow_checks
        from .setup_checks import check_logging, check_one_distribution
        from .system_checks import check_settings

        # Settings are validated on every `check`, `runserver` and `migrate`.
        checks.register(check_settings, TAG)
        # The heartbeat's checks reach backing services, so they run only
        # with --deploy: `manage.py check --deploy --tag dockerflow`.
        checks.register(dockerflow_checks, TAG, deploy=True)
        # Says what to install when the history API is included without DRF.
        checks.register(check_api_requirements, TAG)
        # Mistakes of installing and setting up, each silent otherwise.
        checks.register(check_one_distribution, TAG)
        checks.register(check_logging, TAG)
