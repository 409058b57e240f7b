"""The approval rules (orders.rules) and working days (orders.working_days): pure."""

from datetime import date

import pytest

from orders.rules import (
    DecisionRefusal,
    SecondApprovalPolicy,
    TypicalTime,
    approvals_required,
    approvals_still_needed,
    decision_refusal,
    eligible_approvers,
    needs_central_queue,
    second_approval_reasons,
    typical_time,
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


# Four eyes: two different contact persons; the placer of an on-behalf order is one of them,
# the holder never is (issue 15).


@pytest.mark.parametrize(
    ("reasons", "on_behalf", "required"),
    [
        ([], False, 1),  # placed by the holder, nothing odd: one approval
        (["repeat_orders"], False, 2),  # the holder's third order: two different approvers
        (["recent_address_change"], False, 2),
        (["placed_on_behalf"], True, 1),  # the placer is the first pair of eyes
        (["repeat_orders", "placed_on_behalf", "recent_address_change"], True, 1),  # whatever else applies
    ],
)
def test_an_order_needs_approvals_from_people_other_than_its_holder_and_placer(reasons, on_behalf, required):
    assert approvals_required(four_eyes_reasons=reasons, placed_on_behalf=on_behalf) == required


def test_an_order_placed_on_behalf_needs_no_second_approval_whatever_the_reasons():
    everything = reasons(before=5, on_behalf=True, since=TODAY)
    assert approvals_required(four_eyes_reasons=everything, placed_on_behalf=True) == 1


def test_a_first_approval_leaves_one_of_two_still_needed():
    assert approvals_still_needed(required=2, first_approved=False) == 2
    assert approvals_still_needed(required=2, first_approved=True) == 1
    assert approvals_still_needed(required=1, first_approved=False) == 1


def test_neither_the_holder_nor_the_placer_nor_the_first_approver_is_an_eligible_approver():
    # kalle (2) placed Gustav's order (holder 9) and karin (1) approved first: nobody is left.
    assert eligible_approvers({1, 2}, holder_user_id=9, placed_by_id=2, first_approved_by_id=1) == set()
    # karin (1) placed bertil's (holder 9); sara (3) is left.
    assert eligible_approvers({1, 3}, holder_user_id=9, placed_by_id=1, first_approved_by_id=None) == {3}
    # The holder is a contact person of their own förvaltning: never their own approver.
    assert eligible_approvers({1, 3}, holder_user_id=1, placed_by_id=1, first_approved_by_id=None) == {3}


@pytest.mark.parametrize(
    ("eligible", "still_needed", "central"),
    [(0, 1, True), (1, 1, False), (1, 2, True), (2, 2, False), (0, 0, False)],
)
def test_an_order_goes_to_the_central_queue_when_its_forvaltning_has_too_few_approvers(eligible, still_needed, central):
    assert needs_central_queue(eligible=eligible, still_needed=still_needed) is central


def test_the_typical_time_is_the_median_of_enough_recent_orders_rounded_up():
    assert typical_time([1, 2, 2, 3, 9], minimum_orders=5, default_days=5) == TypicalTime(2, 5)
    assert typical_time([1, 2, 3, 4], minimum_orders=3, default_days=5) == TypicalTime(3, 4)  # 2.5 -> 3
    assert typical_time([0, 0, 0], minimum_orders=3, default_days=5) == TypicalTime(1, 3)  # same day: within one


def test_too_few_recent_orders_give_the_stated_default():
    assert typical_time([1, 1, 1, 1], minimum_orders=5, default_days=5) == TypicalTime(5, 0)
    assert typical_time([], minimum_orders=5, default_days=5) == TypicalTime(5, 0)
