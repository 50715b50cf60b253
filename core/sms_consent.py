"""May this number receive an SMS? The person's consent and STOP (opt-out).

No SMS goes to a number that answered STOP (`SmsOptOut`, whoever the reader), nor to a person
whose record holds no active SMS consent (asked through `core.hooks.sms_consent`: the
beneficiaries app answers for the people it follows; staff, who chose SMS as their channel
themselves, are not asked). `sms_permission` is read when the notification is written and
again just before it is sent; a refused SMS stays in the outbox as `refused`, with the
reason, and the message goes by e-mail when there is an address.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.hooks import sms_consent, sms_opted_out
from core.models import SmsOptOut


@dataclass(frozen=True)
class SmsConsent:
    """A receiver's answer about one person: `allowed`, and an e-mail to use instead."""

    allowed: bool
    email: str = ""


@dataclass(frozen=True)
class SmsPermission:
    allowed: bool
    reason: str = ""
    email: str = ""


def sms_permission(*, phone: str, user=None) -> SmsPermission:
    answers = [
        answer
        for _receiver, answer in sms_consent.send(sender=SmsConsent, phone=phone, user=user)
        if answer is not None
    ]
    email = next((a.email for a in answers if a.email), "") or getattr(user, "email", "") or ""
    if SmsOptOut.objects.filter(phone=phone).exists():
        return SmsPermission(False, _("Le numéro a demandé à ne plus recevoir de SMS (STOP)."),
                             email)  # fmt: skip
    if any(not answer.allowed for answer in answers):
        return SmsPermission(False, _("La personne n'a pas donné son accord pour les SMS."),
                             email)  # fmt: skip
    return SmsPermission(True)


@transaction.atomic
def sms_opt_out(*, phone: str, source: str, actor=None) -> SmsOptOut:
    """Record that `phone` wants no more SMS (audited), and tell the apps above."""
    opt_out, created = SmsOptOut.objects.get_or_create(phone=phone, defaults={"source": source})
    if created:
        audit_log(actor=actor, action="sms.opted_out", target=opt_out, data={"source": source})
    sms_opted_out.send(sender=SmsOptOut, phone=phone)
    return opt_out


@transaction.atomic
def sms_opt_in(*, phone: str, actor) -> bool:
    """The person agreed to SMS again (their consent recorded by staff): lift a STOP."""
    removed = False
    for opt_out in SmsOptOut.objects.select_for_update().filter(phone=phone):
        audit_log(actor=actor, action="sms.opted_in", target=opt_out,
                  data={"source": opt_out.source})  # fmt: skip
        opt_out.delete()
        removed = True
    return removed
