from django import forms
from django.utils.translation import gettext_lazy as _

from orders.forms import validate_no_code


class CloseReturnedForm(forms.Form):
    advice = forms.CharField(
        label=_("Råd till innehavaren (visas för innehavaren)"),
        max_length=500,
        initial=_("Besök en kortstation med giltig id-handling, så låser vi upp kortet där."),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_no_code],
        error_messages={"required": _("Skriv vad innehavaren ska göra i stället, till exempel besöka en kortstation.")},
    )
