import time
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .permissions import employee_of, is_central_administrator, is_contact_person, is_station_operator

# The navigation's answers are kept in the session for this long. Asking them costs four
# queries on every page (the operator permission alone two, the contact person's
# förvaltningar one), a tenth of the queue page's time. Each page still decides its own
# access afresh: a role given or taken away only shows in the menu within this time, or
# at the next login.
NAV_ROLES_SECONDS = 300
_SESSION_KEY = "nav_roles"


def roles(request: HttpRequest) -> dict[str, Any]:
    """`nav`: which parts of the navigation the logged-in user has (employee,
    contact_person, operator), looked up only when a template asks."""
    return {"nav": SimpleLazyObject(lambda: nav_roles(request))}


def nav_roles(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {"employee": False, "contact_person": False, "forvaltning_contact": False, "operator": False}
    now = time.time()
    saved = request.session.get(_SESSION_KEY)
    # Roles remembered before "forvaltning_contact" was added are asked again.
    if (
        saved
        and saved["user"] == user.pk
        and 0 <= now - saved["at"] < NAV_ROLES_SECONDS
        and "forvaltning_contact" in saved["roles"]
    ):
        return saved["roles"]
    forvaltning_contact = is_contact_person(user)
    found = {
        "employee": employee_of(user) is not None,
        # The queue (Att hantera): a contact person's, or a central administrator's.
        "contact_person": forvaltning_contact or is_central_administrator(user),
        # The contact person's other pages (order on behalf, report, settings).
        "forvaltning_contact": forvaltning_contact,
        "operator": is_station_operator(user),
    }
    request.session[_SESSION_KEY] = {"user": user.pk, "at": now, "roles": found}
    return found
