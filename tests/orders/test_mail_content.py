"""What the order mails say. They are plain text: nothing in them is HTML-escaped."""

from pathlib import Path

import pytest
from django.conf import settings

from orders import notifications, services
from organisation.models import Employee, Forvaltning
from tests.factories import PukOrderFactory

pytestmark = pytest.mark.django_db

TRICKY_NAME = ('Ann-Marie "Mia"', "O'Neil & Söner")
TRICKY_FORVALTNING = 'Hälsa & "Vård" i Skåne'
ESCAPED = ("&#x27;", "&amp;", "&quot;", "&#39;", "&lt;", "&gt;")


@pytest.fixture
def tricky_order(card, contact_person):
    Employee.objects.filter(pk=card.holder.pk).update(first_name=TRICKY_NAME[0], last_name=TRICKY_NAME[1])
    Forvaltning.objects.filter(pk=card.holder.forvaltning_id).update(name=TRICKY_FORVALTNING)
    return PukOrderFactory(card=card)


def only_mail(mailoutbox):
    (mail,) = mailoutbox
    assert not any(escaped in mail.subject + mail.body for escaped in ESCAPED), mail.subject + mail.body
    return mail


def test_the_receipt_keeps_quotes_and_ampersands_as_typed(tricky_order, mailoutbox):
    notifications.send_order_receipt(tricky_order.pk)
    mail = only_mail(mailoutbox)
    assert f"Hej {TRICKY_NAME[0]}!" in mail.body
    assert tricky_order.reference in mail.subject


def test_the_new_order_notice_keeps_quotes_and_ampersands_as_typed(tricky_order, mailoutbox):
    notifications.notify_contact_persons_of_new_order(tricky_order.pk)
    mail = only_mail(mailoutbox)
    assert f"Kortinnehavare: {TRICKY_NAME[0]} {TRICKY_NAME[1]}" in mail.body
    assert f"Förvaltning: {TRICKY_FORVALTNING}" in mail.body
    assert TRICKY_FORVALTNING in mail.subject


def test_the_rejection_mail_gives_the_reason_as_typed(tricky_order, contact_person, mailoutbox):
    reason = 'Kortet är "spärrat" & ska bytas: ring O\'Neil <30000>.'
    services.reject_order(order=tricky_order, by=contact_person, reason=reason)
    notifications.notify_holder_of_decision(tricky_order.pk)
    mail = only_mail(mailoutbox)
    assert f"Skäl: {reason}" in mail.body
    assert f"Din beställning {tricky_order.reference} har avslagits" == mail.subject


def test_the_approval_mail_says_approved_how_the_letter_comes_and_where_to_follow_it(
    tricky_order, contact_person, mailoutbox
):
    services.approve_order(order=tricky_order, by=contact_person)
    notifications.notify_holder_of_decision(tricky_order.pk)
    mail = only_mail(mailoutbox)
    assert mail.to == [tricky_order.holder.work_email]
    assert mail.subject == f"Din beställning {tricky_order.reference} är godkänd"
    assert f"Hej {TRICKY_NAME[0]}!" in mail.body
    assert f"Din beställning {tricky_order.reference} av ny PUK-kod är godkänd." in mail.body
    assert "rekommenderat brev till din folkbokföringsadress" in mail.body
    assert f"{settings.SITE_URL}/mina-bestallningar/{tricky_order.pk}/" in mail.body
    assert "Storgatan" not in mail.body and "211 34" not in mail.body  # no address in a mail


def test_every_mail_template_turns_html_escaping_off():
    templates = sorted((Path(settings.BASE_DIR) / "templates" / "email").glob("*.txt"))
    assert templates
    assert [t.name for t in templates if "{% autoescape off %}" not in t.read_text()] == []
