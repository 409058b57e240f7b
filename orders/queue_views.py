"""The contact person's queue (Att hantera): the list, its CSV export, one order, decisions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from organisation.permissions import APPROVE_ORDERS, forvaltningar_for

from . import exports, services
from .access import contact_person_required
from .filters import QueueFilter
from .forms import RejectForm
from .rules import SECOND_APPROVAL_REASONS
from .selectors import orders_for_contact_person, queue_rows
from .states import AWAITING_DECISION
from .working_days import working_days_between

PAGE_SIZE = 25


def _overdue(order, today):
    # The target is for the decision: a letter on its way is not late.
    return order.state in AWAITING_DECISION and working_days_between(
        timezone.localdate(order.created_at), today
    ) > order.forvaltning.approval_target_days


def _queue_filter(request, forvaltningar):
    return QueueFilter(request.GET, queryset=orders_for_contact_person(request.user), forvaltningar=forvaltningar)


@contact_person_required
def queue(request):
    forvaltningar = forvaltningar_for(request.user)
    queue_filter = _queue_filter(request, forvaltningar)
    orders = queue_rows(queue_filter.qs) if queue_filter.is_valid() else queue_rows(queue_filter.queryset.none())
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for order in page:
        order.overdue = _overdue(order, today)
    context = {
        "filter": queue_filter,
        "page": page,
        "several_forvaltningar": len(forvaltningar) > 1,
        "query_without_page": _query_without_page(request),
    }
    template = "orders/queue/_results.html" if request.htmx else "orders/queue/queue.html"
    return render(request, template, context)


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@contact_person_required
def queue_export(request):
    """The orders of the queue's current filter as CSV (semicolons and a BOM, as Excel in
    Swedish expects)."""
    queue_filter = _queue_filter(request, forvaltningar_for(request.user))
    if not queue_filter.is_valid():
        messages.error(request, _("Filtret är ogiltigt; rätta det och exportera igen."))
        return redirect("orders:queue")
    response = StreamingHttpResponse(exports.csv_lines(queue_filter.qs), content_type="text/csv; charset=utf-8")
    filename = f"att-hantera-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@contact_person_required
def queue_detail(request, pk):
    order = get_object_or_404(queue_rows(orders_for_contact_person(request.user)), pk=pk)
    return render(
        request,
        "orders/queue/detail.html",
        {
            "order": order,
            "events": AuditEvent.objects.for_object(order),
            "overdue": _overdue(order, timezone.localdate()),
            "second_approval_reasons": [SECOND_APPROVAL_REASONS[key] for key in order.second_approval_reasons],
            "reject_form": RejectForm(),
            "show_actor": True,
        },
    )


def _decidable_order(request, pk):
    return get_object_or_404(
        orders_for_contact_person(request.user, APPROVE_ORDERS).select_related("holder", "decided_by"), pk=pk
    )


@contact_person_required
@require_POST
def approve(request, pk):
    order = _decidable_order(request, pk)
    try:
        services.approve_order(order=order, by=request.user)
    except services.OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(ref)s är godkänd.") % {"ref": order.reference})
    return redirect("orders:queue_detail", order.pk)


@contact_person_required
@require_POST
def reject(request, pk):
    order = _decidable_order(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv ett skäl till avslaget; innehavaren får se det."))
        return redirect("orders:queue_detail", order.pk)
    try:
        services.reject_order(order=order, by=request.user, reason=form.cleaned_data["reason"])
    except services.OrderRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(ref)s är avslagen.") % {"ref": order.reference})
    return redirect("orders:queue_detail", order.pk)


@contact_person_required
@require_POST
def approve_selected(request):
    """Approve several orders at once from the queue; each is decided on its own."""
    ids = [int(value) for value in request.POST.getlist("order") if value.isdigit() and len(value) < 19]
    orders = orders_for_contact_person(request.user, APPROVE_ORDERS).filter(pk__in=ids).select_related("holder", "decided_by")
    approved = 0
    for order in orders:
        try:
            services.approve_order(order=order, by=request.user)
            approved += 1
        except services.OrderRefused as refusal:
            messages.warning(request, f"{order.reference}: {refusal.message}")
    if approved:
        messages.success(
            request,
            ngettext("%(count)d beställning godkändes.", "%(count)d beställningar godkändes.", approved)
            % {"count": approved},
        )
    elif not ids:
        messages.error(request, _("Markera de beställningar du vill godkänna."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "orders:queue"
    return redirect(next_url or "orders:queue")
