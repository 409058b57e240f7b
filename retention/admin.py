from django.contrib import admin
from django.http import HttpRequest

from .models import RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """Read-only: what each run did, as it did it."""

    list_display = ["at", "counts", "audit_years_removed"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request: HttpRequest, obj: RetentionRun | None = None) -> list[str]:
        return ["at", "counts", "audit_years_removed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RetentionRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RetentionRun | None = None) -> bool:
        return False
