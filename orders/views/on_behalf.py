"""A contact person orders a PUK letter for an employee who cannot log in (a blocked card
often means exactly that). The order records who placed it, and a different contact
person must approve it (orders.rules)."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cards.eligibility import REFUSAL_MESSAGES, letter_refusal
from organisation.permissions import APPROVE_ORDERS, AuthenticatedRequest

from .. import services
from ..access import contact_person_required
from ..forms import EmployeeSearchForm, PukOrderForm
from ..selectors import cards_orderable_by, employees_matching, open_orders_by_card
from ..transitions import OrderRefused


@contact_person_required(perm=APPROVE_ORDERS)
def find_employee(request: AuthenticatedRequest) -> HttpResponse:
    form = EmployeeSearchForm(request.GET if "q" in request.GET else None)
    employees = list(employees_matching(request.user, form.cleaned_data["q"])) if form.is_valid() else []
    cards = [card for employee in employees for card in employee.cards.all()]
    open_orders = open_orders_by_card(cards)
    today = timezone.localdate()
    for card in cards:
        refusal = letter_refusal(card.eligibility_facts(has_open_order=card.pk in open_orders), today)
        # For the template's row of the card: attributes of the view, not of the model.
        card.refusal_message = REFUSAL_MESSAGES[refusal] if refusal else ""  # type: ignore[attr-defined]
        card.open_order = open_orders.get(card.pk)  # type: ignore[attr-defined]
    return render(request, "orders/queue/on_behalf_search.html", {"form": form, "employees": employees})


@contact_person_required(perm=APPROVE_ORDERS)
def order_for_employee(request: AuthenticatedRequest, card_id: int) -> HttpResponse:
    card = get_object_or_404(cards_orderable_by(request.user), pk=card_id)
    context: dict[str, Any] = {"card": card, "employee": card.holder}
    try:
        services.check_card_may_get_letter(card)
        form = PukOrderForm(request.POST or None)
        context["form"] = form
        if request.method != "POST" or not form.is_valid():
            return render(request, "orders/queue/on_behalf_form.html", context)
        if not form.cleaned_data["confirmed"]:
            # Only the status: the contact person sees neither the address nor its hint.
            context["address_status"] = services.preview_address(card.holder, asked_by_holder=False).status
            return render(request, "orders/queue/on_behalf_confirm.html", context)
        order = services.place_order(placed_by=request.user, card=card, **form.place_order_arguments())
    except OrderRefused as refusal:
        return render(request, "orders/queue/on_behalf_refused.html", {**context, "refusal": refusal})
    messages.success(
        request,
        _("%(ref)s är beställd för %(name)s. En annan kontaktperson måste godkänna den.")
        % {"ref": order.reference, "name": card.holder.full_name},
    )
    return redirect("orders:queue_detail", order.pk)
