"""The employee's screens: Mina kort, order a new PUK letter, follow and cancel own orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from cards.models import Card
from organisation.models import Employee
from organisation.permissions import AuthenticatedRequest, employee_of
from sso.enforcement import require_assurance

from .. import services
from ..card_offers import address_refusal, card_offers
from ..forms import CancelOrderForm, PukOrderForm
from ..models import PukOrder
from ..my_orders import my_order_rows, my_order_values
from ..outlook import outlook_for
from ..selectors import orders_of_employee
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
    cards = list(Card.objects.held_by(employee).select_related("card_type", "holder"))
    return render(request, "orders/my_cards.html", {"offers": card_offers(cards, asked_by_holder=True)})


@login_required
@require_assurance("order")
def order_new(request: AuthenticatedRequest, card_id: int) -> HttpResponse:
    employee = _employee_or_404(request)
    card = get_object_or_404(
        Card.objects.select_related("card_type", "holder__forvaltning"), pk=card_id, holder=employee
    )
    try:
        services.check_card_may_get_letter(card)
    except OrderRefused as refusal:
        return _refused(request, card, refusal)
    if request.method != "POST":  # and the address, before the form is filled in
        no_address = address_refusal(employee, asked_by_holder=True)
        if no_address is not None:
            return _refused(request, card, no_address)

    form = PukOrderForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        context = {"card": card, "form": form, "decided_centrally": services.decided_centrally(employee)}
        return render(request, "orders/order_form.html", context)
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
    return render(request, "orders/my_orders.html", {"orders": my_order_rows(my_order_values(employee))})


@login_required
def order_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    order = get_object_or_404(orders_of_employee(employee), pk=pk)
    return _order_page(request, order, CancelOrderForm())


def _order_page(request: HttpRequest, order: PukOrder, cancel_form: CancelOrderForm) -> HttpResponse:
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "events": AuditEvent.objects.for_object(order),
            "cancel_form": cancel_form,
            "outlook": outlook_for(order),  # who decides, the next step, how long it usually takes
        },
    )


@login_required
@require_POST
def order_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    employee = _employee_or_404(request)
    order = get_object_or_404(orders_of_employee(employee), pk=pk)
    form = CancelOrderForm(request.POST)
    if not form.is_valid():
        # The page again, with what was typed, not a redirect that would lose it.
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return _order_page(request, order, form)
    try:
        services.cancel_order(order=order, by=request.user, reason=form.cleaned_data["reason"])
    except OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Beställningen är återkallad."))
    return redirect("orders:detail", order.pk)
