from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cards.eligibility import REFUSAL_MESSAGES, Refusal, letter_refusal
from organisation.permissions import employee_of
from orders.selectors import open_orders_by_card
from orders.services import card_facts
from station.selectors import stations_for_visitors

from .models import Card


@login_required
def my_cards(request):
    """Mina kort: each card with what can be done about a lost PUK."""
    employee = employee_of(request.user)
    if employee is None:
        raise Http404
    cards = list(Card.objects.held_by(employee).select_related("card_type"))
    open_orders = open_orders_by_card(cards)
    today = timezone.localdate()
    rows = []
    for card in cards:
        refusal = letter_refusal(card_facts(card, has_open_order=card.pk in open_orders), today)
        rows.append(
            {
                "card": card,
                "open_order": open_orders.get(card.pk),
                "refusal": refusal,
                "refusal_message": REFUSAL_MESSAGES[refusal] if refusal else "",
            }
        )
    # Where to go, for a card that is unblocked only at a desk.
    stations = stations_for_visitors() if any(row["refusal"] is Refusal.DESK_ONLY for row in rows) else []
    return render(request, "cards/my_cards.html", {"rows": rows, "stations": stations})
