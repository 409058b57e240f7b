"""`{% card_stations %}`: the card stations a holder can visit, for the pages of other apps
that send someone to a desk. A tag rather than a view's context, so those apps' views do
not import the desk (which depends on them)."""

from django import template

from desk.models import Station

register = template.Library()

# Where card_stations keeps its answer on the request.
_STATIONS = "_rsportal_card_stations"


@register.inclusion_tag("desk/_card_stations.html", takes_context=True)
def card_stations(context: template.Context) -> dict[str, object]:
    """Looked up once per request: Mina kort shows them under each card that needs a desk."""
    request = context.get("request")
    stations = getattr(request, _STATIONS, None)
    if stations is None:
        stations = list(Station.objects.filter(active=True).only("name", "name_en", "location", "location_en"))
        if request is not None:
            setattr(request, _STATIONS, stations)
    return {"stations": stations}
