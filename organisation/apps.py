from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from . import tasks  # noqa: F401  registers the tasks beat sends by name
        from .login_lockout import record_lockout

        # A lockout by the login throttle (django-axes) is an audit event.
        user_locked_out.connect(record_lockout, dispatch_uid="organisation.record_lockout")
