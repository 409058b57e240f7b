import pytest

from tests.factories import approved_order, give_puk


@pytest.fixture
def approved(card, contact_person):
    """An approved order for a card whose PUK, 24681357, is in the store."""
    give_puk(card, "24681357")
    return approved_order(card, contact_person)
