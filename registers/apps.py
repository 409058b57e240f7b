from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """RS-portal as a mirror of the region's registers: the card system (and the HSA
    directory), kept in step by `manage.py sync_registers` and beat."""

    name = "registers"
    verbose_name = _("Register")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the tasks beat names
