"""Who may see and do what, asked in one place.

Contact persons hold guardian object permissions on a Förvaltning; every queryset of
orders a contact person sees is filtered through `forvaltningar_for`.
"""

from guardian.shortcuts import get_objects_for_user

from .models import Forvaltning

VIEW_ORDERS = "organisation.view_orders"
APPROVE_ORDERS = "organisation.approve_orders"
OPERATE_STATION = "cards.operate_station"


def forvaltningar_for(user, perm=VIEW_ORDERS):
    if not user.is_authenticated:
        return Forvaltning.objects.none()
    return get_objects_for_user(user, perm, klass=Forvaltning, accept_global_perms=False, with_superuser=False)


def is_contact_person(user) -> bool:
    return user.is_authenticated and forvaltningar_for(user).exists()


def is_station_operator(user) -> bool:
    return user.is_authenticated and user.has_perm(OPERATE_STATION)


def employee_of(user):
    """The Employee record behind a login, or None."""
    if not user.is_authenticated:
        return None
    return getattr(user, "employee", None)
