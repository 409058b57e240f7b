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
        "Gustav": OrderState.LETTER_QUEUED,
        "Jonas": OrderState.SUBMITTED,
        "Fatima": OrderState.POSTED,
        "Hanna": OrderState.RETURNED,
        "Ivar": OrderState.REJECTED,
    }
    # Placed on behalf by kalle, the first pair of eyes; karin's approval completes it.
    gustav = PukOrder.objects.get(holder__first_name="Gustav")
    assert (gustav.placed_by.username, gustav.decided_by.username) == ("kalle", "karin")
    assert gustav.first_approved_by is None and Letter.objects.filter(order=gustav).exists()
    # Regionservice has no contact person: Jonas's order waits for the RS-kort administrators.
    jonas = PukOrder.objects.get(holder__first_name="Jonas")
    assert jonas.central_queue and jonas.forvaltning.code == "regionservice"
    assert Letter.objects.get(order__holder__first_name="Fatima").tracking_id == "RR876543216SE"


@pytest.mark.django_db
def test_karins_queue_opens_on_the_demo_orders_waiting_for_her(demo, client):
    client.force_login(get_user_model().objects.get(username="karin"))
    page = client.get(reverse("orders:queue")).content.decode()
    for waiting in ("Erik Ek", "Hanna Holm"):
        assert waiting in page
    assert "Fatima Fors" not in page and "Gustav Gran" not in page  # on its way: nothing to do
    assert "Jonas Lind" not in page  # another förvaltning's, in the central queue


@pytest.mark.django_db
def test_ritas_central_queue_holds_the_order_of_the_forvaltning_without_contact_persons(demo, client):
    client.force_login(get_user_model().objects.get(username="rita"))
    page = client.get(reverse("orders:queue")).content.decode()
    assert "Jonas Lind" in page and "Central kö" in page
    assert "Erik Ek" not in page  # Skånes universitetssjukvård has its contact persons
    jonas = PukOrder.objects.get(holder__first_name="Jonas")
    detail = client.get(reverse("orders:queue_detail", args=[jonas.pk])).content.decode()
    assert reverse("orders:approve", args=[jonas.pk]) in detail


@pytest.mark.django_db
def test_the_demo_says_before_any_form_that_cecilia_and_ivar_get_no_letter(demo, client):
    """Cecilia has no registered address, Ivar's broken card is revoked: neither is offered
    an order, on Mina kort or in karin's on-behalf search, and each is told why."""
    client.force_login(get_user_model().objects.get(username="cecilia"))
    page = client.get(reverse("orders:my_cards")).content.decode()
    assert "Du saknar folkbokföringsadress" in page and "Beställ ny PUK-kod</a>" not in page

    client.force_login(get_user_model().objects.get(username="karin"))
    for name, why in (("Cecilia", "Medarbetaren saknar folkbokföringsadress"), ("Ivar", "Kortet är spärrat")):
        page = client.get(reverse("orders:on_behalf"), {"q": name}).content.decode()
        assert why in page and "Beställ ny PUK-kod</a>" not in page
    page = client.get(reverse("orders:on_behalf"), {"q": "Erik"}).content.decode()
    assert "pågående beställning" in page  # the demo's other employees as before
