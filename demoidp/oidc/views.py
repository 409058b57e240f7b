"""The IdP's own pages: the login (username, password, method), the authorization endpoint that
asks for a new login when the RP wants a higher level than this session's, and the fault switch."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.views import AuthorizationView

from demoidp.methods import method_by_key, methods_at_least, requested_level
from demoidp.oidc.models import Fault
from demoidp.oidc.settings import PEOPLE_FILE
from demoidp.oidc.validator import FAULTS
from demoidp.people import check_password, load_people

SESSION_METHOD = "demoidp_method"


def _session_level(request: HttpRequest) -> int:
    method = method_by_key(request.session.get(SESSION_METHOD, ""))
    return method.level if method and request.user.is_authenticated else 0


class StepUpAuthorizationView(AuthorizationView):
    """Authorization with skip_authorization: a login at too low a level for acr_values is asked again."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _session_level(request) < requested_level(request.GET.get("acr_values", "")):
            logout(request)
            return redirect_to_login(request.get_full_path())
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def create_authorization_response(self, request: HttpRequest, scopes: Any, credentials: Any, allow: Any) -> Any:
        credentials["login_method"] = request.session.get(SESSION_METHOD, "")
        return super().create_authorization_response(request, scopes, credentials, allow)


def login_page(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    acr_values = parse_qs(urlsplit(next_url).query).get("acr_values", [""])[0]
    methods = methods_at_least(requested_level(acr_values))
    error = ""
    if request.method == "POST":
        person = check_password(
            load_people(PEOPLE_FILE), request.POST.get("username", ""), request.POST.get("password", "")
        )
        method = next((m for m in methods if m.key == request.POST.get("method")), None)
        if person is None:
            error = "Fel användarnamn eller lösenord."
        elif method is None:
            error = "Välj ett sätt att logga in."
        else:
            user, _ = get_user_model().objects.get_or_create(username=person.username)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_METHOD] = method.key
            return redirect(next_url)
    context = {"next": next_url, "methods": methods, "error": error, "username": request.POST.get("username", "")}
    return render(request, "demoidp_oidc/login.html", context, status=400 if error else 200)


@csrf_exempt
@require_POST
def order_fault(request: HttpRequest) -> HttpResponse:
    kind = json.loads(request.body or b"{}").get("next", "")
    if kind not in FAULTS:
        return HttpResponseBadRequest(f"Okänt fel: {kind!r}; känner till {', '.join(FAULTS)}")
    Fault.objects.create(kind=kind)
    return HttpResponse(status=204)
