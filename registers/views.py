from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from organisation.permissions import AuthenticatedRequest

from . import mirror


@login_required
def status(request: AuthenticatedRequest) -> HttpResponse:
    """The state of the mirror, per register, and the latest runs: for administrators (staff) only."""
    if not request.user.is_staff:
        raise Http404
    return render(
        request,
        "registers/status.html",
        {
            "states": mirror.states(),
            "runs": mirror.latest_runs(),
            "alert_hours": settings.RSPORTAL_REGISTER_ALERT_AFTER_HOURS,
        },
    )
