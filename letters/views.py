"""The contact person's actions on a letter that failed or came back."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import PukOrder
from orders.selectors import orders_for_contact_person
from orders.transitions import OrderRefused
from orders.views.queue import queue_detail
from organisation.permissions import APPROVE_ORDERS, AuthenticatedRequest

from . import services as letters
from .forms import CloseReturnedForm

# (request, order) -> what to tell the contact person, or None; or the page to show
LetterAction = Callable[[AuthenticatedRequest, PukOrder], str | HttpResponseBase | None]


def _letter_action(action: LetterAction) -> Callable[..., HttpResponseBase]:
    """POST-only, for a contact person with approve rights on the order's förvaltning."""

    @login_required
    @require_POST
    def view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
        order = get_object_or_404(orders_for_contact_person(request.user, APPROVE_ORDERS), pk=pk)
        try:
            done = action(request, order)
        except OrderRefused as refusal:
            messages.error(request, refusal.message)
        else:
            if isinstance(done, HttpResponseBase):
                return done
            if done:
                messages.success(request, done)
        return redirect("orders:queue_detail", order.pk)

    view.__name__ = action.__name__
    return view


@_letter_action
def retry_letter(request: AuthenticatedRequest, order: PukOrder) -> str:
    letters.retry_letter(order=order, by=request.user)
    return _("Ett nytt försök att skapa kodbrevet är startat.")


@_letter_action
def send_again(request: AuthenticatedRequest, order: PukOrder) -> str:
    letters.send_letter_again(order=order, by=request.user)
    return _("Ett nytt kodbrev skapas efter en ny adressuppslagning.")


@_letter_action
def close_returned(request: AuthenticatedRequest, order: PukOrder) -> str | HttpResponseBase:
    form = CloseReturnedForm(request.POST)
    if not form.is_valid():
        # The order's page again, with the advice as typed: a redirect would lose it.
        messages.error(request, " ".join(str(error) for error in form.errors["advice"]))
        return queue_detail(request, order.pk, bound_forms={"close_returned_form": form})
    letters.close_returned(order=order, by=request.user, reason=form.cleaned_data["advice"])
    return _("Beställningen är avslutad.")
