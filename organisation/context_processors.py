import time
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .permissions import employee_of, is_contact_person, is_station_operator

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
        return {"employee": False, "contact_person": False, "operator": False}
    now = time.time()
    saved = request.session.get(_SESSION_KEY)
    if saved and saved["user"] == user.pk and 0 <= now - saved["at"] < NAV_ROLES_SECONDS:
        return saved["roles"]
    found = {
        "employee": employee_of(user) is not None,
        "contact_person": is_contact_person(user),
        "operator": is_station_operator(user),
    }
    request.session[_SESSION_KEY] = {"user": user.pk, "at": now, "roles": found}
    return found
