"""Who may see and do what, asked in one place.

Contact persons hold guardian object permissions on a Förvaltning; every queryset of
orders a contact person sees is filtered through `forvaltningar_for`. The permissions are
a user's own, granted and taken away with their assignments (services.save_assignment and
remove_contact_person); no group holds any, and none is asked (which would cost the
look-up a second subquery on every page). The RS-kort administrators' permission on the
central queue is a plain model permission, given to the group RS-kortadministratörer.

An assignment may hold for a period only. A permission counts only while an assignment of
its holder for that förvaltning is in force, asked at the time of the request: the right
stops the moment it ends, though beat takes the permission away a little later
(services.end_expired_rights), and a permission no assignment stands behind (given by hand)
never counts.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

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
# Region Skåne's RS-kort administrators (the RA function): they decide the orders of the
# central queue, those whose förvaltning has too few contact persons. A model permission
# of orders.PukOrder, held directly or through the group RS-kortadministratörer.
DECIDE_IN_CENTRAL_QUEUE = "orders.decide_in_central_queue"

# Where forvaltningar_of memoises its answer on the user object, as Django's ModelBackend
# keeps _perm_cache: a user object lives for one request, so one look-up serves the
# access check, the view and the navigation of that request.
_CACHE = "_rsportal_forvaltningar"
_CENTRAL_CACHE = "_rsportal_central_administrator"


# The two look-ups every contact person's page makes, written out in SQL: built with
# guardian's get_objects_for_user and the ORM, the förvaltningar took 6 ms of CPU a
# request and the central permission 2 ms, where the queries themselves take a tenth of a
# millisecond. The rule is guardian's with use_groups, accept_global_perms and
# with_superuser off (a user's own object permission on the förvaltning), and Django's
# for the model permission (the user's own, or through a group).
_FORVALTNING_COLUMNS = [field.attname for field in Forvaltning._meta.concrete_fields]
_HELD_FORVALTNINGAR = f"""
    SELECT {", ".join(f"f.{column}" for column in _FORVALTNING_COLUMNS)}
    FROM organisation_forvaltning f
    WHERE f.id IN (
        SELECT p.content_object_id
        FROM organisation_forvaltninguserobjectpermission p
        JOIN auth_permission perm ON perm.id = p.permission_id
        JOIN django_content_type ct ON ct.id = perm.content_type_id
        WHERE p.user_id = %s AND ct.app_label = 'organisation' AND ct.model = 'forvaltning' AND perm.codename = %s
    )
    AND EXISTS (
        SELECT 1 FROM organisation_contactpersonassignment a
        WHERE a.forvaltning_id = f.id AND a.user_id = %s
          AND (a.valid_from IS NULL OR a.valid_from <= %s) AND (a.valid_until IS NULL OR a.valid_until > %s)
    )
    ORDER BY f.name
"""
_HOLDS_MODEL_PERMISSION = """
    SELECT 1 FROM auth_permission perm
    JOIN django_content_type ct ON ct.id = perm.content_type_id
    WHERE ct.app_label = %s AND perm.codename = %s AND (
        perm.id IN (SELECT permission_id FROM organisation_user_user_permissions WHERE user_id = %s)
        OR perm.id IN (
            SELECT gp.permission_id FROM auth_group_permissions gp
            JOIN organisation_user_groups ug ON ug.group_id = gp.group_id
            WHERE ug.user_id = %s
        )
    )
"""


def forvaltningar_for(user: AnyUser, perm: str = VIEW_ORDERS) -> QuerySet[Forvaltning]:
    """The förvaltningar `user` holds `perm` on through an assignment in force now."""
    return Forvaltning.objects.filter(pk__in=[forvaltning.pk for forvaltning in _held_forvaltningar(user, perm)])


def _held_forvaltningar(user: AnyUser, perm: str) -> list[Forvaltning]:
    if not user.is_authenticated:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_HELD_FORVALTNINGAR, [user.pk, perm.rpartition(".")[2], user.pk, now, now])
        rows = cursor.fetchall()
    return [Forvaltning.from_db(connection.alias, _FORVALTNING_COLUMNS, row) for row in rows]


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
        cache[perm] = _held_forvaltningar(user, perm)
    return cache[perm]


def forvaltning_ids_of(user: AnyUser, perm: str = VIEW_ORDERS) -> list[int]:
    return [forvaltning.pk for forvaltning in forvaltningar_of(user, perm)]


def is_contact_person(user: AnyUser) -> bool:
    return user.is_authenticated and bool(forvaltningar_of(user))


def is_central_administrator(user: AnyUser) -> bool:
    """Holds DECIDE_IN_CENTRAL_QUEUE, directly or through a group: one query, memoised on
    the user object as forvaltningar_of's answer (Django's has_perm would ask two). Like
    the förvaltningar, not granted by being a superuser."""
    if not (user.is_authenticated and user.is_active):
        return False
    known = getattr(user, _CENTRAL_CACHE, None)
    if known is None:
        app_label, codename = DECIDE_IN_CENTRAL_QUEUE.split(".")
        with connection.cursor() as cursor:
            cursor.execute(_HOLDS_MODEL_PERMISSION, [app_label, codename, user.pk, user.pk])
            known = cursor.fetchone() is not None
        setattr(user, _CENTRAL_CACHE, known)
    return bool(known)


def central_administrators() -> QuerySet[User]:
    """The active users who decide in the central queue."""
    holders = _central_permission().filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
    return User.objects.filter(Exists(holders), is_active=True)


def _central_permission() -> QuerySet[Permission]:
    app_label, codename = DECIDE_IN_CENTRAL_QUEUE.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def may_use_queue(user: AnyUser, perm: str = VIEW_ORDERS) -> bool:
    """May open the queue (Att hantera): a contact person of a förvaltning, or a central
    administrator."""
    return bool(forvaltningar_of(user, perm)) or is_central_administrator(user)


def queue_forvaltningar(user: AnyUser) -> list[Forvaltning]:
    """The förvaltningar whose orders `user`'s queue may show, to name and filter them by:
    their own, or, for a central administrator, every one (the central queue holds any
    förvaltning's orders)."""
    if is_central_administrator(user):
        return list(Forvaltning.objects.all())
    return forvaltningar_of(user)


def is_station_operator(user: AnyUser) -> bool:
    """Given the permission to work at a card station. A superuser holds every permission
    without being given it, so counts as an operator only when given this one as anyone
    else is (else an administrator would land at a desk page that is not theirs)."""
    if not user.is_authenticated:
        return False
    if not user.is_superuser:
        return user.has_perm(OPERATE_STATION)
    app_label, codename = OPERATE_STATION.split(".")
    given = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return given.filter(Q(user=user) | Q(group__user=user)).exists()


def employee_of(user: AnyUser) -> Employee | None:
    """The Employee record behind a login, or None."""
    if not user.is_authenticated:
        return None
    return getattr(user, "employee", None)
