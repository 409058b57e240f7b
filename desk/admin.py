from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisation.admin_periods import InForceColumn, InForceFilter

from .credentials import new_credential
from .models import DeskVisit, PukTicket, Station, StationOperator, UnblockAttempt


class StationOperatorInline(InForceColumn, admin.TabularInline):
    """The station's operators, each for a period if the right has one."""

    model = StationOperator
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "valid_from", "valid_until", "in_force"]
    readonly_fields = ["in_force"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Stations and their operators. A new station's credential is shown once, here; the
    server keeps only its hash."""

    list_display = ["name", "name_en", "location", "active"]
    search_fields = ["name", "name_en", "location"]
    inlines = [StationOperatorInline]
    actions = ["renew_credential"]

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        if not obj.credential_hash:
            self._give_credential(request, obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Ny inloggningsnyckel för stationsprogrammet"))
    def renew_credential(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        for station in queryset:
            self._give_credential(request, station)
            station.save(update_fields=["credential_hash"])

    def _give_credential(self, request: HttpRequest, station: Station) -> None:
        credential, station.credential_hash = new_credential()
        messages.warning(
            request,
            _(
                "Inloggningsnyckel för %(station)s (visas bara nu; spara den i stationsprogrammets nyckelfil): "
                "%(credential)s"
            )
            % {"station": station.name, "credential": credential},
        )


@admin.register(StationOperator)
class StationOperatorAdmin(InForceColumn, admin.ModelAdmin):
    """Every operator's rights at the stations: their periods, and whether each holds now."""

    list_display = ["user", "station", "valid_from", "valid_until", "in_force"]
    list_filter = [InForceFilter, "station"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "station__name"]
    autocomplete_fields = ["user", "station"]
    list_select_related = ["user", "station"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(DeskVisit)
class DeskVisitAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "station", "operator", "card", "id_document"]
    list_filter = ["station", "id_document"]


@admin.register(UnblockAttempt)
class UnblockAttemptAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "visit", "pin", "assisted", "result", "tries_left_after"]
    list_select_related = ["visit__card", "visit__station"]  # what the visit's name shows
    list_filter = ["assisted", "result"]


@admin.register(PukTicket)
class PukTicketAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "station", "operator", "card", "expires_at", "used_at"]
