"""The order states, in words. The transitions between them are declared on PukOrder
(django-fsm) and taken only by orders.transitions.

The labels are the one set of names for an order's state: the status badge, the letter's
steps on the order pages (templates/letters/_letter_status.html, {% state_label %}) and
the queue's CSV all use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    SUBMITTED = "submitted", _("Inskickad")
    SECOND_APPROVAL = "second_approval", _("Väntar på andra godkännande")
    APPROVED = "approved", _("Godkänd")
    # The letter is made and handed to the print house (letters.services), to be printed.
    LETTER_QUEUED = "letter_queued", _("Hos tryckeriet")
    PRINTED = "printed", _("Utskrivet")
    POSTED = "posted", _("Skickat som rekommenderat brev")
    DELIVERED = "delivered", _("Utlämnat")
    FORWARDED = "forwarded", _("Skickat via Skatteverkets förmedling")
    RETURNED = "returned", _("Returnerat")
    FAILED = "failed", _("Misslyckades")
    REJECTED = "rejected", _("Avslagen")
    CANCELLED = "cancelled", _("Återkallad")
    HANDLED_AT_DESK = "handled_at_desk", _("Hanterad på kortstation")
    CLOSED = "closed", _("Avslutad")


# While an order is in one of these, the card gets no second order (a database constraint).
OPEN_STATES = [
    OrderState.SUBMITTED,
    OrderState.SECOND_APPROVAL,
    OrderState.APPROVED,
    OrderState.LETTER_QUEUED,
    OrderState.PRINTED,
    OrderState.POSTED,
    OrderState.RETURNED,
    OrderState.FAILED,
]

# Waiting for a contact person's decision.
AWAITING_DECISION = [OrderState.SUBMITTED, OrderState.SECOND_APPROVAL]

# What "att hantera" means: the orders that wait for a contact person's action.
NEEDS_ACTION = [OrderState.SUBMITTED, OrderState.SECOND_APPROVAL, OrderState.RETURNED, OrderState.FAILED]

# Open, and no letter on its way yet: a card station may close the order as handled
# at the desk. From letter_queued on, the letter is being made or is in the post.
BEFORE_POSTING = [
    OrderState.SUBMITTED,
    OrderState.SECOND_APPROVAL,
    OrderState.APPROVED,
    OrderState.FAILED,
    OrderState.RETURNED,
]
