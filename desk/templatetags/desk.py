"""`{% card_stations %}`: the card stations a holder can visit, for the pages of other apps
that send someone to a desk. A tag rather than a view's context, so those apps' views do
not import the desk (which depends on them)."""

from django import template

from desk.models import Station

register = template.Library()


@register.inclusion_tag("desk/_card_stations.html")
def card_stations() -> dict[str, object]:
    return {"stations": list(Station.objects.filter(active=True).only("name", "name_en", "location", "location_en"))}
