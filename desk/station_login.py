"""The desk PC's browser logs the operator in to the station software (cards.agent).

The station software's page sends the browser here (desk.services.login_request made the
URL: this station, the station software's callback and its random state). The browser
logs in to RS-portal as anywhere on the site (the region's IdP), at the level the desk
needs; then this view sends it back (a page that moves on at once) to the station software with a one-time login code
(desk.login_codes), which the station software exchanges through the station API. Only
to a station software's address and only for an operator of that station: anything else
is told in words here, and recorded.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisation.permissions import AuthenticatedRequest
from sso.enforcement import require_assurance
from sso.session import assurance_of

from . import services


@never_cache
@require_GET
@login_required
@require_assurance("desk")
def station_login(request: AuthenticatedRequest) -> HttpResponse:
    try:
        back = services.issue_login_code(
            request.user,
            station_id=request.GET.get("station", ""),
            callback=request.GET.get("callback", ""),
            state=request.GET.get("state", ""),
            assurance=assurance_of(request) or services.password_assurance(),
        )
    except services.StationRefused as refused:
        status = 403 if refused.code == "login_not_operator" else 400
        return render(request, "desk/station_login_refused.html", {"message": refused.message}, status=status)
    # A page that moves on by itself, not a redirect: the site's Content-Security-Policy
    # (form-action 'self') would stop a login form's redirect chain that ends elsewhere.
    response = render(request, "desk/station_login_back.html", {"back": back})
    response["Refresh"] = f"0; url={back}"
    response["Referrer-Policy"] = "no-referrer"  # the station software needs no word of where the browser was
    return response
