from django.contrib import admin

from .models import Card, CardType


@admin.register(CardType)
class CardTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "has_region_logo", "is_reserve_card", "puk_route", "station_profile"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["card_number", "holder", "card_type", "status", "valid_to"]
    list_filter = ["card_type", "status"]
    search_fields = ["card_number", "holder__last_name", "holder__hsa_id"]
    autocomplete_fields = ["holder"]
    list_select_related = ["holder", "card_type"]
