"""The audit trail is append-only and never holds a code: `record` refuses a key that names
one, the model and its queryset refuse to change or delete an event, and on PostgreSQL a
trigger refuses it to plain SQL too (docs/security.md)."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actions import AuditAction
from audit.models import AppendOnlyError, AuditEvent
from audit.services import record
from tests.factories import PukOrderFactory


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["puk", "PIN", "new_pin", "puk_code", "password", "secret"])
def test_record_refuses_a_key_that_names_a_code(card, key):
    order = PukOrderFactory(card=card)
    with pytest.raises(ValueError):
        record(AuditAction.ORDER_APPROVED, order, **{key: "12345678"})
    assert not AuditEvent.objects.filter(action=AuditAction.ORDER_APPROVED).exists()


@pytest.mark.django_db
def test_an_event_is_neither_changed_nor_deleted_through_the_orm(card):
    event = record(AuditAction.ORDER_APPROVED, PukOrderFactory(card=card), reason="ok")
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "ok"


@pytest.mark.services
def test_on_postgresql_the_database_refuses_to_change_or_delete_an_event(postgresql, card):
    event = record(AuditAction.ORDER_APPROVED, PukOrderFactory(card=card), reason="ok")
    for sql in [
        "UPDATE audit_auditevent SET reason = 'changed' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "ok"
