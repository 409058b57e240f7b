"""The register extract in the Django admin: two buttons on an employee's change page
(PDF, JSON) and the same two as actions in the list of employees.

The employee's admin is organisation's, extended here and registered in its place:
organisation, below every app whose records the extract reads, cannot import this one."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from organisation.admin import EmployeeAdmin
from organisation.models import Employee, User

from .services import Extract, ExtractFormat, produce_register_extract


def _download(extract: Extract) -> HttpResponse:
    response = HttpResponse(extract.content, content_type=extract.content_type)
    response["Content-Disposition"] = f'attachment; filename="{extract.filename}"'
    response["Cache-Control"] = "no-store"
    return response


class EmployeeWithRegisterExtractAdmin(EmployeeAdmin):
    change_form_template = "admin/records/employee_change_form.html"
    actions = ["register_extract_pdf", "register_extract_json"]

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/registerutdrag/<str:extract_format>/",
                never_cache(self.register_extract_view),
                name="organisation_employee_register_extract",
            )
        ]
        return own + super().get_urls()

    def register_extract_view(self, request: HttpRequest, object_id: str, extract_format: str) -> HttpResponse:
        """POST only: producing an extract is an audited act. Anyone but active staff gets a
        404, as for any page of a role one does not have; staff who may not see the
        employee, a 403."""
        user = request.user
        if not (isinstance(user, User) and user.is_active and user.is_staff):
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            chosen = ExtractFormat(extract_format)
        except ValueError:
            raise Http404 from None
        employee = self.get_object(request, unquote(object_id))
        if employee is None:
            raise Http404
        if not self.has_view_permission(request, employee):
            raise PermissionDenied
        return _download(produce_register_extract(employee, by=user, extract_format=chosen))

    @admin.action(description=gettext_lazy("Registerutdrag som PDF (en person)"), permissions=["view"])
    def register_extract_pdf(self, request: HttpRequest, queryset: QuerySet[Employee]) -> HttpResponse | None:
        return self._extract_of_one(request, queryset, ExtractFormat.PDF)

    @admin.action(description=gettext_lazy("Registerutdrag som JSON (en person)"), permissions=["view"])
    def register_extract_json(self, request: HttpRequest, queryset: QuerySet[Employee]) -> HttpResponse | None:
        return self._extract_of_one(request, queryset, ExtractFormat.JSON)

    def _extract_of_one(
        self, request: HttpRequest, queryset: QuerySet[Employee], extract_format: ExtractFormat
    ) -> HttpResponse | None:
        employees = list(queryset[:2])
        if len(employees) != 1 or not isinstance(request.user, User):
            messages.error(request, _("Ett registerutdrag gäller en person: välj en."))
            return None
        return _download(produce_register_extract(employees[0], by=request.user, extract_format=extract_format))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "extract_formats": [(f.value, f.value.upper()) for f in ExtractFormat]}
        return super().change_view(request, object_id, form_url, context)


admin.site.unregister(Employee)
admin.site.register(Employee, EmployeeWithRegisterExtractAdmin)
