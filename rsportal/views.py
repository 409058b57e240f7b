from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from organisation.permissions import employee_of, is_station_operator, may_use_queue


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    if may_use_queue(request.user):
        return redirect("orders:queue")
    if employee_of(request.user) is not None:
        return redirect("orders:my_cards")
    if is_station_operator(request.user):
        return redirect("desk:desk")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the Django admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
