"""The contact person's pages beside the queue: the monthly report of their
förvaltningar, and Mina inställningar (how each assignment mails them)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import ContactPersonAssignment
from organisation.permissions import AuthenticatedRequest, forvaltningar_for

from ..access import contact_person_required
from ..forms import EmailPreferenceFormSet, ReportMonthForm
from ..reports import letter_price, monthly_report, totals


@contact_person_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    this_month = timezone.localdate().replace(day=1)
    form = ReportMonthForm(request.GET if "month" in request.GET else {"month": f"{this_month:%Y-%m}"})
    month = form.cleaned_data["month"] if form.is_valid() else None
    rows = monthly_report(forvaltningar_for(request.user), month) if month else []
    context = {"form": form, "month": month, "rows": rows, "total": totals(rows), "price": letter_price()}
    return render(request, "orders/queue/report.html", context)


@contact_person_required
def my_settings(request: AuthenticatedRequest) -> HttpResponse:
    assignments = ContactPersonAssignment.objects.filter(
        user=request.user, role=ContactPersonAssignment.Role.CONTACT_PERSON
    ).select_related("forvaltning")
    formset = EmailPreferenceFormSet(request.POST or None, queryset=assignments)
    if request.method == "POST":
        if formset.is_valid():
            formset.save()
            messages.success(request, _("Dina inställningar är sparade."))
            return redirect("orders:my_settings")
        messages.error(request, _("Inställningarna kunde inte sparas. Försök igen."))
    substitute_for = ContactPersonAssignment.objects.filter(
        user=request.user, role=ContactPersonAssignment.Role.SUBSTITUTE
    ).select_related("forvaltning")
    return render(request, "orders/queue/settings.html", {"formset": formset, "substitute_for": substitute_for})
