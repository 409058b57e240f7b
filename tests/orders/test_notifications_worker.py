"""The notification path through the real broker and a real worker process."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from orders import mail_sweep, services, tasks
from orders.models import Notification, PukOrder
from tests.factories import CardFactory
from tests.worker import BASE_DIR, wait_for, worker_env

pytestmark = pytest.mark.services


def test_a_placed_order_mails_the_holder_and_the_contact_persons_through_the_worker(
    celery_worker_process, employee, contact_person
):
    card = CardFactory(holder=employee)
    order = services.place_order(placed_by=employee.user, card=card, reason="lost_letter", blocked_codes="both")

    sent = Notification.objects.filter(order=order, sent_at__isnull=False)
    assert wait_for(lambda: sent.count() == 2), celery_worker_process.log_path.read_text()
    assert set(sent.values_list("kind", "recipient")) == {
        (Notification.Kind.RECEIPT, employee.work_email),
        (Notification.Kind.NEW_ORDER, contact_person.email),
    }
    mails = [path.read_text() for path in celery_worker_process.mail_dir.iterdir()]
    assert len(mails) == 2
    assert any(order.reference in mail and f"To: {employee.work_email}" in mail for mail in mails)
    assert not any("Storgatan" in mail for mail in mails)  # no address in a mail


def test_mail_lost_while_the_broker_was_down_goes_out_once_after_beats_sweep(
    celery_worker_process, employee, contact_person, tmp_path
):
    card = CardFactory(holder=employee)
    # Order in a process of its own whose broker is unreachable: the order stands, its mail tasks are lost.
    script = (
        "from cards.models import Card; from orders import services; "
        f"card = Card.objects.get(pk={card.pk}); "
        "services.place_order(placed_by=card.holder.user, card=card, reason='lost_letter', blocked_codes='both')"
    )
    env = worker_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    placed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert placed.returncode == 0, placed.stderr
    order = PukOrder.objects.get(card=card)
    assert not Notification.objects.exists()
    PukOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=2))

    tasks.sweep_unsent_mail.delay()  # what beat does every minute, through the broker to the worker

    sent = Notification.objects.filter(order=order, sent_at__isnull=False)
    assert wait_for(lambda: sent.count() == 2), celery_worker_process.log_path.read_text()
    assert mail_sweep.sweep_unsent_mail() == 0  # the next sweep finds nothing left to send
    time.sleep(1)
    assert len(list(celery_worker_process.mail_dir.iterdir())) == 2
