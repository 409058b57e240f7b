from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import SyncRun

if TYPE_CHECKING:  # ModelAdmin is generic only in django-stubs, not at run time
    _SyncRunAdmin = admin.ModelAdmin[SyncRun]
else:
    _SyncRunAdmin = admin.ModelAdmin


@admin.register(SyncRun)
class SyncRunAdmin(_SyncRunAdmin):
    """The state of the mirror: each run, what it changed and what it refused. Read only."""

    list_display = ["register", "started_at", "finished_at", "dry_run", "outcome", "rows_read", "writes", "counts"]
    list_filter = ["register", "outcome", "dry_run"]
    readonly_fields = [field.name for field in SyncRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
