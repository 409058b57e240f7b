from typing import TYPE_CHECKING

from django.contrib import admin

from .models import Card, CardType

if TYPE_CHECKING:  # ModelAdmin is generic only in django-stubs, not at run time
    _CardTypeAdmin = admin.ModelAdmin[CardType]
    _CardAdmin = admin.ModelAdmin[Card]
else:
    _CardTypeAdmin = _CardAdmin = admin.ModelAdmin


@admin.register(CardType)
class CardTypeAdmin(_CardTypeAdmin):
    list_display = ["name", "name_en", "code", "has_region_logo", "is_reserve_card", "puk_route", "station_profile"]


@admin.register(Card)
class CardAdmin(_CardAdmin):
    list_display = ["card_number", "holder", "card_type", "status", "valid_to"]
    list_filter = ["card_type", "status"]
    search_fields = ["card_number", "holder__last_name", "holder__hsa_id"]
    autocomplete_fields = ["holder"]
    list_select_related = ["holder", "card_type"]
