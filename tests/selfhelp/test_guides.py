"""The guides are pages of the portal, in Swedish and English, open to everyone, linked
in the header; each ends with the feedback form under the personal-data notice."""

import pytest
from django.conf import settings
from django.urls import reverse

from desk.models import Station
from selfhelp.guides import Guide

pytestmark = pytest.mark.django_db

# A phrase of each guide's own text, in each language.
PHRASES = {
    (Guide.UNBLOCK_WITH_PUK, "sv"): "Så låser du upp PIN-koden",
    (Guide.UNBLOCK_WITH_PUK, "en"): "How to unblock your PIN",
    (Guide.CHANGE_PIN, "sv"): "Så byter du PIN-kod",
    (Guide.CHANGE_PIN, "en"): "How to change your PIN",
    (Guide.PUK_BLOCKED, "sv"): "kortet spärrat för gott",
    (Guide.PUK_BLOCKED, "en"): "the card is blocked for good",
    (Guide.RESERVE_CARD, "sv"): "inga nya koder",
    (Guide.RESERVE_CARD, "en"): "no new codes",
    (Guide.CARD_STATIONS, "sv"): "giltig id-handling",
    (Guide.CARD_STATIONS, "en"): "valid ID document",
}
TITLES = {
    (Guide.UNBLOCK_WITH_PUK, "en"): "Unblock your PIN with the PUK",
    (Guide.CHANGE_PIN, "en"): "Change your PIN",
    (Guide.PUK_BLOCKED, "en"): "Blocked PUK: the card is replaced",
    (Guide.RESERVE_CARD, "en"): "Reserve card: no new codes",
    (Guide.CARD_STATIONS, "en"): "Card stations: unblocking in person",
}
QUESTION = {"sv": "Var den här informationen till hjälp?", "en": "Was this information helpful?"}
NOTICE = {"sv": "kan bli en allmän handling", "en": "may become a public record"}


def in_language(client, language):
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("guide", list(Guide))
def test_each_guide_is_a_page_in_both_languages_open_to_everyone(client, guide, language):
    response = in_language(client, language).get(f"/hjalp/{guide.value}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert PHRASES[guide, language] in page
    title = guide.label if language == "sv" else TITLES[guide, language]
    assert f"<h1>{title}</h1>" in page
    assert QUESTION[language] in page and NOTICE[language] in page
    other_language = "en" if language == "sv" else "sv"
    assert PHRASES[guide, other_language] not in page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_index_lists_every_guide(client, language):
    page = in_language(client, language).get("/hjalp/").content.decode()
    for guide in Guide:
        assert reverse("selfhelp:guide", args=[guide.value]) in page


def test_the_guides_have_the_addresses_of_the_support_page():
    assert [reverse("selfhelp:guide", args=[guide.value]) for guide in Guide] == [
        "/hjalp/las-upp-med-puk/",
        "/hjalp/byt-pin/",
        "/hjalp/puk-sparrad/",
        "/hjalp/reservkort/",
        "/hjalp/kortstationer/",
    ]


def test_an_unknown_guide_is_not_found(client):
    assert client.get("/hjalp/finns-inte/").status_code == 404


def test_the_card_stations_guide_lists_the_active_stations(client):
    Station.objects.create(name="Kortstation Lund", location="Entréhallen, Lund", credential_hash="x1")
    Station.objects.create(name="Kortstation Stängd", location="Ystad", credential_hash="x2", active=False)
    page = client.get("/hjalp/kortstationer/").content.decode()
    assert "Kortstation Lund" in page and "Entréhallen, Lund" in page
    assert "Kortstation Stängd" not in page


def test_the_header_links_the_guides_for_anonymous_and_logged_in(client, employee):
    help_link = f'href="{reverse("selfhelp:index")}"'
    assert help_link in client.get(reverse("login")).content.decode()
    client.force_login(employee.user)
    assert help_link in client.get(reverse("orders:my_cards")).content.decode()
