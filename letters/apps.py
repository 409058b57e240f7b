from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """The code letter's journey: rendering, the PUK store, the print-house port, batches,
    status reports, returned letters and spool clean-up. Its rows (Letter,
    PrintHouseEvent) are part of the order's record and live in orders.models."""

    name = "letters"
    verbose_name = _("Kodbrev")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the tasks services enqueue by name
