"""Working days (Monday to Friday), pure. Public holidays are not subtracted: a badge a
day early around a holiday is better than a late one."""

from datetime import date, timedelta


def working_days_between(start: date, end: date) -> int:
    """Whole working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count
