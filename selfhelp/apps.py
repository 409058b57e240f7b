from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfhelpConfig(AppConfig):
    """The self-help guides (change a PIN, unblock with the PUK, …), open to everyone, the
    feedback on them, and the reads the monthly report's self-help rate counts."""

    name = "selfhelp"
    verbose_name = _("Självhjälp")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the retention task beat runs by name
