import pytest

from orders.models import PukOrder
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, username, password):
    page.goto("/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_employee_logs_in_orders_a_puk_letter_and_follows_it(page, card, contact_person):
    log_in(page, card.holder.user.username, PASSWORD)

    page.get_by_role("link", name="Mina kort").click()
    assert page.get_by_text(card.masked_number).is_visible()
    page.get_by_role("link", name="Beställ ny PUK-kod").click()

    page.get_by_label("Båda PIN-koderna är spärrade").check()
    page.get_by_label("Jag har tappat bort PUK-brevet").check()
    page.get_by_role("button", name="Fortsätt").click()
    assert page.get_by_text("S******** …, MALMÖ").is_visible()
    page.get_by_role("button", name="Skicka beställningen").click()

    order = PukOrder.objects.get(card=card)
    assert page.get_by_text(f"Din beställning {order.reference} är mottagen").is_visible()
    page.get_by_role("link", name="Mina beställningar").click()
    row = page.get_by_role("row", name=order.reference)
    assert row.get_by_text("Inskickad").is_visible()
