"""What the admin shows of a right with a period (RightPeriod): whether it is in force,
as a column and as a filter. Used by the contact-person assignments and the desk's
operator rights."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RightPeriod, in_force_q


class InForceFilter(admin.SimpleListFilter):
    title = _("giltighet")
    parameter_name = "giltighet"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("galler", _("gäller nu")), ("upphort", _("har upphört")), ("kommande", _("har inte börjat"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "galler":
            return queryset.filter(in_force_q(now))
        if self.value() == "upphort":
            return queryset.filter(valid_until__lte=now)
        if self.value() == "kommande":
            return queryset.filter(valid_from__gt=now)
        return queryset


class InForceColumn:
    """For a ModelAdmin or an inline of a RightPeriod: the column `in_force`, by name."""

    @admin.display(description=_("gäller nu"), boolean=True)
    def in_force(self, right: RightPeriod) -> bool:
        return right.in_force_at()
