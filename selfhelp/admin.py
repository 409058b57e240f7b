from django.contrib import admin
from django.http import HttpRequest

from .models import GuideFeedback


@admin.register(GuideFeedback)
class GuideFeedbackAdmin(admin.ModelAdmin):
    """Read-only: the feedback as it was given. Deleting stays possible (for administrators
    with the permission), for a text that holds personal data it should not."""

    list_display = ["created_at", "guide", "helpful", "forvaltning", "text"]
    list_filter = ["guide", "helpful", "forvaltning", "created_at"]
    search_fields = ["text"]
    list_select_related = ["forvaltning"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: GuideFeedback | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: GuideFeedback | None = None) -> bool:
        return False
