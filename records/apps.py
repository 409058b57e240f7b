from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The register extract (registerutdrag, GDPR art. 15): everything RS-portal holds about
    one person, as a PDF and as JSON, produced from the Django admin.

    It reads every app's records (orders, letters, desk visits, the audit trail), so it sits
    on top, beside demo; no app imports it. It has no models of its own."""

    name = "records"
    verbose_name = _("Registerutdrag")
