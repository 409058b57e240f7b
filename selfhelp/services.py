"""Recording guide reads and feedback, and forgetting them after the retention period."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from orders.free_text import looks_like_code
from organisation.permissions import AnyUser, employee_of

from .guides import Guide
from .models import GuideFeedback, GuideRead
from .selectors import kept_since


def record_read(*, user: AnyUser, guide: Guide, now: datetime | None = None) -> None:
    """Counts that `user` opened `guide`: an employee once a day per guide, anyone else
    (not logged in, or a login that is no employee) as no one, each time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    employee = employee_of(user)
    if employee is None:
        GuideRead.objects.create(guide=guide, read_on=today, read_at=now)
        return
    GuideRead.objects.get_or_create(
        employee=employee,
        guide=guide,
        read_on=today,
        defaults={"forvaltning_id": employee.forvaltning_id, "read_at": now},
    )


def give_feedback(*, user: AnyUser, guide: Guide, helpful: bool, text: str) -> GuideFeedback:
    """Stores an answer to "Var den här informationen till hjälp?" with the förvaltning of
    an employee who gave it, never who. Text that holds what may be a PIN or PUK is never
    stored: the form refuses it, and this refuses it again (ValueError)."""
    if looks_like_code(text):
        raise ValueError("the feedback's text holds what looks like a code")
    employee = employee_of(user)
    return GuideFeedback.objects.create(
        guide=guide, helpful=helpful, text=text.strip(), forvaltning_id=employee.forvaltning_id if employee else None
    )


@transaction.atomic
def forget_old_rows(*, today: date | None = None) -> int:
    """Deletes the reads and feedback older than the retention period; returns how many."""
    cutoff = timezone.make_aware(datetime.combine(kept_since(today or timezone.localdate()), time()))
    reads, _ = GuideRead.objects.filter(read_at__lt=cutoff).delete()
    feedback, _ = GuideFeedback.objects.filter(created_at__lt=cutoff).delete()
    return reads + feedback
