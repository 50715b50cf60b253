"""What beneficiaries plugs into core (`core.hooks`), connected by
`BeneficiariesConfig.ready()`: the people it follows receive SMS only with their consent
(purpose `sms`), and a STOP from their number withdraws it."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beneficiaries.enums import ConsentPurpose
from beneficiaries.models import Beneficiary, Consent
from core import hooks
from core.audit import audit_log
from core.sms_consent import SmsConsent


def _people(phone: str, user):
    if user is not None and getattr(user, "pk", None):
        return Beneficiary.objects.filter(user=user)
    return Beneficiary.objects.filter(phone=phone) if phone else Beneficiary.objects.none()


def sms_consent(sender, *, phone: str, user=None, **kwargs) -> SmsConsent | None:
    """For a person we follow (by account, else by number): every record holding this
    number must carry an active SMS consent. Someone we do not follow: no answer."""
    people = list(_people(phone, user).values("pk", "email"))
    if not people:
        return None
    ids = [person["pk"] for person in people]
    consenting = set(
        Consent.objects.filter(
            beneficiary_id__in=ids, purpose=ConsentPurpose.SMS, withdrawn_at__isnull=True
        ).values_list("beneficiary_id", flat=True)
    )
    email = next((p["email"] for p in people if p["email"]), "")
    return SmsConsent(allowed=consenting >= set(ids), email=email)


def sms_opted_out(sender, *, phone: str, **kwargs) -> None:
    """A STOP from this number: the SMS consents of the people holding it are withdrawn."""
    now = timezone.now()
    people = Beneficiary.objects.filter(Q(phone=phone) | Q(user__phone=phone))
    with transaction.atomic():
        consents = Consent.objects.select_for_update(of=("self",)).filter(
            beneficiary__in=people, purpose=ConsentPurpose.SMS, withdrawn_at__isnull=True
        )
        for consent in consents.select_related("beneficiary").order_by("pk"):
            consent.withdrawn_at = now
            consent.save(update_fields=["withdrawn_at", "updated_at"])
            audit_log(actor=None, action="consent.withdrawn", target=consent.beneficiary,
                      data={"purpose": ConsentPurpose.SMS, "source": "sms_stop"})  # fmt: skip


def connect() -> None:
    hooks.sms_consent.connect(sms_consent, dispatch_uid="beneficiaries.sms_consent")
    hooks.sms_opted_out.connect(sms_opted_out, dispatch_uid="beneficiaries.sms_opted_out")
