"""The contact person's queue (Att hantera): the list, its CSV export, one order, decisions."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from audit.models import AuditEvent
from organisation.permissions import (
    APPROVE_ORDERS,
    AuthenticatedRequest,
    is_central_administrator,
    queue_forvaltningar,
)
from sso.enforcement import require_assurance

from .. import exports, services
from ..access import contact_person_required
from ..filters import QueueFilter
from ..forms import RejectForm
from ..models import PukOrder
from ..queue_table import QueueTable, is_overdue, rows_html
from ..rules import SECOND_APPROVAL_REASONS, decision_refusal
from ..selectors import orders_for_contact_person, queue_rows, queue_table_values, with_placer_and_first_approver
from ..states import AWAITING_DECISION, OrderState
from ..transitions import OrderRefused

PAGE_SIZE = 25
# The queue counts its rows only this far (400 pages), or as far as the page asked for:
# past that it says "401+" pages. A förvaltning has tens of thousands of orders over the
# years, and COUNT(*) over all of them costs more than the rest of the page.
COUNT_CAP = 10_000
# From this row on, a page over several förvaltningar merges each one's newest orders
# (QueuePaginator._page_ids). Above it the plain query finds its rows within a few hundred
# index entries, and the merge would only add a query.
MERGE_FROM_ROW = 250


class QueueRequest(AuthenticatedRequest):
    """For type checking only: the queue's requests, which django-htmx's middleware marks."""

    htmx: HtmxDetails


class QueuePaginator(Paginator):  # of Any: it pages PukOrders into dicts (and is not generic at run time)
    """The queue's pages of orders (`object_list`: a queryset of PukOrder, in page order, of
    the förvaltningar `forvaltning_ids`; a page holds dicts of selectors.queue_table_values).

    Its count stops at COUNT_CAP rows, or at the page asked for if that is further: below
    the cap it is Django's Paginator exactly. A page picks its 25 order ids first (with
    OFFSET, on the orders table alone) and joins holder, card and the latest letter's
    posting to those 25 only, not to every row the OFFSET skips."""

    object_list: QuerySet[PukOrder]

    def __init__(
        self,
        object_list: QuerySet[PukOrder],
        per_page: int,
        wanted_page: str | None = None,
        forvaltning_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(object_list, per_page)
        self.forvaltning_ids = forvaltning_ids
        try:
            wanted = int(wanted_page) if wanted_page is not None else 1
        except (TypeError, ValueError):
            wanted = 1
        self.count_up_to = max(COUNT_CAP, wanted * per_page) if wanted < 10**7 else None
        self.more = False

    @cached_property
    def count(self) -> int:
        if self.count_up_to is None:
            return super().count
        rows = self.object_list.order_by()
        counted = rows[: self.count_up_to + 1].count()
        # One row past the limit tells there are more; the pages then end one row later.
        self.more = counted > self.count_up_to
        return counted

    def page(self, number: int | str) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = self._page_ids(bottom, top)
        values = queue_table_values(PukOrder.objects.filter(pk__in=ids))
        return self._get_page(values, number, self)  # type: ignore[attr-defined]  # Django's, not in django-stubs

    def _page_ids(self, bottom: int, top: int) -> Iterable[Any]:
        """The ids of the orders bottom..top, newest first. Deep in a list over several
        förvaltningar (on PostgreSQL), the newest `top` of each, from the index
        order_forvaltning_newest, are merged: the database cannot read one index in
        order for `forvaltning_id IN (…)`, and scanned every order of the region newest
        first until it had found `top` of them (15,000 for page 40 of two förvaltningar)."""
        orders = self.object_list
        merge = (
            bottom >= MERGE_FROM_ROW
            and len(self.forvaltning_ids) > 1
            and connection.features.supports_slicing_ordering_in_compound
        )
        if not merge:
            return orders.values("pk")[bottom:top]
        newest = [orders.filter(forvaltning_id=pk).values("pk", "created_at")[:top] for pk in self.forvaltning_ids]
        merged = newest[0].union(*newest[1:], all=True).order_by("-created_at")[bottom:top]
        return [row["pk"] for row in merged]

    @property
    def num_pages_label(self) -> str | int:
        num_pages = self.num_pages
        return f"{num_pages}+" if self.more else num_pages


def _queue_filter(request: AuthenticatedRequest) -> QueueFilter:
    return QueueFilter(
        request.GET,
        queryset=orders_for_contact_person(request.user),
        forvaltningar=queue_forvaltningar(request.user),
    )


@contact_person_required(central=True)
def queue(request: QueueRequest) -> HttpResponse:
    forvaltningar = queue_forvaltningar(request.user)
    queue_filter = _queue_filter(request)
    orders = (queue_filter.qs if queue_filter.is_valid() else queue_filter.queryset.none()).order_by("-created_at")
    wanted = request.GET.get("page")
    # The central queue's orders are of any förvaltning: not merged per förvaltning.
    merged = [] if is_central_administrator(request.user) else [f.pk for f in forvaltningar]
    page = QueuePaginator(orders, PAGE_SIZE, wanted, merged).get_page(wanted)
    rows = QueueTable(timezone.now(), exports.choice_labels(), forvaltningar, request.user.pk).rows(page)
    context = {
        "filter": queue_filter,
        "page": page,
        "rows": rows,
        "rows_html": rows_html(rows, several_forvaltningar=len(forvaltningar) > 1),
        "forvaltningar": forvaltningar,
        "several_forvaltningar": len(forvaltningar) > 1,
        "query_without_page": _query_without_page(request),
    }
    template = "orders/queue/_results.html" if request.htmx else "orders/queue/queue.html"
    return render(request, template, context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@contact_person_required(central=True)
def queue_export(request: AuthenticatedRequest) -> HttpResponse | StreamingHttpResponse:
    """The orders of the queue's current filter as CSV (semicolons and a BOM, as Excel in
    Swedish expects)."""
    queue_filter = _queue_filter(request)
    if not queue_filter.is_valid():
        messages.error(request, _("Filtret är ogiltigt; rätta det och exportera igen."))
        return redirect("orders:queue")
    response = StreamingHttpResponse(exports.csv_lines(queue_filter.qs), content_type="text/csv; charset=utf-8")
    filename = f"att-hantera-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@contact_person_required(central=True)
def queue_detail(
    request: AuthenticatedRequest, pk: int, bound_forms: Mapping[str, forms.Form] | None = None
) -> HttpResponse:
    """The order's page; `bound_forms` (by context name) are a refused decision's forms with
    what was typed, shown again instead of the empty ones."""
    # placed_by and first_approved_by too: the page names them, and a constant number of
    # queries whatever the order's history.
    order = with_placer_and_first_approver(
        get_object_or_404(queue_rows(orders_for_contact_person(request.user)), pk=pk)
    )
    return render(
        request,
        "orders/queue/detail.html",
        {
            "order": order,
            "events": AuditEvent.objects.for_object(order),
            "overdue": is_overdue(order, timezone.localdate()),
            "second_approval_reasons": [SECOND_APPROVAL_REASONS[key] for key in order.second_approval_reasons],
            # Why this user may not decide it, if so: the same rule the service refuses with.
            "decision_refusal": _decision_refusal(order, request.user) if order.state in AWAITING_DECISION else None,
            "reject_form": RejectForm(),
            "show_actor": True,
            **(bound_forms or {}),
        },
    )


def _decision_refusal(order: PukOrder, user: Any) -> str | None:
    refusal = decision_refusal(
        approver_id=user.pk,
        holder_user_id=order.holder.user_id,
        placed_by_id=order.placed_by_id,
        first_approved_by_id=order.first_approved_by_id,
    )
    return None if refusal is None else str(refusal)


def _decidable_order(request: AuthenticatedRequest, pk: int) -> PukOrder:
    return get_object_or_404(
        orders_for_contact_person(request.user, APPROVE_ORDERS).select_related("holder", "decided_by"), pk=pk
    )


@contact_person_required(central=True)
@require_POST
@require_assurance("decide")
def approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = _decidable_order(request, pk)
    try:
        services.approve_order(order=order, by=request.user, expected_state=request.POST.get("state", ""))
    except OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if order.state == OrderState.SECOND_APPROVAL:
            messages.success(
                request,
                _("%(ref)s har fått ett första godkännande och väntar nu på en andra, annan godkännare.")
                % {"ref": order.reference},
            )
        else:
            messages.success(request, _("%(ref)s är godkänd.") % {"ref": order.reference})
    return redirect("orders:queue_detail", order.pk)


@contact_person_required(central=True)
@require_POST
@require_assurance("decide")
def reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    order = _decidable_order(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return queue_detail(request, order.pk, bound_forms={"reject_form": form})  # with what was typed
    try:
        services.reject_order(
            order=order,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_state=request.POST.get("state", ""),
        )
    except OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(ref)s är avslagen.") % {"ref": order.reference})
    return redirect("orders:queue_detail", order.pk)


@contact_person_required(central=True)
@require_POST
@require_assurance("decide")
def approve_selected(request: AuthenticatedRequest) -> HttpResponse:
    """Approve several orders at once from the queue; each is decided on its own, and only
    if it is still in the state the list showed."""
    shown_state = {
        int(value): request.POST.get(f"state-{value}", "")
        for value in request.POST.getlist("order")
        # ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
        if value.isascii() and value.isdigit() and len(value) < 19
    }
    orders = list(
        orders_for_contact_person(request.user, APPROVE_ORDERS)
        .filter(pk__in=shown_state)
        .select_related("holder", "decided_by", "first_approved_by")
    )
    approved = first_approved = 0
    for order in orders:
        try:
            services.approve_order(order=order, by=request.user, expected_state=shown_state[order.pk])
        except OrderRefused as refusal:
            messages.warning(request, f"{order.reference}: {refusal.message}")
        else:
            if order.state == OrderState.SECOND_APPROVAL:
                first_approved += 1
            else:
                approved += 1
    if approved:
        messages.success(
            request,
            ngettext("%(count)d beställning godkändes.", "%(count)d beställningar godkändes.", approved)
            % {"count": approved},
        )
    if first_approved:
        messages.success(
            request,
            ngettext(
                "%(count)d beställning fick ett första godkännande och väntar nu på en andra, annan godkännare.",
                "%(count)d beställningar fick ett första godkännande och väntar nu på en andra, annan godkännare.",
                first_approved,
            )
            % {"count": first_approved},
        )
    not_found = len(shown_state) - len(orders)
    if not_found:
        messages.error(
            request,
            ngettext(
                "%(count)d markerad beställning kunde inte hanteras: "
                "den finns inte bland de beställningar du får besluta om.",
                "%(count)d markerade beställningar kunde inte hanteras: "
                "de finns inte bland de beställningar du får besluta om.",
                not_found,
            )
            % {"count": not_found},
        )
    if not shown_state:
        messages.error(request, _("Markera de beställningar du vill godkänna."))
    return HttpResponseRedirect(_local_path(request.POST.get("next", "")) or reverse("orders:queue"))


def _local_path(url: str) -> str:
    """`url` when it is a path on this site (the queue with its filters), else ''."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return ""
