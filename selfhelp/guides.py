"""The guides: their addresses, titles and summaries, and which guide answers which card
that cannot get a new PUK letter. Each guide's text is a template per language,
templates/selfhelp/guides/<language>/<slug>.html: a page of prose and numbered steps reads
and translates better whole than cut into a message id per sentence."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cards.eligibility import Refusal


class Guide(models.TextChoices):
    """A guide; its value is its address under /hjalp/ (without å, ä, ö, like the portal's
    other addresses)."""

    UNBLOCK_WITH_PUK = "las-upp-med-puk", _("Lås upp PIN-koden med PUK-koden")
    CHANGE_PIN = "byt-pin", _("Byt PIN-kod")
    PUK_BLOCKED = "puk-sparrad", _("Spärrad PUK-kod: kortet byts")
    RESERVE_CARD = "reservkort", _("Reservkort: inga nya koder")
    CARD_STATIONS = "kortstationer", _("Kortstationer: upplåsning på plats")


SUMMARIES = {
    Guide.UNBLOCK_WITH_PUK: _(
        "Spärrad eller glömd PIN-kod? Med PUK-koden i ditt kodbrev låser du själv upp den och väljer en ny, "
        "i Net iD. Gör det här innan du beställer ett nytt PUK-brev."
    ),
    Guide.CHANGE_PIN: _("Så ändrar du din PIN-kod för legitimering eller underskrift i Net iD."),
    Guide.PUK_BLOCKED: _(
        "Har PUK-koden skrivits fel för många gånger, eller är kortet spärrat, går kortet inte att låsa upp: "
        "det byts mot ett nytt."
    ),
    Guide.RESERVE_CARD: _("Ett reservkort får inga nya koder. Så gör du om koderna till ett reservkort är borta."),
    Guide.CARD_STATIONS: _(
        "Vissa kort låses bara upp på plats, av en id-administratör. Här finns kortstationerna och vad du tar med."
    ),
}

# The guide for a card that cannot get a new PUK letter, by the reason (cards.eligibility).
GUIDE_FOR_REFUSAL = {
    Refusal.RESERVE_CARD: Guide.RESERVE_CARD,
    Refusal.DESK_ONLY: Guide.CARD_STATIONS,
    Refusal.NO_NEW_PUK: Guide.PUK_BLOCKED,
    Refusal.REVOKED: Guide.PUK_BLOCKED,
}


def guide_template(guide: Guide, language: str) -> list[str]:
    """The guide's text in `language`, else in Swedish: the first of these that exists."""
    return [f"selfhelp/guides/{language}/{guide.value}.html", f"selfhelp/guides/sv/{guide.value}.html"]
