from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from .reports import COLUMNS, daily_report


@login_required
def report(request):
    """Station acts per station, operator and day: for administrators (staff) only."""
    if not request.user.is_staff:
        raise Http404
    today = timezone.localdate()
    last = parse_date(request.GET.get("till", "")) or today
    first = parse_date(request.GET.get("fran", "")) or last - timedelta(days=6)
    rows = daily_report(first, last)
    return render(request, "station/report.html", {"rows": rows, "columns": [c[1] for c in COLUMNS],
                                                    "first": first, "last": last})
