from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from .actions import AuditAction
from .context import current_login
from .models import AuditEvent

SYSTEM = "system"
# Keys that name a code value: a slip that passes one to `record` fails loudly.
_CODE_KEYS = {"pin", "puk", "new_pin", "old_pin", "pin_code", "puk_code", "password", "secret"}


def record(action: AuditAction, obj: Model, *, actor: Any = None, reason: str = "", **data: Any) -> AuditEvent:
    """Append one audit event for `obj`. `data` holds facts such as states or tries left.
    `actor` is the user who acted, or None (or an anonymous user) for the system."""
    return record_about(action, obj._meta.label_lower, str(obj.pk), actor=actor, reason=reason, **data)


def record_about(
    action: AuditAction, object_type: str, object_id: str, *, actor: Any = None, reason: str = "", **data: Any
) -> AuditEvent:
    """`record` for something that is no row here (a person the IdP knows and RS-portal does not)."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"an audit action must be an AuditAction, not {action!r}")
    if _CODE_KEYS & {key.lower() for key in data}:
        raise ValueError("a code value may not be recorded in the audit trail")
    acting_user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=acting_user,
        actor_label=_actor_label(acting_user),
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        data=_with_login(data),
    )


def record_many(action: AuditAction, events: Iterable[tuple[Model, dict[str, Any]]], *, reason: str = "") -> int:
    """`record` for many objects at once, by the system (a register import): one event
    for each (object, data). Returns how many were recorded."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"an audit action must be an AuditAction, not {action!r}")
    rows = []
    for obj, data in events:
        if _CODE_KEYS & {key.lower() for key in data}:
            raise ValueError("a code value may not be recorded in the audit trail")
        rows.append(
            AuditEvent(
                actor=None,
                actor_label=SYSTEM,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                reason=reason,
                data=_with_login(data),
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _with_login(data: dict[str, Any]) -> dict[str, Any]:
    """The data, with how the acting person logged in (audit.context) unless it says so itself."""
    login = current_login()
    if login is None or "inloggning" in data:
        return data
    return {**data, "inloggning": login}


def _actor_label(actor: Any) -> str:
    if actor is None:
        return SYSTEM
    return str(actor.get_full_name() or actor.get_username())
