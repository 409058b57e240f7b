"""The self-help rate, a pure function: of the employees who read a guide, the share with
no order within the window after any of their reads."""

from datetime import UTC, datetime, timedelta

from selfhelp.rate import ORDER_WINDOW, SelfHelp, self_help


def day(n, hour=9):
    return datetime(2026, 3, 1, hour, tzinfo=UTC) + timedelta(days=n - 1)


def test_self_help_on_a_constructed_month():
    reads = [
        ("anna", day(2)),  # ordered the next day: not helped
        ("anna", day(3)),
        ("bertil", day(5)),  # never ordered: helped
        ("cecilia", day(10)),  # ordered 20 days later, outside the window: helped
        ("david", day(31, 23)),  # ordered in April, within the window: not helped
        ("erik", day(12)),  # ordered before reading, not after: helped
        ("fatima", day(4)),  # ordered 16 days after the first read, 2 days after the second: not helped
        ("fatima", day(18)),
    ]
    orders = [
        ("anna", day(3, 10)),
        ("cecilia", day(30)),
        ("david", day(33)),
        ("erik", day(11)),
        ("fatima", day(20)),
        ("gustav", day(6)),  # ordered without reading: not in the figure
    ]
    figure = self_help(reads, orders)
    assert figure == SelfHelp(readers=6, helped=3)
    assert figure.rate == 0.5


def test_the_window_is_fourteen_days_from_the_read_and_excludes_its_end():
    read = day(1)
    assert timedelta(days=14) == ORDER_WINDOW
    assert self_help([("anna", read)], [("anna", read + ORDER_WINDOW - timedelta(seconds=1))]).helped == 0
    assert self_help([("anna", read)], [("anna", read + ORDER_WINDOW)]).helped == 1
    assert self_help([("anna", read)], [("anna", read)]).helped == 0  # the same moment counts as after


def test_no_readers_is_no_rate_and_sums_add_up():
    assert self_help([], [("anna", day(1))]) == SelfHelp(0, 0)
    assert SelfHelp(0, 0).rate is None
    assert SelfHelp(4, 1) + SelfHelp(2, 2) == SelfHelp(6, 3)
