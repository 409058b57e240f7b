"""Tags for the order pages, which name them instead of importing selfhelp (which sits
above orders): `guide_instead`, the guide for a card on Mina kort that cannot get a new
PUK letter, and `self_help_figures`, the monthly report's self-help figures."""

from datetime import date

from django import template
from django.utils import timezone

from cards.eligibility import letter_refusal
from orders.card_offers import CardOffer
from organisation.permissions import forvaltningar_for

from ..guides import GUIDE_FOR_REFUSAL, Guide
from ..rate import ORDER_WINDOW
from ..report import self_help_month
from ..selectors import RETENTION_MONTHS

register = template.Library()


@register.filter
def guide_instead(offer: CardOffer) -> Guide | None:
    """The guide to what to do instead of ordering a letter for the offer's card: a card
    station, a reserve card, a card that is replaced; None when no guide says more."""
    if offer.to_desk:
        return Guide.CARD_STATIONS
    refusal = letter_refusal(offer.card.eligibility_facts(has_open_order=False), timezone.localdate())
    return GUIDE_FOR_REFUSAL.get(refusal) if refusal else None


@register.inclusion_tag("selfhelp/_report.html", takes_context=True)
def self_help_figures(context: template.Context, month: date) -> dict[str, object]:
    """The monthly report's self-help figures for the förvaltningar the page's user sees."""
    user = context["request"].user
    return {
        "month": month,
        "figures": self_help_month(forvaltningar_for(user), month),
        "window_days": ORDER_WINDOW.days,
        "retention_months": RETENTION_MONTHS,
    }
