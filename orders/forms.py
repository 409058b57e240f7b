from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisation.models import ContactPersonAssignment

from .free_text import looks_like_code
from .models import BlockedCodes, Reason

# A date outside these years is a typing mistake; far enough out, it also overflows Python's
# datetime or the database's conversion of it (a 500 instead of a message).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def validate_plausible_year(value: date) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Ange ett år mellan %(first)d och %(last)d."),
            code="year",
            params={"first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


# Dates are written the Swedish way in both languages, ÅÅÅÅ-MM-DD, and each date field says
# so beside it. No other form is read: Django's English formats would take 03/01/2026 as the
# first of March, where many a reader means the third of January.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATE_FORMAT_ERROR = _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.")


def validate_no_code(value: str) -> None:
    """A PIN or PUK typed into a free-text field is refused before anything is stored
    (orders.free_text: order numbers, phone numbers, dates and HSA-ids are let through)."""
    if looks_like_code(value):
        raise ValidationError(_("Skriv inga PIN- eller PUK-koder här."), code="code_like")


class PukOrderForm(forms.Form):
    blocked_codes = forms.ChoiceField(
        label=_("Vilken kod är spärrad eller borta?"), choices=BlockedCodes.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Varför behöver du en ny PUK-kod?"), choices=Reason.choices, widget=forms.RadioSelect
    )
    reason_text = forms.CharField(
        label=_("Beskriv orsaken"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fyll i om du valde Annat. Skriv inga PIN- eller PUK-koder här."),
        validators=[validate_no_code],
    )
    # Set by the confirmation step; the order is created only when it is true.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data: never None
        if cleaned.get("reason") == Reason.OTHER and not cleaned.get("reason_text", "").strip():
            self.add_error("reason_text", _("Beskriv orsaken när du väljer Annat."))
        return cleaned

    def place_order_arguments(self) -> dict[str, str]:
        """What services.place_order takes from the form."""
        return {name: self.cleaned_data[name] for name in ("reason", "reason_text", "blocked_codes")}


class OnBehalfOrderForm(PukOrderForm):
    """The same order, asked of a contact person about the employee: the same stored
    values, in the third person."""

    reason = forms.ChoiceField(
        label=_("Varför behöver medarbetaren en ny PUK-kod?"),
        choices=[
            (Reason.LOST_LETTER, _("Medarbetaren har tappat bort PUK-brevet")),
            (Reason.NEVER_RECEIVED, _("Medarbetaren har aldrig fått något PUK-brev")),
            (Reason.OTHER, Reason.OTHER.label),
        ],
        widget=forms.RadioSelect,
    )


class CancelOrderForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför återkallar du beställningen? (frivilligt)"),
        required=False,
        max_length=500,
        validators=[validate_no_code],
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till avslaget (innehavaren får se det)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_no_code],
        error_messages={"required": _("Skriv ett skäl till avslaget; innehavaren får se det.")},
    )


class EmployeeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök medarbetare: namn, HSA-id eller personnummer"), min_length=2, max_length=100, strip=True
    )


class ReportMonthForm(forms.Form):
    month = forms.DateField(
        label=_("Månad"),
        input_formats=["%Y-%m"],
        # Text, not type="month": a browser shows that in its own locale's way, or not at all.
        widget=forms.DateInput(format="%Y-%m", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        validators=[validate_plausible_year],
        error_messages={
            "required": _("Välj en månad, till exempel 2025-03."),
            "invalid": _("Välj en månad, till exempel 2025-03."),
        },
    )


EmailPreferenceFormSet = forms.modelformset_factory(
    ContactPersonAssignment,
    fields=["email_preference"],
    widgets={"email_preference": forms.RadioSelect},
    extra=0,
    edit_only=True,
)
