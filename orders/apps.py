from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Beställningar")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the tasks services enqueue by name
