from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention (gallring): each kind of record kept as long as its period in the settings
    says and no longer, carried out by beat (docs/retention.md).

    It reaches every app's records (orders, letters, mail, the desk's visits, cards' PUKs,
    employees, the audit trail), so it sits on top, beside demo and records; no app imports it."""

    name = "retention"
    verbose_name = _("Gallring")

    def ready(self) -> None:
        from . import checks, tasks  # noqa: F401  the settings' check; the task beat runs by name
