from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from organisation.permissions import employee_of, is_contact_person, is_station_operator


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    if is_contact_person(request.user):
        return redirect("orders:queue")
    if employee_of(request.user) is not None:
        return redirect("orders:my_cards")
    if is_station_operator(request.user):
        return redirect("desk:desk")
    return render(request, "home.html")
