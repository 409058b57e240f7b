"""The operator's and the administrator's pages in RS-portal itself (the station page
proper is the agent's, tests/cards/agent/test_agent.py)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .conftest import make_operator, make_station


@pytest.mark.django_db
def test_operator_sees_their_active_stations_and_the_way_to_the_station_software(client, settings):
    settings.RSPORTAL_DESK_AGENT_URL = "http://127.0.0.1:8765/"
    lund, closed = make_station("Kortstation Lund"), make_station("Kortstation Ystad")
    closed.active = False
    closed.save()
    make_station("Kortstation Malmö")  # not theirs
    client.force_login(make_operator("olle", lund, closed))

    page = client.get(reverse("desk:desk")).content.decode()

    assert "Kortstation Lund" in page
    assert "Kortstation Ystad" not in page and "Kortstation Malmö" not in page
    assert 'href="http://127.0.0.1:8765/"' in page


@pytest.mark.django_db
def test_operator_who_is_no_employee_starts_at_the_station_page(client):
    client.force_login(make_operator("olle", make_station("Kortstation Lund")))
    assert client.get(reverse("home")).url == reverse("desk:desk")


@pytest.mark.django_db
def test_navigation_shows_kortstation_to_operators_only(client, employee):
    client.force_login(employee.user)
    assert reverse("desk:desk") not in client.get(reverse("orders:my_cards")).content.decode()
    client.force_login(make_operator("olle", make_station("Kortstation Lund")))
    assert reverse("desk:desk") in client.get(reverse("desk:desk")).content.decode()


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="ada", is_staff=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ("fran=2026-02-31", "Från:"),  # well formed, no such day
        ("till=x", "Till:"),
        ("fran=2026-05-02&till=2026-05-01", "Från-datumet ligger efter till-datumet."),
        ("fran=2020-01-01&till=2026-01-01", "Välj en period på högst ett år."),
    ],
)
def test_station_report_refuses_a_bad_period_with_a_message(staff_client, query, message):
    response = staff_client.get(reverse("desk:report") + "?" + query)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.django_db
def test_station_report_shows_the_last_seven_days_by_default(staff_client):
    response = staff_client.get(reverse("desk:report"))
    assert (response.context["last"] - response.context["first"]).days == 6
