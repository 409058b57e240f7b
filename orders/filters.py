from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
import django_filters

from .models import PukOrder
from .states import NEEDS_ACTION, OrderState

STATE_CHOICES = [("action", _("Att hantera")), ("all", _("Alla"))] + list(OrderState.choices)


class QueueFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    forvaltning = django_filters.ModelChoiceFilter(label=_("Förvaltning"), queryset=None, empty_label=_("Alla"))
    created_from = django_filters.DateFilter(
        label=_("Från"), field_name="created_at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = django_filters.DateFilter(
        label=_("Till"), field_name="created_at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label=_("Sök namn, HSA-id eller kortnummer"), method="search")

    class Meta:
        model = PukOrder
        fields = []

    def __init__(self, data=None, *args, forvaltningar, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("state", "action")
        super().__init__(data, *args, **kwargs)
        self.filters["forvaltning"].queryset = forvaltningar

    def filter_state(self, queryset, name, value):
        if value == "action":
            return queryset.filter(state__in=NEEDS_ACTION)
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        every_word_names_the_holder = Q()
        for word in value.split():
            every_word_names_the_holder &= Q(holder__first_name__istartswith=word) | Q(
                holder__last_name__istartswith=word
            )
        return queryset.filter(
            every_word_names_the_holder
            | Q(holder__hsa_id__iexact=value)
            | Q(card__card_number=value.replace(" ", ""))
        )
