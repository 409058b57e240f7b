"""The demo data keeps telling its stories whatever the day it is run."""

from datetime import timedelta

from django.utils import timezone

from organisation.population_register import AddressStatus, FileRegister

DAVID = "199302047312"  # the demo employee who just moved


def test_demo_register_gives_a_relative_move_date_counted_from_today(settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    answer = FileRegister().lookup(DAVID)
    assert answer.status == AddressStatus.REGISTERED
    assert answer.registered_since == timezone.localdate() - timedelta(days=11)
    assert answer.registered_since > timezone.localdate() - timedelta(days=settings.RSPORTAL_RECENT_ADDRESS_DAYS)
