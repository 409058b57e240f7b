"""Mina inställningar: how each of the contact person's assignments mails them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organisation.models import ContactPersonAssignment

from .access import contact_person_required
from .forms import EmailPreferenceFormSet


@contact_person_required
def my_settings(request):
    assignments = ContactPersonAssignment.objects.filter(
        user=request.user, role=ContactPersonAssignment.Role.CONTACT_PERSON
    ).select_related("forvaltning")
    formset = EmailPreferenceFormSet(request.POST or None, queryset=assignments)
    if request.method == "POST":
        if formset.is_valid():
            formset.save()
            messages.success(request, _("Dina inställningar är sparade."))
            return redirect("orders:my_settings")
        messages.error(request, _("Inställningarna kunde inte sparas. Försök igen."))
    substitute_for = ContactPersonAssignment.objects.filter(
        user=request.user, role=ContactPersonAssignment.Role.SUBSTITUTE
    ).select_related("forvaltning")
    return render(request, "orders/queue/settings.html", {"formset": formset, "substitute_for": substitute_for})
