"""The monthly report of the contact person's förvaltningar."""

from django.shortcuts import render
from django.utils import timezone

from organisation.permissions import forvaltningar_for

from .access import contact_person_required
from .forms import ReportMonthForm
from .reports import letter_price, monthly_report, totals


@contact_person_required
def report(request):
    this_month = timezone.localdate().replace(day=1)
    form = ReportMonthForm(request.GET if "month" in request.GET else {"month": f"{this_month:%Y-%m}"})
    month = form.cleaned_data["month"] if form.is_valid() else None
    rows = monthly_report(forvaltningar_for(request.user), month) if month else []
    context = {"form": form, "month": month, "rows": rows, "total": totals(rows), "price": letter_price()}
    return render(request, "orders/queue/report.html", context)
