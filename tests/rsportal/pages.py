"""Every page of RS-portal as each role reaches it, for the browser tests that check each
page (tests/rsportal/test_accessibility.py, test_small_screens.py).

The world is the demo's (`seed_demo`): its people in every role and its orders in every
state a contact person meets. A walk logs in as one role, picks the language with the
header's language switch, and goes through every page that role can reach, the forms'
error and confirmation steps and the messages after a post included; at each page it
yields the page's name, and the caller checks what the browser shows.
"""

import io
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from cards.models import Card
from demo.management.commands import seed_demo
from desk.models import Station
from orders.models import PukOrder
from organisation.models import User
from selfhelp.guides import Guide
from tests.factories import PASSWORD, UserFactory

# The demo's cards (seed_demo.CARDS, _demo_history.CARDS).
ANNAS_RS_KORT, ANNAS_RESERVKORT = "9752270000010012", "9752270000010020"
BERTILS_CARD, CECILIAS_CARD = "9752270000020011", "9752270000030010"

Walk = Callable[..., Iterator[str]]


@pytest.fixture
def demo_world(transactional_db, tmp_path, monkeypatch, settings) -> None:
    """The demo's data in the test database, which the live server serves."""
    settings.POPULATION_REGISTER_FILE = settings.BASE_DIR / "demo" / "population_register.json"
    monkeypatch.setattr(seed_demo, "VIRTUAL_CARD_DIR", tmp_path / "cards")  # not the checkout's var/
    monkeypatch.setattr(seed_demo, "STATION_CREDENTIAL_FILE", tmp_path / "station.credential")
    from organisation.population_register import _read_register_file

    _read_register_file.cache_clear()
    call_command("seed_demo", stdout=io.StringIO())


def card_id(number: str) -> int:
    return Card.objects.get(card_number=number).pk


def order_of(first_name: str) -> PukOrder:
    return PukOrder.objects.get(holder__first_name=first_name)


def choose_language(page, language: str) -> None:
    """Switch with the header's language switch (the portal speaks Swedish until then)."""
    if language != "sv":
        page.locator(f"form.lang button[value='{language}']").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


