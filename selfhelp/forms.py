from django import forms
from django.utils.translation import gettext_lazy as _

from orders.forms import validate_no_code


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Var den här informationen till hjälp?"),
        choices=[("ja", _("Ja")), ("nej", _("Nej"))],
        coerce=lambda answer: answer == "ja",
        widget=forms.RadioSelect,
        error_messages={"required": _("Svara ja eller nej.")},
    )
    text = forms.CharField(
        label=_("Berätta gärna mer (frivilligt)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv inga koder och inga personuppgifter här. Vill du ha svar, ring IT-support."),
        # The orders' free-text rule: a PIN or PUK is refused, phone numbers and the like are not.
        validators=[validate_no_code],
    )
