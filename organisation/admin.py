from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import ContactPersonAssignment, Employee, Forvaltning, User

admin.site.register(User, UserAdmin)


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


class ContactPersonAssignmentInline(admin.TabularInline):
    model = ContactPersonAssignment
    form = ContactPersonAssignmentInlineForm
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Forvaltning)
class ForvaltningAdmin(admin.ModelAdmin):
    """Who handles a förvaltning's orders is set by its assignments (the inline) only: not a
    GuardedModelAdmin, whose object-permission page would let the permissions drift from
    the assignments that the mail and the substitutes' reminders go by."""

    list_display = ["name", "code", "approval_target_days"]
    search_fields = ["name", "code"]
    inlines = [ContactPersonAssignmentInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Assignments go through the service so guardian's permissions follow them.
        if formset.model is not ContactPersonAssignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            services.save_assignment(assignment)
        for assignment in formset.deleted_objects:
            services.remove_contact_person(assignment)


@admin.register(ContactPersonAssignment)
class ContactPersonAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "forvaltning", "role", "email_preference"]
    list_filter = ["role", "email_preference", "forvaltning"]
    autocomplete_fields = ["user", "forvaltning"]

    def save_model(self, request: HttpRequest, obj: ContactPersonAssignment, form: Any, change: bool) -> None:
        services.save_assignment(obj)

    def delete_model(self, request: HttpRequest, obj: ContactPersonAssignment) -> None:
        services.remove_contact_person(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ContactPersonAssignment]) -> None:
        for assignment in queryset:
            services.remove_contact_person(assignment)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "hsa_id", "forvaltning"]
    list_filter = ["forvaltning"]
    search_fields = ["last_name", "first_name", "hsa_id", "personnummer"]
    autocomplete_fields = ["user"]
    list_select_related = ["forvaltning"]
