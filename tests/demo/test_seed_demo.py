"""The demo data keeps telling its stories whatever the day it is run."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from demo.management.commands import seed_demo
from orders.models import Letter, PukOrder
from orders.states import OrderState
from organisation.population_register import AddressStatus, FileRegister

DAVID = "199302047312"  # the demo employee who just moved


def test_demo_register_gives_a_relative_move_date_counted_from_today(settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    answer = FileRegister().lookup(DAVID)
    assert answer.status == AddressStatus.REGISTERED
    assert answer.registered_since == timezone.localdate() - timedelta(days=11)
    assert answer.registered_since > timezone.localdate() - timedelta(days=settings.RSPORTAL_RECENT_ADDRESS_DAYS)


@pytest.fixture
def demo(tmp_path, monkeypatch, settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")  # not the checkout's var/
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_starts_with_an_order_in_each_state_a_contact_person_meets_and_makes_them_once(demo):
    call_command("seed_demo", stdout=io.StringIO())  # run again: nothing new

    states = dict(PukOrder.objects.values_list("holder__first_name", "state"))
    assert states == {
        "Erik": OrderState.SUBMITTED,
        "Gustav": OrderState.SUBMITTED,
        "Fatima": OrderState.POSTED,
        "Hanna": OrderState.RETURNED,
        "Ivar": OrderState.REJECTED,
    }
    gustav = PukOrder.objects.get(holder__first_name="Gustav")
    assert gustav.needs_second_approval and gustav.placed_by.username == "kalle"
    assert Letter.objects.get(order__holder__first_name="Fatima").tracking_id == "RR876543216SE"


@pytest.mark.django_db
def test_karins_queue_opens_on_the_demo_orders_waiting_for_her(demo, client):
    client.force_login(get_user_model().objects.get(username="karin"))
    page = client.get(reverse("orders:queue")).content.decode()
    for waiting in ("Erik Ek", "Gustav Gran", "Hanna Holm"):
        assert waiting in page
    assert "Fatima Fors" not in page  # on its way: nothing to do
