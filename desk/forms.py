from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.forms import DATE_FORMAT_ERROR, DATE_INPUT_FORMATS

MAX_REPORT_DAYS = 366


class ReportPeriodForm(forms.Form):
    """The station report's period: the last seven days unless the administrator picks one."""

    fran = forms.DateField(
        label=_("Från"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_FORMAT_ERROR},
    )
    till = forms.DateField(
        label=_("Till"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": DATE_FORMAT_ERROR},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data: never None
        last = data.get("till") or timezone.localdate()
        first = data.get("fran") or last - timedelta(days=6)
        if first > last:
            raise forms.ValidationError(_("Från-datumet ligger efter till-datumet."))
        if (last - first).days >= MAX_REPORT_DAYS:
            raise forms.ValidationError(_("Välj en period på högst ett år."))
        data["fran"], data["till"] = first, last
        return data

    def period(self) -> tuple[date, date]:
        """The chosen period when the form is valid, else the default one."""
        if self.is_valid():
            return self.cleaned_data["fran"], self.cleaned_data["till"]
        last = timezone.localdate()
        return last - timedelta(days=6), last
