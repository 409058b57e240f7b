"""Swedish identity numbers, validated by the `personnummer` library.

A samordningsnummer (coordination number, day of birth + 60) is valid too: it identifies
a person without a Swedish registered address.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer


def normalise_personnummer(value: str) -> str:
    """Return the 12-digit form (YYYYMMDDNNNN) or raise ValidationError."""
    try:
        return personnummer.parse(value).format(True)
    except (personnummer.PersonnummerException, ValueError, TypeError):
        raise ValidationError(
            _("Ange ett giltigt personnummer eller samordningsnummer, t.ex. 19811228-9874."),
            code="invalid_personnummer",
        ) from None  # the library's message can carry the number itself


def validate_personnummer(value: str) -> None:
    normalise_personnummer(value)


def display_personnummer(value: str) -> str:
    """YYYYMMDD-NNNN, the form people read."""
    return f"{value[:8]}-{value[8:]}"
