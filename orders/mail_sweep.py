"""Mail that should have gone and did not: beat's sweep enqueues its task again.

The mail tasks are enqueued after commit, robustly: a broker that is down loses the task,
never the order, the decision or the escalation. What should have been mailed follows from
those rows: every order its receipt, a waiting order its notice to the contact persons who
want one mail per order, a decision its mail to the holder, an escalation its reminder.
Where no sent Notification shows the mail went, the task is enqueued again, as
letters.services.sweep_approved_orders does for the letter. The task sends nothing twice
(one Notification per order, kind and recipient), so meeting a task still on its way
costs a look and no mail.

Only what happened in the last day is swept: older news is no longer worth a mail, and a
first run must not mail a whole history.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from organisation.models import ContactPersonAssignment
from organisation.permissions import central_administrators
from organisation.services import mailed_assignments
from rsportal.queueing import enqueue

from .models import Escalation, Notification, PukOrder
from .notifications import ESCALATION_MAIL
from .states import AWAITING_DECISION

WINDOW = timedelta(days=1)
BATCH = 1000  # per kind and run, as the letter sweep


def sweep_unsent_mail(older_than_seconds: int = 60) -> int:
    """Enqueue the mail tasks whose mail has not gone; returns how many were enqueued."""
    now = timezone.now()
    window = (now - WINDOW, now - timedelta(seconds=older_than_seconds))
    Kind = Notification.Kind
    wanted: list[tuple[str, QuerySet[PukOrder] | QuerySet[Escalation]]] = [
        (
            "orders.tasks.send_order_receipt",
            PukOrder.objects.filter(created_at__range=window).filter(~_sent(Kind.RECEIPT)),
        ),
        (
            "orders.tasks.notify_contact_persons_of_new_order",
            PukOrder.objects.filter(created_at__range=window, state__in=AWAITING_DECISION)
            .annotate(_central_mailed=Exists(central_administrators().exclude(email="")))
            .filter(
                ~_sent(Kind.NEW_ORDER),
                Exists(
                    mailed_assignments(
                        OuterRef("forvaltning"), email_preference=ContactPersonAssignment.EmailPreference.IMMEDIATE
                    )
                )
                # The RS-kort administrators are mailed about the central queue's.
                | Q(central_queue=True, _central_mailed=True),
            ),
        ),
        (
            "orders.tasks.notify_holder_of_decision",
            PukOrder.objects.filter(decided_at__range=window).filter(~_sent(Kind.DECISION)),
        ),
    ]
    for level, (role, kind, _template) in ESCALATION_MAIL.items():
        escalations = Escalation.objects.filter(
            level=level, created_at__range=window, order__state__in=AWAITING_DECISION
        ).filter(~_sent(kind, order="order"), Exists(mailed_assignments(OuterRef("order__forvaltning"), role=role)))
        wanted.append(("orders.tasks.send_escalation", escalations))

    enqueued = 0
    for task_name, rows in wanted:
        for pk in rows.values_list("pk", flat=True)[:BATCH]:
            enqueue(task_name, pk)
            enqueued += 1
    return enqueued


def _sent(kind: str, order: str = "pk") -> Exists:
    """There is a sent mail of `kind` about the order that `order` refers to."""
    return Exists(Notification.objects.filter(order=OuterRef(order), kind=kind, sent_at__isnull=False))
