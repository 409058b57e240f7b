from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The server side of the support desk: card stations, operators' desk logins, ID-checked
    visits, unblock attempts, PUK tickets, the station API and the report.

    The label stays "station", the app's name before it became `desk`: its tables, its
    migration history and the audit trail's object types ("station.deskvisit") keep the
    names existing databases already hold.
    """

    name = "desk"
    label = "station"
    verbose_name = _("Kortstationer")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  registers the tasks services enqueue by name
