"""Login lockouts in the Django admin: administrators see axes' records of failed logins
(username, address, failures, when) and lift a lockout, each lift an audit event. A
record is removed only that way: the admin's plain delete is not offered."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.actions import AuditAction
from audit.services import record

from .login_lockout import subject_of


class LockoutAdmin(AccessAttemptAdmin):
    actions = ["lift_lockout"]
    search_fields = ["username", "ip_address"]

    def has_delete_permission(self, request: HttpRequest, obj: AccessAttempt | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessAttempt | None = None) -> bool:
        return False

    @admin.action(description=_("Häv inloggningsspärren för de valda"), permissions=["view"])
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        lifted = 0
        with transaction.atomic():
            for attempt in queryset.select_for_update():
                record(
                    AuditAction.LOGIN_LOCKOUT_LIFTED,
                    subject_of(attempt),
                    actor=request.user,
                    username=(attempt.username or "")[:150],
                    ip_address=attempt.ip_address or "",
                    failures=attempt.failures_since_start,
                )
                attempt.delete()
                lifted += 1
        self.message_user(
            request,
            ngettext("Spärren hävdes för %(count)d post.", "Spärren hävdes för %(count)d poster.", lifted)
            % {"count": lifted},
            messages.SUCCESS,
        )
