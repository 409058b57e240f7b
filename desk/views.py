from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from organisation.permissions import AuthenticatedRequest, is_station_operator

from . import health as station_health
from .credentials import stations_of
from .forms import ReportPeriodForm
from .reports import COLUMNS, daily_report


@login_required
def desk(request: AuthenticatedRequest) -> HttpResponse:
    """Where an operator starts: the stations they may work at, and the way to the station
    software's own page on this desk PC (the page that drives the reader). A station
    whose right has ended (or not begun) is not among them."""
    if not is_station_operator(request.user):
        raise Http404
    stations = stations_of(request.user)
    return render(request, "desk/desk.html", {"stations": stations, "agent_url": settings.RSPORTAL_DESK_AGENT_URL})


@login_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    """Station acts per station, operator and day: for administrators (staff) only."""
    if not request.user.is_staff:
        raise Http404
    form = ReportPeriodForm(request.GET)
    first, last = form.period()
    for name, errors in form.errors.items():
        for error in errors:
            messages.error(request, str(error) if name == "__all__" else f"{form[name].label}: {error}")
    rows = daily_report(first, last)
    return render(
        request, "desk/report.html", {"rows": rows, "columns": [c[1] for c in COLUMNS], "first": first, "last": last}
    )


@login_required
def health(request: AuthenticatedRequest) -> HttpResponse:
    """Every station's health as its agent last reported it: for administrators (staff) only."""
    if not request.user.is_staff:
        raise Http404
    return render(
        request,
        "desk/health.html",
        {
            "stations": station_health.stations(),
            "silent_minutes": settings.RSPORTAL_STATION_SILENT_AFTER_MINUTES,
        },
    )
