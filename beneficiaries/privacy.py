"""Access log, export and anonymisation (DESIGN §10, DOMAIN §5: CNIL retention of two years
after the last contact)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.need_to_know import DataKind
from beneficiaries import hooks
from beneficiaries.models import Beneficiary, Referral
from beneficiaries.selectors import beneficiary_get_for
from core.audit import audit_log
from core.models import AuditLog

ANONYMOUS = "Anonyme"


def beneficiary_open(
    *, user, beneficiary_id: int, purpose: str = "view", kind: DataKind = DataKind.IDENTITY
) -> Beneficiary:
    """Read a person's record for a member of staff who may read `kind` of it (need-to-know
    table), and write it in the access log."""
    beneficiary = beneficiary_get_for(user=user, beneficiary_id=beneficiary_id, kind=kind)
    audit_log(actor=user, action="beneficiary.read", target=beneficiary, data={"as": purpose})
    return beneficiary


def beneficiary_export(*, user, beneficiary_id: int) -> dict:
    """Everything held on a person, as JSON-ready data (right of access): the record here,
    and what the apps above hold (`hooks.person_exported`: bookings, waiting lists,
    appointments, grants, loans, payments)."""
    beneficiary = beneficiary_open(
        user=user, beneficiary_id=beneficiary_id, purpose="export", kind=DataKind.EXPORT
    )

    return {
        "exported_at": timezone.now().isoformat(),
        "person": {
            f.name: _json(getattr(beneficiary, f.attname))
            for f in Beneficiary._meta.concrete_fields
            if f.name not in {"search_key", "search_text"}
        },
        "referrals": export_rows(
            beneficiary.referrals.all(),
            "created_at",
            "status",
            "situation",
            "need",
            "professional_project",
            "steps_taken",
            "consent_to_share",
            "refusal_reason",
            "reorientation",
        ),  # fmt: skip
        "eligibility_checks": export_rows(
            beneficiary.eligibility_checks.all(),
            "created_at",
            "eligible",
            "results",
            "valid_until",
        ),  # fmt: skip
        "diagnoses": export_rows(
            beneficiary.diagnoses.all(),
            "held_on",
            "duration_minutes",
            "summary",
            "decision",
            "shared_with_prescriber_at",
        ),  # fmt: skip
        "barriers": export_rows(
            beneficiary.barriers.all(), "category", "code", "priority", "lifted_at"
        ),
        "action_plan": export_rows(beneficiary.action_items.all(), "action", "due_on", "done_at"),
        "follow_ups": export_rows(beneficiary.follow_ups.all(), "held_on", "channel", "notes"),
        "outcome": []
        if not hasattr(beneficiary, "outcome")
        else [
            {"code": beneficiary.outcome.code, "exited_on": _json(beneficiary.outcome.exited_on)}
        ],  # fmt: skip
        "consents": export_rows(
            beneficiary.consents.all(),
            "purpose",
            "prescriber_organisation_id",
            "given_at",
            "withdrawn_at",
        ),  # fmt: skip
        "access_log": export_rows(
            AuditLog.objects.filter(
                target_type="beneficiaries.beneficiary", target_id=str(beneficiary.pk)
            ).order_by("at"),
            "at",
            "actor_id",
            "action",
        ),  # fmt: skip
        **hooks.exported_sections(beneficiary=beneficiary),
    }


def export_rows(queryset, *fields) -> list[dict]:
    """Rows of a person's export: the fields named, JSON-ready (the apps above use it for
    their sections of `hooks.person_exported`)."""
    return [{f: _json(getattr(obj, f)) for f in fields} for obj in queryset]


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


IDENTITY_FIELDS = {
    "first_name": ANONYMOUS, "last_name": ANONYMOUS, "birth_date": None, "phone": "",
    "email": "", "address": "", "professional_project": "", "household": "",
    "income_notes": "", "search_key": "", "search_text": "",
}  # fmt: skip
REFERRAL_IDENTITY = {
    "first_name": ANONYMOUS, "last_name": ANONYMOUS, "birth_date": None, "phone": "",
    "email": "", "need": "", "professional_project": "", "steps_taken": "",
}  # fmt: skip


def anonymise(beneficiary: Beneficiary, *, now=None) -> None:
    """Remove identity and free text; keep situation, status, barriers' categories, outcome
    and every amount, so statistics and accounts stay right. The apps above do their part in
    the same transaction (`hooks.person_anonymised`: places in line given up, appointments
    to come cancelled)."""
    now = now or timezone.now()
    with transaction.atomic():
        for field, value in IDENTITY_FIELDS.items():
            setattr(beneficiary, field, value)
        if beneficiary.user_id is not None:
            beneficiary.user.is_active = False
            beneficiary.user.save(update_fields=["is_active"])
        beneficiary.user = None
        beneficiary.anonymised_at = now
        beneficiary.save()
        Referral.objects.filter(beneficiary=beneficiary).update(**REFERRAL_IDENTITY)
        beneficiary.diagnoses.update(summary="")
        beneficiary.follow_ups.update(notes="")
        beneficiary.action_items.update(action="—")
        hooks.person_anonymised.send(sender=Beneficiary, beneficiary=beneficiary, now=now)
        audit_log(actor=None, action="beneficiary.anonymised", target=beneficiary)


def anonymise_inactive(*, now=None) -> int:
    """Daily: anonymise people with no contact for RETENTION_DAYS (two years)."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.RETENTION_DAYS)
    stale = Beneficiary.objects.filter(anonymised_at__isnull=True).filter(
        last_contact_at__lt=limit
    ) | Beneficiary.objects.filter(
        anonymised_at__isnull=True, last_contact_at__isnull=True, updated_at__lt=limit
    )
    count = 0
    for beneficiary in stale.select_related("user"):
        anonymise(beneficiary, now=now)
        count += 1
    # Referrals never accepted also hold identity.
    Referral.objects.filter(beneficiary__isnull=True, updated_at__lt=limit).exclude(
        first_name=ANONYMOUS
    ).update(**REFERRAL_IDENTITY)
    return count
