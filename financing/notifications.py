"""Instalment due soon (borrower, preferred channel) and late (finance officers, adviser)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership
from core.notifications import notify
from core.phones import can_receive_sms
from financing.enums import LoanStatus
from financing.models import Installment, Loan


def _borrower_context(installment) -> dict:
    return {
        "amount": f"{installment.outstanding:.2f}".replace(".", ","),
        "due_on": installment.due_on.strftime("%d/%m/%Y"),
        "number": installment.number,
    }


def installments_due_soon_notify(*, today=None) -> int:
    """Tell borrowers of an instalment due in INSTALLMENT_DUE_SOON_DAYS days (once)."""
    today = today or timezone.localdate()
    target = today + timedelta(days=settings.INSTALLMENT_DUE_SOON_DAYS)
    count = 0
    for installment in (
        Installment.objects.filter(
            due_on=target, loan__status=LoanStatus.DISBURSED, reminded_at__isnull=True
        )
        .exclude(principal_paid=F("principal_due"), interest_paid=F("interest_due"))
        .select_related("loan__beneficiary__user")
    ):
        with transaction.atomic():
            if not Installment.objects.filter(pk=installment.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                continue
            person = installment.loan.beneficiary
            context = _borrower_context(installment)
            if person.user_id:
                notify(template="financing/installment_due", user=person.user, context=context)
            elif can_receive_sms(person.phone):
                notify(
                    template="financing/installment_due",
                    channel="sms",
                    recipient=person.phone,
                    context=context,
                )
            elif person.email:
                notify(
                    template="financing/installment_due",
                    channel="email",
                    recipient=person.email,
                    context=context,
                )
            count += 1
    return count


def late_loans_notify(*, today=None) -> int:
    """When a loan becomes late (days past due crosses 1), tell finance and the adviser once."""
    count = 0
    for loan in Loan.objects.filter(
        status=LoanStatus.DISBURSED, days_past_due__gt=0, late_notified_at__isnull=True
    ).select_related("beneficiary__adviser"):
        with transaction.atomic():
            if not Loan.objects.filter(pk=loan.pk, late_notified_at__isnull=True).update(
                late_notified_at=timezone.now()
            ):
                continue
            readers = [
                m.user
                for m in Membership.objects.filter(
                    organisation_id=loan.platform_id, role=Role.FINANCE_OFFICER, active=True
                ).select_related("user")
            ]
            if loan.beneficiary.adviser:
                readers.append(loan.beneficiary.adviser)
            person = loan.beneficiary
            for reader in {r.pk: r for r in readers}.values():
                notify(
                    template="financing/loan_late",
                    user=reader,
                    channel="email",
                    context={
                        "person": f"{person.first_name} {person.last_name}",
                        "days": loan.days_past_due,
                        "loan": loan.pk,
                    },
                )
            count += 1
    return count
