from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import PukOrder
from .rules import SECOND_APPROVAL_REASONS


@admin.register(PukOrder)
class PukOrderAdmin(admin.ModelAdmin):
    """Read-only: an order changes only through the workflow (orders.services)."""

    list_display = ["reference", "holder", "forvaltning", "state", "created_at"]
    list_filter = ["state", "forvaltning"]
    search_fields = ["holder__last_name", "holder__hsa_id", "card__card_number"]
    list_select_related = ["holder", "forvaltning"]
    date_hierarchy = "created_at"
    # Shown in words instead (second_approval_reasons_in_words), not as the stored keys.
    exclude = ["second_approval_reasons"]

    def get_readonly_fields(self, request: HttpRequest, obj: PukOrder | None = None) -> list[str]:
        return [
            "second_approval_reasons_in_words" if field.name == "second_approval_reasons" else field.name
            for field in self.model._meta.fields
        ]

    @admin.display(description=_("skäl till andra godkännande"))
    def second_approval_reasons_in_words(self, order: PukOrder) -> str:
        return "; ".join(str(SECOND_APPROVAL_REASONS.get(key, key)) for key in order.second_approval_reasons) or "–"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PukOrder | None = None) -> bool:
        return False
