"""Station tasks: mail the administrators when an operator reaches the hourly limit of
assisted unblocks, record PUK tickets that expired unused, and end operator rights whose
period passed."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string

from . import services
from .models import Station


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def alert_assisted_unblock_limit(operator_id: int, station_id: int) -> None:
    User = get_user_model()
    operator, station = User.objects.get(pk=operator_id), Station.objects.get(pk=station_id)
    recipients = list(
        User.objects.filter(is_superuser=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return
    context = {"operator": operator.get_full_name() or operator.get_username(), "station": station}
    subject = render_to_string("email/assisted_unblock_limit_subject.txt", context).strip()
    send_mail(subject, render_to_string("email/assisted_unblock_limit.txt", context), None, recipients)


@shared_task(acks_late=True)
def record_lapsed_tickets() -> int:
    return services.record_lapsed_tickets()


@shared_task(acks_late=True)
def end_expired_operator_rights() -> int:
    return services.end_expired_operator_rights()
