"""A clock the tests can move: `django.utils.timezone.now` patched to run ahead.

Every use of `timezone.now()` (the permission checks, the services, Django's auto_now
fields) then sees the moved time; `time.time()` (a signed token's age) does not move."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone


class Clock:
    """Runs with the real clock, `move`d ahead; or stands still at the moment it was `set` to."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.stopped_at: datetime | None = None
        self._real_now = timezone.now

    def now(self) -> datetime:
        if self.stopped_at is not None:
            return self.stopped_at
        return self._real_now() + self.offset

    def move(self, delta: timedelta) -> None:
        if self.stopped_at is not None:
            self.stopped_at += delta
        else:
            self.offset += delta

    def set(self, moment: datetime) -> None:
        self.stopped_at = moment


@pytest.fixture
def clock(monkeypatch):
    moving = Clock()
    monkeypatch.setattr(timezone, "now", moving.now)
    return moving
