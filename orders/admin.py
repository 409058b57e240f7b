from django.contrib import admin
from django.http import HttpRequest

from .models import PukOrder


@admin.register(PukOrder)
class PukOrderAdmin(admin.ModelAdmin):
    """Read-only: an order changes only through the workflow (orders.services)."""

    list_display = ["reference", "holder", "forvaltning", "state", "created_at"]
    list_filter = ["state", "forvaltning"]
    search_fields = ["holder__last_name", "holder__hsa_id", "card__card_number"]
    list_select_related = ["holder", "forvaltning"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: PukOrder | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PukOrder | None = None) -> bool:
        return False
