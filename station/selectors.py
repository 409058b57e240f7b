"""Read-side queries of the stations for pages outside the desk."""

from .models import Station


def stations_for_visitors():
    """The card stations a holder can visit, for pages that send someone to a desk."""
    return list(Station.objects.filter(active=True).only("name", "location"))
