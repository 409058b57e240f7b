"""The notification path through the real broker and a real worker process."""


import pytest

from orders import services
from orders.models import Notification
from tests.factories import CardFactory
from tests.worker import wait_for

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
