from .models import AuditEvent

SYSTEM = "system"
# Keys that name a code value: a slip that passes one to `record` fails loudly.
_CODE_KEYS = {"pin", "puk", "new_pin", "old_pin", "pin_code", "puk_code", "password", "secret"}


def record(action, obj, *, actor=None, reason="", **data):
    """Append one audit event for `obj`. `data` holds facts such as states or tries left."""
    if _CODE_KEYS & {key.lower() for key in data}:
        raise ValueError("a code value may not be recorded in the audit trail")
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reason=reason,
        data=data,
    )


def _actor_label(actor):
    if actor is None or not actor.is_authenticated:
        return SYSTEM
    return actor.get_full_name() or actor.get_username()
