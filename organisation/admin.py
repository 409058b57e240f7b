from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .admin_periods import InForceColumn, InForceFilter
from .lockout_admin import LockoutAdmin
from .models import ContactPersonAssignment, Employee, Forvaltning, User, in_force_q

admin.site.register(User, UserAdmin)
# Failed logins and lockouts (django-axes), lifted here with an audit event.
admin.site.register(AccessAttempt, LockoutAdmin)


class ContactPersonAssignmentInlineForm(forms.ModelForm):
    def validate_unique(self) -> None:
        # The förvaltning is not a field of the inline's form, so Django leaves out the
        # one-assignment-per-person constraint: checked here, with the förvaltning the
        # inline has set on the instance, so a second one is a message and not a 500.
        super().validate_unique()
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]  # ModelForm's, not in django-stubs


class ContactPersonAssignmentInline(InForceColumn, admin.TabularInline):
    model = ContactPersonAssignment
    form = ContactPersonAssignmentInlineForm
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "email_preference", "valid_from", "valid_until", "in_force"]
    readonly_fields = ["in_force"]


# Four eyes needs two different people. A förvaltning with fewer active contact persons and
# ersättare sends the orders they cannot approve (placed on behalf by one of them, or needing
# two approvers) to the RS-kort administrators' central queue (orders.services).
ENOUGH_APPROVERS = 2


class LacksApproversFilter(admin.SimpleListFilter):
    title = _("godkännare")
    parameter_name = "saknar_godkannare"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ja", _("saknar tillräckligt många godkännare")), ("nej", _("har tillräckligt många godkännare"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Forvaltning]) -> QuerySet[Forvaltning]:
        # approver_count: ForvaltningAdmin.get_queryset's annotation (unknown to the type stubs)
        if self.value() == "ja":
            return queryset.filter(**{"approver_count__lt": ENOUGH_APPROVERS})
        if self.value() == "nej":
            return queryset.filter(**{"approver_count__gte": ENOUGH_APPROVERS})
        return queryset


@admin.register(Forvaltning)
class ForvaltningAdmin(admin.ModelAdmin):
    """Who handles a förvaltning's orders is set by its assignments (the inline) only: not a
    GuardedModelAdmin, whose object-permission page would let the permissions drift from
    the assignments that the mail and the substitutes' reminders go by."""

    list_display = ["name", "code", "approval_target_days", "approvers"]
    list_filter = [LacksApproversFilter]
    search_fields = ["name", "code"]
    inlines = [ContactPersonAssignmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Forvaltning]:
        active = Q(contact_assignments__user__is_active=True) & in_force_q(prefix="contact_assignments__")
        return super().get_queryset(request).annotate(approver_count=Count("contact_assignments", filter=active))

    @admin.display(description=_("godkännare (kontaktpersoner och ersättare)"), ordering="approver_count")
    def approvers(self, forvaltning: Forvaltning) -> str:
        count: int = getattr(forvaltning, "approver_count", 0)
        if count < ENOUGH_APPROVERS:
            return _("%(count)d – för få för fyra ögon") % {"count": count}
        return str(count)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Assignments go through the service so guardian's permissions follow them.
        if formset.model is not ContactPersonAssignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            services.save_assignment(assignment, actor=request.user)
        for assignment in formset.deleted_objects:
            services.remove_contact_person(assignment, actor=request.user)


@admin.register(ContactPersonAssignment)
class ContactPersonAssignmentAdmin(InForceColumn, admin.ModelAdmin):
    list_display = ["user", "forvaltning", "role", "email_preference", "valid_from", "valid_until", "in_force"]
    list_filter = [InForceFilter, "role", "email_preference", "forvaltning"]
    autocomplete_fields = ["user", "forvaltning"]

    def save_model(self, request: HttpRequest, obj: ContactPersonAssignment, form: Any, change: bool) -> None:
        services.save_assignment(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: ContactPersonAssignment) -> None:
        services.remove_contact_person(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ContactPersonAssignment]) -> None:
        for assignment in queryset:
            services.remove_contact_person(assignment, actor=request.user)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "hsa_id", "forvaltning"]
    list_filter = ["forvaltning"]
    search_fields = ["last_name", "first_name", "hsa_id", "personnummer"]
    autocomplete_fields = ["user"]
    list_select_related = ["forvaltning"]
