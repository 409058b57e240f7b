"""Who may see and do what, asked in one place.

Contact persons hold guardian object permissions on a Förvaltning; every queryset of
orders a contact person sees is filtered through `forvaltningar_for`. The permissions are
a user's own, granted and taken away with their assignments (services.save_assignment and
remove_contact_person); no group holds any, and none is asked (which would cost the
look-up a second subquery on every page).
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest
from guardian.shortcuts import get_objects_for_user

from .models import Employee, Forvaltning, User

# Whom a request is for: a login, or the anonymous user before one.
AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """For type checking only: the request of a view behind login_required, whose user is
    a login. Django hands such a view a plain HttpRequest."""

    user: User


VIEW_ORDERS = "organisation.view_orders"
APPROVE_ORDERS = "organisation.approve_orders"
OPERATE_STATION = "cards.operate_station"

# Where forvaltningar_of memoises its answer on the user object, as Django's ModelBackend
# keeps _perm_cache: a user object lives for one request, so one look-up serves the
# access check, the view and the navigation of that request.
_CACHE = "_rsportal_forvaltningar"


def forvaltningar_for(user: AnyUser, perm: str = VIEW_ORDERS) -> QuerySet[Forvaltning]:
    if not user.is_authenticated:
        return Forvaltning.objects.none()
    return get_objects_for_user(
        user, perm, klass=Forvaltning, use_groups=False, accept_global_perms=False, with_superuser=False
    )


def forvaltningar_of(user: AnyUser, perm: str = VIEW_ORDERS) -> list[Forvaltning]:
    """The förvaltningar `user` holds `perm` on, as a list, looked up once per user object
    (in a view: once per request)."""
    if not user.is_authenticated:
        return []
    cache = getattr(user, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE, cache)  # through request.user's lazy wrapper, onto the user
    if perm not in cache:
        cache[perm] = list(forvaltningar_for(user, perm))
    return cache[perm]


def forvaltning_ids_of(user: AnyUser, perm: str = VIEW_ORDERS) -> list[int]:
    return [forvaltning.pk for forvaltning in forvaltningar_of(user, perm)]


def is_contact_person(user: AnyUser) -> bool:
    return user.is_authenticated and bool(forvaltningar_of(user))


def is_station_operator(user: AnyUser) -> bool:
    return user.is_authenticated and user.has_perm(OPERATE_STATION)


def employee_of(user: AnyUser) -> Employee | None:
    """The Employee record behind a login, or None."""
    if not user.is_authenticated:
        return None
    return getattr(user, "employee", None)
