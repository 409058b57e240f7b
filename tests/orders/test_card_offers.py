"""Mina kort and the contact person's on-behalf search say on the card, before any form,
when no PUK letter can be ordered: for the card's own reasons and for the holder's (no
registered address), with what to do instead. The population register is asked once per
person on the page; a register that does not answer breaks neither page."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from desk.models import Station
from orders.card_offers import CardOffer, card_offers
from organisation.population_register import FileRegister
from tests.factories import CardFactory, CardTypeFactory, EmployeeFactory, PukOrderFactory

pytestmark = pytest.mark.django_db

NO_ADDRESS_TO_HOLDER = "Du saknar folkbokföringsadress i Sverige"
NO_ADDRESS_TO_HOLDER_EN = "You have no registered address in Sweden"
NO_ADDRESS_TO_CONTACT_PERSON = "Medarbetaren saknar folkbokföringsadress i Sverige"


@pytest.fixture
def station(db):
    return Station.objects.create(name="Kortstation Lund", location="Entréhallen, SUS Lund", credential_hash="a" * 64)


@pytest.fixture
def lookups(monkeypatch):
    """The personnummer the population register was asked for, in order."""
    asked = []
    lookup = FileRegister.lookup

    def counted(self, personnummer):
        asked.append(personnummer)
        return lookup(self, personnummer)

    monkeypatch.setattr(FileRegister, "lookup", counted)
    return asked


@pytest.fixture
def karin(client, contact_person):
    client.force_login(contact_person)
    return client


def test_mina_kort_offers_no_order_to_a_holder_without_address_and_says_where_to_go(
    employee_client, employee, card, register, station
):
    register.add(employee, status="missing")
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert reverse("orders:new", args=[card.pk]) not in page
    assert NO_ADDRESS_TO_HOLDER in page
    assert "Kortstation Lund</strong>, Entréhallen, SUS Lund" in page

    employee_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert reverse("orders:new", args=[card.pk]) not in page
    assert NO_ADDRESS_TO_HOLDER_EN in page


def test_the_order_form_itself_says_it_before_any_field_to_a_holder_without_address(
    employee_client, employee, card, register, station
):
    register.add(employee, status="missing")
    page = employee_client.get(reverse("orders:new", args=[card.pk])).content.decode()
    assert NO_ADDRESS_TO_HOLDER in page
    assert "Kortstation Lund" in page
    assert 'name="reason"' not in page


def test_the_on_behalf_form_itself_says_it_before_any_field_for_a_holder_without_address(
    karin, forvaltning, register, station
):
    cecilia = EmployeeFactory(user=None, forvaltning=forvaltning)
    register.add(cecilia, status="missing")
    card = CardFactory(holder=cecilia)
    page = karin.get(reverse("orders:on_behalf_order", args=[card.pk])).content.decode()
    assert NO_ADDRESS_TO_CONTACT_PERSON in page
    assert "Kortstation Lund" in page
    assert 'name="reason"' not in page


def test_mina_kort_offers_the_order_to_a_protected_holder(employee_client, employee, card, register):
    register.add(employee, status="protected")
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert reverse("orders:new", args=[card.pk]) in page


def test_mina_kort_offers_the_order_when_the_register_does_not_answer_and_the_form_says_it(
    employee_client, card, settings, tmp_path
):
    settings.POPULATION_REGISTER_FILE = tmp_path / "no-such-register.json"
    response = employee_client.get(reverse("orders:my_cards"))
    assert response.status_code == 200
    assert reverse("orders:new", args=[card.pk]) in response.content.decode()
    order_form = {"blocked_codes": "both", "reason": "lost_letter"}
    page = employee_client.post(reverse("orders:new", args=[card.pk]), order_form).content.decode()
    assert "Folkbokföringsregistret svarar inte just nu" in page


def test_mina_kort_asks_the_register_once_however_many_cards(employee_client, employee, card, lookups):
    CardFactory(holder=employee)
    page = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert page.count("Beställ ny PUK-kod</a>") == 2
    assert lookups == [employee.personnummer]


def test_mina_kort_does_not_ask_the_register_when_no_card_could_get_a_letter(employee_client, employee, lookups):
    PukOrderFactory(card=CardFactory(holder=employee))
    CardFactory(holder=employee, card_type=CardTypeFactory(code="reserv", is_reserve_card=True, puk_route="none"))
    employee_client.get(reverse("orders:my_cards"))
    assert lookups == []


def test_on_behalf_search_offers_no_order_for_a_holder_without_address_and_says_it_to_the_contact_person(
    karin, forvaltning, register, station
):
    cecilia = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Cecilia", last_name="Costa")
    register.add(cecilia, status="missing")
    card = CardFactory(holder=cecilia)
    page = karin.get(reverse("orders:on_behalf"), {"q": "Cecilia"}).content.decode()
    assert "Cecilia Costa" in page
    assert reverse("orders:on_behalf_order", args=[card.pk]) not in page
    assert NO_ADDRESS_TO_CONTACT_PERSON in page
    assert "Kortstation Lund</strong>, Entréhallen, SUS Lund" in page


def test_on_behalf_search_offers_no_order_for_a_revoked_card_and_says_what_the_contact_person_does(
    karin, forvaltning, register
):
    ivar = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Ivar", last_name="Isaksson")
    register.add(ivar)
    card = CardFactory(holder=ivar, status="revoked")
    page = karin.get(reverse("orders:on_behalf"), {"q": "Ivar"}).content.decode()
    assert reverse("orders:on_behalf_order", args=[card.pk]) not in page
    assert "Kortet är spärrat. Beställ ett nytt kort åt medarbetaren i stället." in page
    assert "Kontakta din kontaktperson" not in page  # the contact person is reading


def test_on_behalf_search_asks_the_register_once_per_person(karin, forvaltning, register, lookups):
    people = [EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Olle") for _ in range(2)]
    for person in people:
        register.add(person)
        CardFactory.create_batch(2, holder=person)
    page = karin.get(reverse("orders:on_behalf"), {"q": "Olle"}).content.decode()
    assert page.count("Beställ ny PUK-kod</a>") == 4
    assert sorted(lookups) == sorted(person.personnummer for person in people)


def test_card_offers_put_the_open_order_first_then_the_cards_reason_then_the_holders(employee, register):
    register.add(employee, status="missing")
    with_order = PukOrderFactory(card=CardFactory(holder=employee)).card
    desk_only = CardFactory(holder=employee, card_type=CardTypeFactory(code="gen1", puk_route="desk_only"))
    orderable = CardFactory(holder=employee)
    cards = [with_order, desk_only, orderable]
    offers = card_offers(cards, asked_by_holder=True)
    assert [offer.card for offer in offers] == cards
    assert offers[0].open_order == with_order.puk_orders.get() and not offers[0].refusal
    assert offers[1].to_desk and "låses upp endast på plats" in offers[1].refusal
    assert offers[2].to_desk and NO_ADDRESS_TO_HOLDER in offers[2].refusal
    assert not any(offer.may_order for offer in offers)


def test_card_offers_offer_the_order_for_an_eligible_card_of_a_registered_holder(card):
    assert card_offers([card], asked_by_holder=True) == [CardOffer(card)]


def test_on_behalf_search_asks_the_database_no_more_for_more_people_and_cards(karin, forvaltning, register):
    def queries_of_search():
        with CaptureQueriesContext(connection) as queries:
            karin.get(reverse("orders:on_behalf"), {"q": "Olle"})
        return len(queries)

    first = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Olle")
    register.add(first)
    CardFactory(holder=first)
    queries_of_search()  # the session's navigation, remembered from here on
    one = queries_of_search()
    second = EmployeeFactory(user=None, forvaltning=forvaltning, first_name="Olle")
    register.add(second)
    CardFactory.create_batch(2, holder=second)
    CardFactory(holder=first)
    assert queries_of_search() == one
