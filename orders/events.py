"""The audit actions of an order, in words for its timeline."""

from django.utils.translation import gettext_lazy as _

ORDER_EVENT_LABELS = {
    "order_submitted": _("Beställningen skickades in"),
    "order_cancelled": _("Beställningen återkallades"),
    "order_first_approval": _("Beställningen godkändes en första gång och väntar på ett andra godkännande"),
    "order_approved": _("Beställningen godkändes"),
    "order_rejected": _("Beställningen avslogs"),
}
