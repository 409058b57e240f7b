"""The employee's screens: Mina kort, order a new PUK letter, follow and cancel own orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from cards.eligibility import REFUSAL_MESSAGES, letter_refusal
from cards.models import Card
from organisation.models import Employee
from organisation.permissions import AuthenticatedRequest, employee_of

from .. import services
from ..forms import CancelOrderForm, PukOrderForm
from ..selectors import open_orders_by_card, orders_of_employee
from ..transitions import OrderRefused


def _employee_or_404(request: HttpRequest) -> Employee:
    employee = employee_of(request.user)
    if employee is None:
        raise Http404
    return employee


@login_required
def my_cards(request: AuthenticatedRequest) -> HttpResponse:
    """Mina kort: each card with what can be done about a lost PUK."""
    employee = _employee_or_404(request)
    cards = list(Card.objects.held_by(employee).select_related("card_type"))
    open_orders = open_orders_by_card(cards)
    today = timezone.localdate()
    rows = []
    for card in cards:
        refusal = letter_refusal(card.eligibility_facts(has_open_order=card.pk in open_orders), today)
        rows.append(
            {
                "card": card,
                "open_order": open_orders.get(card.pk),
                "refusal": refusal,
                "refusal_message": REFUSAL_MESSAGES[refusal] if refusal else "",
            }
        )
    return render(request, "orders/my_cards.html", {"rows": rows})


@login_required
def order_new(request: AuthenticatedRequest, card_id: int) -> HttpResponse:
    employee = _employee_or_404(request)
    card = get_object_or_404(
        Card.objects.select_related("card_type", "holder__forvaltning"), pk=card_id, holder=employee
    )
    try:
        services.check_card_may_get_letter(card)
    except OrderRefused as refusal:
        return _refused(request, card, refusal)

    form = PukOrderForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "orders/order_form.html", {"card": card, "form": form})
    try:
        if not form.cleaned_data["confirmed"]:
            preview = services.preview_address(employee)
            # Only what the page shows: never the register's answer with the full address.
            address = {"status": preview.status, "hint": preview.hint}
            return render(request, "orders/order_confirm.html", {"card": card, "form": form, "address": address})
        order = services.place_order(placed_by=request.user, card=card, **form.place_order_arguments())
    except OrderRefused as refusal:
        return _refused(request, card, refusal)
    messages.success(request, _("Tack! Din beställning %(ref)s är mottagen.") % {"ref": order.reference})
    return redirect("orders:detail", order.pk)


def _refused(request: HttpRequest, card: Card, refusal: OrderRefused) -> HttpResponse:
    return render(request, "orders/order_refused.html", {"card": card, "refusal": refusal})


@login_required
def my_orders(request: AuthenticatedRequest) -> HttpResponse:
    employee = _employee_or_404(request)
    return render(request, "orders/my_orders.html", {"orders": orders_of_employee(employee)})


@login_required
def order_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    order = get_object_or_404(orders_of_employee(employee), pk=pk)
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, "events": AuditEvent.objects.for_object(order), "cancel_form": CancelOrderForm()},
    )


@login_required
@require_POST
def order_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    order = get_object_or_404(orders_of_employee(employee), pk=pk)
    form = CancelOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return redirect("orders:detail", order.pk)
    try:
        services.cancel_order(order=order, by=request.user, reason=form.cleaned_data["reason"])
    except OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Beställningen är återkallad."))
    return redirect("orders:detail", order.pk)
