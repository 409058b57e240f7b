"""The queue's rows as texts (orders.queue_table), without a database."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from orders.queue_table import QueueTable
from orders.states import OrderState

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=STOCKHOLM)  # a Friday
FORVALTNING = SimpleNamespace(pk=7, name="Skånes universitetssjukvård", approval_target_days=2)
LABELS = {
    "state": {"submitted": "Inskickad", "posted": "Skickat som rekommenderat brev"},
    "reason": {"forgotten": "Glömt PUK-koden"},
    "blocked_codes": {"both": "Båda PIN-koderna"},
}


def order_values(**fields):
    values = {
        "pk": 42,
        "state": OrderState.SUBMITTED,
        "reason": "forgotten",
        "blocked_codes": "both",
        "created_at": datetime(2026, 12, 3, 8, 30, tzinfo=STOCKHOLM),
        "needs_second_approval": False,
        "second_approval_reasons": [],
        "central_queue": False,
        "placed_by_id": 5,  # Erik, the holder, placed it
        "first_approved_by_id": None,
        "holder__user_id": 5,
        "forvaltning_id": 7,
        "holder__first_name": "Erik",
        "holder__last_name": "Ek",
        "holder__hsa_id": "SE2321000289-E1",
        "card__card_number": "9752279900001234",
        "card__card_type__name": "RS-kort",
        "card__card_type__name_en": "RS card",
        "letter_posted_at": None,
        "letter_tracking_id": None,
        "letter_forwarded": None,
    }
    return values | fields


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


def row(**fields):
    return QueueTable(NOW, LABELS, [FORVALTNING]).row(order_values(**fields))


def test_a_row_names_the_order_holder_and_masked_card_and_links_to_the_order_page():
    shown = row()
    assert (shown["reference"], shown["url"]) == ("PUK-000042", reverse("orders:queue_detail", args=[42]))
    assert (shown["holder"], shown["holder_hsa_id"]) == ("Erik Ek", "SE2321000289-E1")
    assert (shown["card_type"], shown["card_number"]) == ("RS-kort", "•••• 1234")
    assert (shown["reason"], shown["blocked_codes"], shown["state_label"]) == (
        "Glömt PUK-koden",
        "Båda PIN-koderna",
        "Inskickad",
    )
    assert shown["forvaltning"] == "Skånes universitetssjukvård"
    assert shown["select_label"] == "Markera PUK-000042"


def test_a_row_gives_the_local_time_it_came_in_and_its_age():
    shown = row(created_at=datetime(2026, 12, 3, 7, 30, tzinfo=ZoneInfo("UTC")))
    assert shown["created"] == "2026-12-03 08:30"
    assert shown["created_iso"] == "2026-12-03T08:30:00+01:00"
    assert shown["age"] == "1\xa0dag, 1\xa0timme"


def test_only_an_order_waiting_longer_than_the_target_in_working_days_is_overdue():
    # Monday to Friday is four working days; Thursday to Friday one.
    assert row(created_at=datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM))["overdue"]
    assert not row()["overdue"]
    # A letter on its way is not late, however old the order.
    assert not row(state=OrderState.POSTED, created_at=datetime(2026, 11, 2, tzinfo=STOCKHOLM))["overdue"]


def test_only_an_order_waiting_for_a_decision_can_be_selected():
    assert row()["decidable"] and row(state=OrderState.SECOND_APPROVAL)["decidable"]
    assert not row(state=OrderState.POSTED)["decidable"]


def test_a_row_says_why_an_open_order_needs_two_approvers():
    reasons = ["repeat_orders", "recent_address_change"]
    shown = row(state=OrderState.SECOND_APPROVAL, needs_second_approval=True, second_approval_reasons=reasons)
    assert shown["second_approval"] == (
        "Två godkännare: Innehavarens tredje beställning inom tolv månader; Folkbokföringsadressen är nyligen ändrad"
    )
    closed = row(state=OrderState.REJECTED, needs_second_approval=True, second_approval_reasons=reasons)
    assert closed["second_approval"] == ""


def test_a_row_tells_how_the_latest_letter_went_out():
    posted = datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("UTC"))  # 2 December in Sweden
    assert row()["letter"] == ""
    assert (
        row(letter_posted_at=posted, letter_tracking_id="RR123456789SE", letter_forwarded=False)["letter"]
        == "Rekommenderat brev 2026-12-02, kolli-id RR123456789SE"
    )
    assert row(letter_posted_at=posted, letter_forwarded=True)["letter"] == "Via Skatteverkets förmedling 2026-12-02"


def test_a_row_speaks_english_when_the_user_chose_it():
    with translation.override("en"):
        shown = row(
            state=OrderState.SECOND_APPROVAL, needs_second_approval=True, second_approval_reasons=["placed_on_behalf"]
        )
    assert shown["select_label"] == "Select PUK-000042"
    assert shown["second_approval"].startswith("Two approvers: ")


def test_a_row_is_decidable_only_for_someone_who_may_decide_it_and_says_why_not():
    def as_user(user_id, **fields):
        return QueueTable(NOW, LABELS, [FORVALTNING], user_id).row(order_values(**fields))

    assert as_user(8)["decidable"] and as_user(8)["refusal"] == ""
    holder = as_user(5)  # Erik placed his own order
    assert not holder["decidable"] and "gäller dig själv" in holder["refusal"]
    placer = as_user(8, placed_by_id=8)
    assert not placer["decidable"] and "själv lagt beställningen" in placer["refusal"]
    first = as_user(8, state=OrderState.SECOND_APPROVAL, first_approved_by_id=8)
    assert not first["decidable"] and "redan godkänt den" in first["refusal"]
    assert as_user(8, state=OrderState.POSTED, placed_by_id=8)["refusal"] == ""  # nothing to decide
