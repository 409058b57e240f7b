from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from . import services
from .models import ContactPersonAssignment, Employee, Forvaltning, User

admin.site.register(User, UserAdmin)


class ContactPersonAssignmentInline(admin.TabularInline):
    model = ContactPersonAssignment
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Forvaltning)
class ForvaltningAdmin(GuardedModelAdmin):
    list_display = ["name", "code", "approval_target_days"]
    search_fields = ["name", "code"]
    inlines = [ContactPersonAssignmentInline]

    def save_formset(self, request, form, formset, change):
        # Assignments go through the service so guardian's permissions follow them.
        if formset.model is not ContactPersonAssignment:
            return super().save_formset(request, form, formset, change)
        for assignment in formset.save(commit=False):
            services.assign_contact_person(
                user=assignment.user,
                forvaltning=form.instance,
                role=assignment.role,
                email_preference=assignment.email_preference,
            )
        for assignment in formset.deleted_objects:
            services.remove_contact_person(assignment)


@admin.register(ContactPersonAssignment)
class ContactPersonAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "forvaltning", "role", "email_preference"]
    list_filter = ["role", "email_preference", "forvaltning"]
    autocomplete_fields = ["user", "forvaltning"]

    def save_model(self, request, obj, form, change):
        if change and {"user", "forvaltning"} & set(form.changed_data):
            services.remove_contact_person(ContactPersonAssignment.objects.get(pk=obj.pk))
        services.assign_contact_person(
            user=obj.user, forvaltning=obj.forvaltning, role=obj.role, email_preference=obj.email_preference
        )

    def delete_model(self, request, obj):
        services.remove_contact_person(obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            services.remove_contact_person(assignment)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "hsa_id", "forvaltning"]
    list_filter = ["forvaltning"]
    search_fields = ["last_name", "first_name", "hsa_id", "personnummer"]
    autocomplete_fields = ["user"]
    list_select_related = ["forvaltning"]
