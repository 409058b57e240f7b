"""In English the portal says everything in English: its own words, the words it stored
in Swedish (a returned letter's reason), and the data that has an English name (card
types, card stations)."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cards.models import CardType
from demo.management.commands import seed_demo
from desk.models import Station
from letters import services as letters
from tests.factories import CardFactory, CardTypeFactory, UserFactory, approved_order, give_puk
from tests.letters.spool import status

pytestmark = pytest.mark.django_db


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def returned(card, contact_person):
    give_puk(card)
    order = approved_order(card, contact_person)
    letter = letters.produce_letter(order.pk)
    status(letter, "posted", tracking_id="RR1SE")
    status(letter, "returned", reason="unknown_address")
    return order


def test_forvaltning_has_an_english_name_of_its_own_not_the_admin_links(client, returned, contact_person):
    contact_person.is_staff = True  # the header links to the Django admin
    contact_person.save()
    client.force_login(contact_person)
    page = in_english(client).get(reverse("orders:queue_detail", args=[returned.pk])).content.decode()
    assert "<dt>Department</dt>" in page
    assert "Administration" not in page


@pytest.mark.parametrize("who", ["holder", "contact person"])
def test_a_returned_letters_reason_is_in_english_in_the_letter_and_in_the_history(
    client, returned, contact_person, who
):
    if who == "holder":
        client.force_login(returned.holder.user)
        url = reverse("orders:detail", args=[returned.pk])
    else:
        client.force_login(contact_person)
        url = reverse("orders:queue_detail", args=[returned.pk])
    english = in_english(client).get(url).content.decode()
    assert "Unknown address" in english and "Okänd adress" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    swedish = client.get(url).content.decode()
    assert "Okänd adress" in swedish and "Unknown address" not in swedish


@pytest.fixture
def desk_only_card(employee):
    card_type = CardTypeFactory(
        code="rs-kort-2015",
        name="RS-kort, generation 2015",
        name_en="RS card, 2015 generation",
        puk_route=CardType.PukRoute.DESK_ONLY,
    )
    Station.objects.create(
        name="Kortstation Lund",
        name_en="Card station Lund",
        location="Entréhallen, Skånes universitetssjukhus Lund",
        location_en="Entrance hall, Skåne University Hospital Lund",
        credential_hash="0" * 64,
    )
    return CardFactory(holder=employee, card_type=card_type)


def test_card_types_and_stations_show_their_english_names_in_english_only(employee_client, desk_only_card):
    swedish = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert "RS-kort, generation 2015" in swedish and "Kortstation Lund" in swedish and "Entréhallen" in swedish
    assert "RS card, 2015 generation" not in swedish and "Card station Lund" not in swedish

    english = in_english(employee_client).get(reverse("orders:my_cards")).content.decode()
    assert "RS card, 2015 generation" in english and "Card station Lund" in english
    assert "Entrance hall, Skåne University Hospital Lund" in english
    assert "RS-kort, generation 2015" not in english and "Kortstation Lund" not in english


def test_a_card_type_without_an_english_name_shows_its_swedish_one_in_english(employee_client, card):
    assert card.card_type.name_en == ""
    english = in_english(employee_client).get(reverse("orders:my_cards")).content.decode()
    assert f"<h2>{card.card_type.name}</h2>" in english


def test_the_queue_names_the_card_type_in_english(client, card, contact_person):
    CardType.objects.filter(pk=card.card_type.pk).update(name_en="RS card")
    give_puk(card)
    approved_order(card, contact_person)
    client.force_login(contact_person)
    page = in_english(client).get(reverse("orders:queue") + "?state=all").content.decode()
    assert "RS card" in page and "RS-kort" not in page.split("<tbody>")[1]


def test_the_admin_edits_the_english_names(client):
    client.force_login(UserFactory(username="ada", is_staff=True, is_superuser=True))
    card_type = CardTypeFactory()
    station = Station.objects.create(name="Kortstation Lund", location="Lund", credential_hash="1" * 64)
    for url in (
        reverse("admin:cards_cardtype_change", args=[card_type.pk]),
        reverse("admin:station_station_change", args=[station.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'name="name_en"' in page


def test_the_demo_gives_every_card_type_and_station_an_english_name(tmp_path, monkeypatch, settings):
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    call_command("seed_demo", stdout=io.StringIO())
    assert CardType.objects.exists() and not CardType.objects.filter(name_en="").exists()
    assert Station.objects.exists() and not Station.objects.filter(name_en="").exists()
    assert not Station.objects.filter(location_en="").exists()


def test_the_audit_trail_keeps_a_returned_letters_reason_in_swedish_whatever_language_is_active(card, contact_person):
    from django.utils import translation

    from audit.models import AuditEvent

    give_puk(card)
    letter = letters.produce_letter(approved_order(card, contact_person).pk)
    status(letter, "posted", tracking_id="RR1SE")
    with translation.override("en"):
        status(letter, "returned", reason="unknown_address")
    assert AuditEvent.objects.get(action="letter_returned").reason == "Okänd adress"