def log_in(page, username: str, password: str = seed_demo.DEMO_PASSWORD, start: str = "/") -> None:
    page.goto(f"/logga-in/?next={start}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/logga-in/" not in page.url, f"{username} could not log in"


def submit(page, form: str = "main form.stack") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()


def anonymous(page, language: str) -> Iterator[str]:
    page.goto("/logga-in/")
    choose_language(page, language)
    yield "login"
    page.locator("#id_username").fill("nobody")
    page.locator("#id_password").fill("wrong-password")
    submit(page, "main form")
    yield "login, wrong password"
    page.goto("/finns-inte/")
    yield "404"
    page.goto("/hjalp/")
    yield "self-help guides"
    for guide in Guide:
        page.goto(f"/hjalp/{guide.value}/")
        yield f"self-help guide {guide.value}"
    page.goto(f"/hjalp/{Guide.CHANGE_PIN.value}/tack/")
    yield "self-help guide, thanks for the feedback"


def employee(page, language: str) -> Iterator[str]:
    """Anna: Mina kort, the order form (its errors, Annat with its text), the
    confirmation step, the order page with its message, Mina beställningar, a refusal."""
    log_in(page, "anna")
    choose_language(page, language)
    page.goto("/")
    yield "Mina kort (home)"
    page.goto(f"/bestall/{card_id(ANNAS_RS_KORT)}/")
    yield "order form"
    submit(page)
    yield "order form, nothing chosen"
    page.locator("input[name=blocked_codes][value=legitimering]").check()
    page.locator("input[name=reason][value=other]").check()
    submit(page)
    yield "order form, Annat without a description"
    page.locator("textarea[name=reason_text]").fill("Kortet har legat i en blöt ficka.")
    submit(page)
    yield "order form, confirmation step"
    submit(page)
    yield "order page, just placed (message)"
    page.goto("/mina-bestallningar/")
    yield "Mina beställningar"
    page.goto(f"/bestall/{card_id(ANNAS_RESERVKORT)}/")
    yield "order refused (reservkort)"
    page.goto(f"/mina-bestallningar/{order_of('Erik').pk}/")
    yield "404 (another's order)"


def protected_employee(page, language: str) -> Iterator[str]:
    """Bertil, with protected personal data: no address anywhere, the letter forwarded."""
    log_in(page, "bertil")
    choose_language(page, language)
    page.goto("/mina-kort/")
    yield "Mina kort"
    page.goto(f"/bestall/{card_id(BERTILS_CARD)}/")
    page.locator("input[name=blocked_codes][value=both]").check()
    page.locator("input[name=reason][value=never_received]").check()
    submit(page)
    yield "order form, confirmation step (protected)"
    submit(page)
    yield "order page (forwarded)"


def employee_without_address(page, language: str) -> Iterator[str]:
    """Cecilia, with a samordningsnummer: sent to a card station."""
    log_in(page, "cecilia")
    choose_language(page, language)
    page.goto("/mina-kort/")
    yield "my cards, no order offered: to a card station"
    page.goto(f"/bestall/{card_id(CECILIAS_CARD)}/")  # the order page too refuses before its form
    yield "order refused, to a card station"


def contact_person(page, language: str) -> Iterator[str]:
    """Karin: the queue and its filters, each kind of order in it, ordering on behalf, the
    monthly report and her settings."""
    log_in(page, "karin")
    choose_language(page, language)
    page.goto("/")
    yield "queue (home)"
    today = timezone.localdate()
    page.goto(f"/att-hantera/?state=all&created_from={today - timedelta(days=30):%Y-%m-%d}&created_to={today:%Y-%m-%d}")
    yield "queue, filtered"
    page.goto("/att-hantera/?created_from=2026-02-31&q=Gran")
    yield "queue, a filter that is no date"
    page.goto("/att-hantera/")
    with page.expect_response(lambda response: "/att-hantera/" in response.url):
        page.locator("select[name=state]").select_option("all")
    page.wait_for_load_state()
    yield "queue, filter chosen in place (htmx)"
    for holder, what in [("Erik", "submitted"), ("Gustav", "second approver"), ("Fatima", "posted"),
                         ("Hanna", "returned"), ("Ivar", "rejected")]:  # fmt: skip
        page.goto(f"/att-hantera/{order_of(holder).pk}/")
        yield f"queue order page, {what}"
    page.goto(f"/att-hantera/{order_of('Erik').pk}/")
    page.locator("textarea[name=reason]").fill("PUK-koden är 12345678")
    submit(page, "main form.stack")  # avslå, with a code in the reason
    yield "queue order page, a rejection refused (message)"
    page.goto("/att-hantera/bestall/")
    yield "on behalf, search"
    page.goto("/att-hantera/bestall/?q=Anna")
    yield "on behalf, search results"
    page.goto(f"/att-hantera/bestall/{card_id(ANNAS_RS_KORT)}/")
    yield "on behalf, form"
    submit(page)
    yield "on behalf, form with errors"
    page.locator("input[name=blocked_codes][value=legitimering]").check()
    page.locator("input[name=reason][value=lost_letter]").check()
    submit(page)
    yield "on behalf, confirmation step"
    submit(page)
    yield "on behalf, placed (message)"
    page.goto(f"/att-hantera/bestall/{card_id(ANNAS_RESERVKORT)}/")
    yield "on behalf, refused"
    page.goto("/att-hantera/rapport/")
    yield "monthly report"
    page.goto("/att-hantera/rapport/?month=x")
    yield "monthly report, no month"
    page.goto("/att-hantera/installningar/")
    yield "settings"
    submit(page)
    yield "settings, saved (message)"


def substitute(page, language: str) -> Iterator[str]:
    """Sara, ersättare: her queue, an approval, her settings."""
    log_in(page, "sara")
    choose_language(page, language)
    page.goto("/")
    yield "queue (home)"
    page.goto(f"/att-hantera/{order_of('Erik').pk}/")
    submit(page, "main .decision form:not(.stack)")
    yield "queue order page, approved (message)"
    page.goto("/att-hantera/installningar/")
    yield "settings, ersättare only"


def other_contact_person(page, language: str) -> Iterator[str]:
    """Kalle: one förvaltning's queue, and his own card that only a desk unblocks."""
    log_in(page, "kalle")
    choose_language(page, language)
    page.goto("/")
    yield "queue (home)"
    page.goto("/mina-kort/")
    yield "Mina kort, card stations listed"


def operator(page, language: str) -> Iterator[str]:
    log_in(page, "olle")
    choose_language(page, language)
    page.goto("/kortstation/")
    yield "Kortstation"


def staff(page, language: str) -> Iterator[str]:
    """The administrator's pages outside the Django admin: the station report and the stations' health."""
    station, olle = Station.objects.get(), User.objects.get(username="olle")
    for action in (AuditAction.DESK_CARD_READ, AuditAction.DESK_ID_CHECKED):
        record(action, station, actor=olle, station=station.name)
    log_in(page, "admin", start="/kortstationer/rapport/")  # not the Django admin, where "/" leads
    choose_language(page, language)
    assert page.locator("table.list tbody tr").count() == 1
    yield "station report"
    page.goto("/kortstationer/rapport/?fran=2026-05-02&till=2026-05-01")
    yield "station report, a period that ends before it starts (message)"
    page.goto("/kortstationer/halsa/")
    yield "station health"


def no_role(page, language: str) -> Iterator[str]:
    UserFactory(username="nisse", first_name="Nisse", last_name="Ingenroll")
    log_in(page, "nisse", PASSWORD)
    choose_language(page, language)
    page.goto("/")
    yield "home, no role"
    page.goto("/finns-inte/")
    yield "404 (logged in)"


WALKS: dict[str, Walk] = {
    "anonymous": anonymous,
    "employee": employee,
    "employee with protected data": protected_employee,
    "employee without an address": employee_without_address,
    "contact person": contact_person,
    "ersättare": substitute,
    "contact person of one förvaltning": other_contact_person,
    "operator": operator,
    "staff": staff,
    "no role": no_role,
}
