"""The audit actions of an order, in words for its timeline."""

from django.utils.translation import gettext_lazy as _

ORDER_EVENT_LABELS = {
    "order_submitted": _("Beställningen skickades in"),
    "order_cancelled": _("Beställningen återkallades"),
    "order_first_approval": _("Beställningen godkändes en första gång och väntar på ett andra godkännande"),
    "order_approved": _("Beställningen godkändes"),
    "order_rejected": _("Beställningen avslogs"),
    "order_reminder_sent": _("Påminnelse till kontaktpersonerna: beslutet dröjer längre än målet"),
    "order_escalated_to_substitutes": _("Påminnelse till ersättarna: beslutet dröjer fortfarande"),
    "letter_queued": _("Kodbrevet skapades och lämnades till tryckeriet"),
    "letter_failed": _("Kodbrevet kunde inte skapas"),
    "letter_retried": _("Nytt försök att skapa kodbrevet"),
    "letter_printed": _("Kodbrevet skrevs ut"),
    "letter_posted": _("Kodbrevet skickades"),
    "letter_delivered": _("Kodbrevet lämnades ut"),
    "letter_returned": _("Kodbrevet kom tillbaka"),
    "letter_sent_again": _("Ett nytt kodbrev beställdes"),
    "order_closed": _("Beställningen avslutades"),
    "order_handled_at_desk": _("Innehavaren fick hjälp vid en kortstation; inget kodbrev behövs"),
}
