"""Read-side queries for orders. Every list of orders a user sees starts here."""

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cards.models import Card
from organisation.models import Employee, User
from organisation.permissions import (
    APPROVE_ORDERS,
    VIEW_ORDERS,
    AnyUser,
    forvaltning_ids_of,
    forvaltningar_for,
    is_central_administrator,
)

from .models import Letter, PukOrder
from .rules import TypicalTime, typical_time
from .states import OPEN_STATES
from .working_days import working_days_between


def orders_of_employee(employee: Employee) -> QuerySet[PukOrder]:
    # The förvaltning and placer too: the order page says who decides (orders.outlook).
    return PukOrder.objects.filter(holder=employee).select_related("card__card_type", "forvaltning", "placed_by")


def open_order_for_card(card: Card) -> PukOrder | None:
    return PukOrder.objects.filter(card=card, state__in=OPEN_STATES).first()


def open_orders_by_card(cards: Iterable[Card]) -> dict[int, PukOrder]:
    """{card_id: order} for the cards that have an open order, in one query."""
    orders = PukOrder.objects.filter(card__in=cards, state__in=OPEN_STATES).only("id", "card_id", "state")
    return {order.card_id: order for order in orders}


def orders_for_contact_person(user: AnyUser, perm: str = VIEW_ORDERS) -> QuerySet[PukOrder]:
    """The orders of the förvaltningar `user` holds `perm` on: the queue's only source.

    The förvaltningar are looked up first (once per request, see forvaltning_ids_of) and
    go into the query as literal ids, not as guardian's permission subquery: the planner
    then knows how many orders match and picks the right index at a million orders.

    A central administrator (organisation.permissions.is_central_administrator) also has
    the orders of the central queue, of any förvaltning."""
    own = Q(forvaltning_id__in=forvaltning_ids_of(user, perm))
    if is_central_administrator(user):
        return PukOrder.objects.filter(own | Q(central_queue=True))
    return PukOrder.objects.filter(own)


# How many of a förvaltning's newest posted orders the typical time is the median of, at most.
TYPICAL_TIME_SAMPLE = 200


def typical_time_for(forvaltning_id: int) -> TypicalTime:
    """How long an order of the förvaltning usually takes from order to posted letter: the
    median, in working days, of its orders of the last RSPORTAL_TYPICAL_TIME_WINDOW_DAYS
    whose first letter has been posted (the newest TYPICAL_TIME_SAMPLE of them), or the
    stated default when there are fewer than RSPORTAL_TYPICAL_TIME_MIN_ORDERS. One query,
    along the index of the förvaltning's newest orders."""
    since = timezone.now() - timedelta(days=settings.RSPORTAL_TYPICAL_TIME_WINDOW_DAYS)
    # The first letter's posting as a subquery per order, not a join: joined, PostgreSQL
    # read every letter of the register into a hash for each order page (49 ms at a million
    # orders, most of the database's time under load); this way it walks the newest orders
    # and looks each one's letter up by index until it has the sample (4 ms).
    first_posted = Letter.objects.filter(order=OuterRef("pk"), generation=1).order_by().values("posted_at")[:1]
    rows = (
        PukOrder.objects.filter(forvaltning_id=forvaltning_id, created_at__gte=since)
        .annotate(posted_at=Subquery(first_posted))
        .filter(posted_at__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", "posted_at")[:TYPICAL_TIME_SAMPLE]
    )
    days = [working_days_between(timezone.localdate(created), timezone.localdate(posted)) for created, posted in rows]
    return typical_time(
        days,
        minimum_orders=settings.RSPORTAL_TYPICAL_TIME_MIN_ORDERS,
        default_days=settings.RSPORTAL_TYPICAL_TIME_DEFAULT_DAYS,
    )


def queue_rows(queryset: QuerySet[PukOrder]) -> QuerySet[PukOrder]:
    return queryset.select_related("holder", "card__card_type", "forvaltning").order_by("-created_at")


def with_placer_and_first_approver(order: PukOrder) -> PukOrder:
    """`order` with the people who placed it and first approved it loaded, in one query.
    Not joined to the order's own query: with them it joined seven tables, which took
    PostgreSQL 1.5 ms to plan on every order page (and 0.2 ms to run); five take 0.4."""
    people = User.objects.in_bulk([pk for pk in (order.placed_by_id, order.first_approved_by_id) if pk is not None])
    order.placed_by = people[order.placed_by_id]
    if order.first_approved_by_id is not None:
        order.first_approved_by = people[order.first_approved_by_id]
    return order


# What the queue's table (queue_table.QueueTable) shows of an order. Read as values, not
# as PukOrder objects with their holder and card: making the objects took half again as
# long as the query. The förvaltning is not joined: the contact person's own are loaded.
QUEUE_TABLE_FIELDS = (
    "pk",
    "state",
    "reason",
    "blocked_codes",
    "created_at",
    "needs_second_approval",
    "second_approval_reasons",
    "central_queue",
    "placed_by_id",
    "first_approved_by_id",
    "holder__user_id",
    "forvaltning_id",
    "holder__first_name",
    "holder__last_name",
    "holder__hsa_id",
    "card__card_number",
    "card__card_type__name",
    "card__card_type__name_en",
)


def queue_table_values(queryset: QuerySet[PukOrder]) -> QuerySet[PukOrder, dict[str, Any]]:
    """The orders of `queryset` as dicts of QUEUE_TABLE_FIELDS, newest first, with their
    latest letter's posting: when, the tracking id, and whether it went through the
    forwarding service. Subqueries, so a page of the queue takes one query."""
    latest = Letter.objects.filter(order=OuterRef("pk")).order_by("-generation")
    # values() of fields named at run time (*QUEUE_TABLE_FIELDS) is Any to django-stubs.
    rows: QuerySet[PukOrder, dict[str, Any]] = (
        queryset.annotate(
            letter_posted_at=Subquery(latest.values("posted_at")[:1]),
            letter_tracking_id=Subquery(latest.values("tracking_id")[:1]),
            letter_forwarded=Subquery(latest.values("forwarded")[:1]),
        )
        .order_by("-created_at")
        .values(*QUEUE_TABLE_FIELDS, "letter_posted_at", "letter_tracking_id", "letter_forwarded")
    )
    return rows


def cards_orderable_by(user: AnyUser) -> QuerySet[Card]:
    """The cards a contact person may order a letter for: those of the employees of the
    förvaltningar they approve for."""
    return Card.objects.filter(holder__forvaltning__in=forvaltningar_for(user, APPROVE_ORDERS)).select_related(
        "card_type", "holder__forvaltning"
    )


def employees_matching(user: AnyUser, query: str, limit: int = 20) -> QuerySet[Employee]:
    """Employees of the förvaltningar `user` approves for, found by every word starting a
    name, by HSA-id, or by personnummer (10 or 12 digits)."""
    names = Q()
    for word in query.split():
        names &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    match = names | Q(hsa_id__iexact=query.strip())
    digits = re.sub(r"[-+ ]", "", query)
    if digits.isdigit() and len(digits) in (10, 12):
        match |= Q(personnummer__endswith=digits)
    return (
        Employee.objects.filter(match, forvaltning__in=forvaltningar_for(user, APPROVE_ORDERS))
        .select_related("forvaltning")
        .prefetch_related(Prefetch("cards", Card.objects.select_related("card_type")))[:limit]
    )
