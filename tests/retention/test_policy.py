"""The retention policy as pure functions: given a record's dates and `now`, what is due."""

from datetime import UTC, date, datetime, timedelta

import pytest

from retention import policy
from retention.policy import Periods

PERIODS = Periods.of_days(orders=730, mail=90, desk=730, audit_years=10)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_an_order_is_due_once_closed_longer_than_its_period_and_an_open_one_never():
    long_ago = NOW - timedelta(days=731)
    assert policy.order_is_due(closed=True, last_changed=long_ago, now=NOW, periods=PERIODS)
    assert not policy.order_is_due(closed=True, last_changed=NOW - timedelta(days=729), now=NOW, periods=PERIODS)
    assert not policy.order_is_due(closed=False, last_changed=long_ago, now=NOW, periods=PERIODS)
    # The moment the period ends, not before.
    exactly = NOW - timedelta(days=730)
    assert not policy.order_is_due(closed=True, last_changed=exactly, now=NOW, periods=PERIODS)
    assert policy.order_is_due(closed=True, last_changed=exactly, now=NOW + timedelta(seconds=1), periods=PERIODS)


def test_a_puk_record_is_due_as_soon_as_its_card_cannot_use_it():
    today = date(2026, 12, 2)
    assert policy.puk_record_is_due(revoked=True, valid_to=date(2030, 1, 1), today=today)
    assert policy.puk_record_is_due(revoked=False, valid_to=date(2026, 12, 1), today=today)
    # Valid through its last day.
    assert not policy.puk_record_is_due(revoked=False, valid_to=today, today=today)


def test_mail_counts_from_when_it_was_sent_or_else_from_the_order():
    placed = NOW - timedelta(days=200)
    assert not policy.notification_is_due(
        sent_at=NOW - timedelta(days=89), order_placed_at=placed, now=NOW, periods=PERIODS
    )
    assert policy.notification_is_due(
        sent_at=NOW - timedelta(days=91), order_placed_at=placed, now=NOW, periods=PERIODS
    )
    assert policy.notification_is_due(sent_at=None, order_placed_at=placed, now=NOW, periods=PERIODS)
    assert policy.digest_is_due(day=date(2026, 9, 2), today=date(2026, 12, 2), periods=PERIODS)
    assert not policy.digest_is_due(day=date(2026, 9, 3), today=date(2026, 12, 2), periods=PERIODS)


def test_desk_records_and_sessions():
    assert policy.desk_record_is_due(started_at=NOW - timedelta(days=731), now=NOW, periods=PERIODS)
    assert not policy.desk_record_is_due(started_at=NOW - timedelta(days=700), now=NOW, periods=PERIODS)
    assert policy.session_is_due(expires_at=NOW - timedelta(seconds=1), now=NOW)
    assert not policy.session_is_due(expires_at=NOW, now=NOW)


def test_an_employee_is_due_only_when_nothing_kept_needs_them():
    assert policy.employee_is_due(login_in_use=False, usable_card=False, kept_records=False)
    for reason in ("login_in_use", "usable_card", "kept_records"):
        facts = {"login_in_use": False, "usable_card": False, "kept_records": False, reason: True}
        assert not policy.employee_is_due(**facts)


def test_the_audit_trail_loses_only_whole_years_older_than_the_period():
    # On 2026-12-02, with ten years: 2015 ended more than ten years ago; 2016 has days that did not.
    assert policy.audit_years_due(range(2010, 2028), now=NOW, periods=PERIODS) == list(range(2010, 2016))
    # 2016's last moment becomes ten years old when 2027 begins (UTC), not a moment before.
    new_year = datetime(2027, 1, 1, tzinfo=UTC)
    assert not policy.audit_year_is_due(2016, now=new_year - timedelta(microseconds=1), periods=PERIODS)
    assert policy.audit_year_is_due(2016, now=new_year, periods=PERIODS)
    assert policy.audit_years_ahead(NOW) == [2026, 2027]
    # Stockholm's new year is UTC's old one for an hour: the partitions are UTC years.
    assert policy.audit_years_ahead(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == [2026, 2027]


@pytest.mark.parametrize(
    "periods",
    [
        {"orders": 0, "mail": 90, "desk": 730, "audit_years": 10},
        {"orders": 730, "mail": 1, "desk": 730, "audit_years": 10},  # the mail sweep looks a day back
        {"orders": 730, "mail": 90, "desk": -1, "audit_years": 10},
        {"orders": 730, "mail": 90, "desk": 730, "audit_years": 0},
    ],
)
def test_periods_that_make_no_policy_are_refused(periods):
    with pytest.raises(ValueError):
        Periods.of_days(**periods)
