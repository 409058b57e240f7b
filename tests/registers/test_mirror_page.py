"""Administrators see the state of the mirror: each register's last run and last success,
what they changed and what was refused, and the latest runs."""

import pytest

from registers.models import SyncRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/registren/"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="it", is_staff=True))
    return client


def a_run(**fields):
    values = {"register": "cards", "outcome": SyncRun.Outcome.OK, "rows_read": 12}
    return SyncRun.objects.create(**{**values, **fields})


def test_the_page_refuses_a_non_administrator(client):
    client.force_login(UserFactory(username="nisse"))
    assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_a_refused_run_shows_why_and_the_last_success_its_counts_and_lines(staff_client):
    a_run(counts={"new": 2, "revoked": 1, "changed": 0}, sample={"new": ["rad 2: 111 new", "rad 3: 222 new"]}, writes=5)
    refusal = (
        "Körningen skulle avsluta 40 (40.0%), mer än säkerhetsgränsen 5%. Kontrollera exporten, eller kör med --force."
    )
    a_run(outcome=SyncRun.Outcome.REFUSED, counts={"gone": 40}, message=refusal)

    page = staff_client.get(URL).content.decode()

    states = page.split('id="register-cards"')[1].split("</tr>")[0]
    last_run, last_success = states.split('data-label="Senaste körning"')[1].split(
        'data-label="Senaste lyckade körning"'
    )
    assert "Nekad" in last_run and "mer än säkerhetsgränsen 5%" in last_run and "borta ur exporten: 40" in last_run
    assert "nya: 2" in last_success and "spärrade: 1" in last_success and "rad 3: 222 new" in last_success
    assert "ändrade" not in last_success  # a kind with nothing is left out
    assert "5 skrivningar" in last_success


def test_a_dry_run_is_marked_and_not_taken_for_the_last_success(staff_client):
    a_run(dry_run=True, counts={"new": 3})

    page = staff_client.get(URL).content.decode()

    states = page.split('id="register-cards"')[1].split("</tr>")[0]
    assert "provkörning" in states
    assert "Ingen ännu." in states.split('data-label="Senaste lyckade körning"')[1]


def test_the_latest_twenty_runs_are_listed_newest_first(staff_client):
    runs = [a_run(counts={"new": n}) for n in range(25)]

    page = staff_client.get(URL).content.decode()

    listed = page.split('class="list sync-runs"')[1]
    assert listed.count('id="run-') == 20
    assert listed.index(f'id="run-{runs[-1].pk}"') < listed.index(f'id="run-{runs[-2].pk}"')
    assert f'id="run-{runs[4].pk}"' not in listed


def test_the_staff_menu_links_the_page(staff_client):
    assert 'href="/registren/"' in staff_client.get("/kortstationer/halsa/").content.decode()


def test_the_page_speaks_english_in_english(staff_client, settings):
    a_run(counts={"revoked": 1}, sample={"revoked": ["rad 4: 333 revoked"]})
    a_run(outcome=SyncRun.Outcome.FAILED, message="rad 7: 6 kolumner, väntade 6")
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = staff_client.get(URL).content.decode()

    assert "State of the registers" in page and "Card system" in page and "Last successful run" in page
    assert "revoked: 1" in page and "Failed: nothing was changed" in page and "The latest runs" in page
