from django.db import models

from core.models import AuditLog


def audit_log(
    *, actor, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditLog:
    """Append one audit row. Call it inside the transaction of the change it records."""
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def audit_log_many(*, actor, action: str, targets, data_of=lambda target: {}) -> None:
    """The same action on many rows, appended in one statement (`data_of(target)` gives each
    row's data). Call it inside the transaction of the changes it records."""
    who = actor if actor is not None and actor.is_authenticated else None
    AuditLog.objects.bulk_create(
        [
            AuditLog(actor=who, action=action, target_type=t._meta.label_lower,
                     target_id=str(t.pk), data=data_of(t))
            for t in targets
        ],
        batch_size=2000,
    )  # fmt: skip
