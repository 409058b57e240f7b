"""Every date field takes a Swedish date, ÅÅÅÅ-MM-DD (a month: ÅÅÅÅ-MM), says so beside
the field, and refuses other forms with a message that gives the format, in Swedish and
in English alike (never an American 03/01/2026)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HINTS = {"sv": ("ÅÅÅÅ-MM-DD", "ÅÅÅÅ-MM"), "en": ("YYYY-MM-DD", "YYYY-MM")}
FORMAT_ERRORS = {
    "sv": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.",
    "en": "Write the date as YYYY-MM-DD, for example 2026-03-31.",
}


@pytest.fixture(params=["sv", "en"])
def language(request, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return request.param


def field(page: str, name: str) -> str:
    """The <label> that holds the input `name`."""
    (label,) = re.findall(rf'<label>(?:(?!</label>).)*name="{name}"(?:(?!</label>).)*</label>', page, re.S)
    return label


def date_input(label: str) -> str:
    (tag,) = re.findall(r"<input[^>]*>", label)
    return tag


@pytest.fixture
def contact_client(client, contact_person):
    client.force_login(contact_person)
    return client


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="ada", is_staff=True))
    return client


@pytest.mark.parametrize("name", ["created_from", "created_to"])
def test_the_queues_date_filters_say_the_swedish_format_and_take_it(contact_client, language, name):
    page = contact_client.get(reverse("orders:queue") + f"?{name}=2026-03-01&state=all").content.decode()
    label = field(page, name)
    assert HINTS[language][0] in label
    assert 'type="date"' not in date_input(label)  # the browser's own format would follow its locale
    assert 'value="2026-03-01"' in date_input(label)
    assert FORMAT_ERRORS[language] not in page


@pytest.mark.parametrize("value", ["03/01/2026", "1/3/2026", "Mar 1 2026", "2026-3-1x"])
def test_the_queue_refuses_a_date_in_another_form_saying_the_format(contact_client, language, value):
    response = contact_client.get(reverse("orders:queue"), {"created_from": value, "state": "all"})
    assert FORMAT_ERRORS[language] in response.content.decode()


def test_the_monthly_report_says_the_format_of_a_month_and_takes_it(contact_client, language):
    page = contact_client.get(reverse("orders:report"), {"month": "2026-03"}).content.decode()
    label = field(page, "month")
    assert HINTS[language][1] in label
    assert 'type="month"' not in date_input(label) and 'value="2026-03"' in date_input(label)
    assert "2026-03" in page.split("</form>")[1]  # the report of March


@pytest.mark.parametrize("name", ["fran", "till"])
def test_the_station_reports_period_says_the_swedish_format_and_takes_it(staff_client, language, name):
    page = staff_client.get(reverse("desk:report"), {name: "2026-03-01"}).content.decode()
    label = field(page, name)
    assert HINTS[language][0] in label
    assert 'type="date"' not in date_input(label)
    assert FORMAT_ERRORS[language] not in page


def test_the_station_report_refuses_an_american_date_saying_the_format(staff_client, language):
    page = staff_client.get(reverse("desk:report"), {"fran": "03/01/2026"}).content.decode()
    assert FORMAT_ERRORS[language] in page
