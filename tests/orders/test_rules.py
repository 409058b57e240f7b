"""The approval rules (orders.rules) and working days (orders.working_days): pure."""

from datetime import date

import pytest

from orders.rules import (
    DecisionRefusal,
    SecondApprovalPolicy,
    decision_refusal,
    second_approval_reasons,
)
from orders.working_days import working_days_between

POLICY = SecondApprovalPolicy(repeat_order_limit=3, repeat_window_days=365, recent_address_days=30)
TODAY = date(2025, 3, 12)


def reasons(before=0, on_behalf=False, since=date(2015, 1, 1)):
    return second_approval_reasons(
        policy=POLICY,
        orders_in_window_before=before,
        placed_on_behalf=on_behalf,
        address_registered_since=since,
        today=TODAY,
    )


def test_an_ordinary_order_needs_one_approver():
    assert reasons() == []


def test_the_third_order_within_the_window_needs_a_second_approver():
    assert reasons(before=1) == []
    assert reasons(before=2) == ["repeat_orders"]


def test_an_order_placed_on_behalf_needs_a_second_approver():
    assert reasons(on_behalf=True) == ["placed_on_behalf"]


def test_a_recent_address_change_needs_a_second_approver():
    assert reasons(since=date(2025, 2, 11)) == ["recent_address_change"]  # 29 days
    assert reasons(since=date(2025, 2, 10)) == []  # 30 days
    assert reasons(since=None) == []  # protected: no date known


def test_all_reasons_are_listed_together():
    assert reasons(before=5, on_behalf=True, since=TODAY) == [
        "repeat_orders",
        "placed_on_behalf",
        "recent_address_change",
    ]


def refusal(approver=1, holder=2, placed_by=2, first=None):
    return decision_refusal(
        approver_id=approver, holder_user_id=holder, placed_by_id=placed_by, first_approved_by_id=first
    )


def test_another_contact_person_may_decide():
    assert refusal() is None


def test_a_holder_without_a_login_can_be_decided_for():
    assert refusal(holder=None, placed_by=3) is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"holder": 1, "placed_by": 1}, DecisionRefusal.OWN_ORDER),
        ({"holder": None, "placed_by": 1}, DecisionRefusal.PLACED_BY_YOU),
        ({"first": 1}, DecisionRefusal.SAME_APPROVER),
    ],
)
def test_nobody_decides_their_own_order_or_approves_twice(kwargs, expected):
    assert refusal(**kwargs) == expected


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 3, 3), date(2025, 3, 3), 0),  # same day
        (date(2025, 3, 3), date(2025, 3, 4), 1),  # Monday → Tuesday
        (date(2025, 3, 7), date(2025, 3, 10), 1),  # Friday → Monday: the weekend does not count
        (date(2025, 3, 8), date(2025, 3, 9), 0),  # Saturday → Sunday
        (date(2025, 3, 3), date(2025, 3, 10), 5),  # a whole week
        (date(2025, 3, 3), date(2025, 3, 31), 20),  # four weeks
        (date(2025, 3, 5), date(2025, 3, 17), 8),  # Wednesday → Monday after next
        (date(2025, 3, 10), date(2025, 3, 3), 0),  # backwards
    ],
)
def test_working_days_between_counts_weekdays_after_the_start_up_to_the_end(start, end, days):
    assert working_days_between(start, end) == days
