import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_the_ui_speaks_swedish_first_and_english_on_request(employee_client, card):
    swedish = employee_client.get(reverse("orders:my_cards"), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "Mina kort" in swedish and "Beställ ny PUK-kod" in swedish

    employee_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = employee_client.get(reverse("orders:my_cards")).content.decode()
    assert "My cards" in english and "Order a new PUK code" in english
    assert "Mina kort" not in english
