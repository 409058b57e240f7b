"""A contact person orders a PUK letter for an employee who cannot log in (a blocked card
often means exactly that). The order records who placed it, and a different contact
person must approve it (orders.rules)."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from organisation.permissions import APPROVE_ORDERS, AuthenticatedRequest
from sso.enforcement import require_assurance

from .. import services
from ..access import contact_person_required
from ..card_offers import address_refusal, card_offers
from ..forms import EmployeeSearchForm, OnBehalfOrderForm
from ..selectors import cards_orderable_by, employees_matching
from ..transitions import OrderRefused


@contact_person_required(perm=APPROVE_ORDERS)
def find_employee(request: AuthenticatedRequest) -> HttpResponse:
    form = EmployeeSearchForm(request.GET if "q" in request.GET else None)
    employees = list(employees_matching(request.user, form.cleaned_data["q"])) if form.is_valid() else []
    # Each card with what it offers, known before any form (the cards know their holder:
    # the prefetch sets it).
    offers = card_offers([card for employee in employees for card in employee.cards.all()], asked_by_holder=False)
    results = [(employee, [offer for offer in offers if offer.card.holder_id == employee.pk]) for employee in employees]
    return render(request, "orders/queue/on_behalf_search.html", {"form": form, "results": results})


@contact_person_required(perm=APPROVE_ORDERS)
@require_assurance("order")
def order_for_employee(request: AuthenticatedRequest, card_id: int) -> HttpResponse:
    card = get_object_or_404(cards_orderable_by(request.user), pk=card_id)
    context: dict[str, Any] = {"card": card, "employee": card.holder}
    try:
        services.check_card_may_get_letter(card)
        if request.method != "POST":  # and the address, before the form is filled in
            no_address = address_refusal(card.holder, asked_by_holder=False)
            if no_address is not None:
                raise no_address
        form = OnBehalfOrderForm(request.POST or None)
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
