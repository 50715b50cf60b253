"""Loans: creation with validation and schedule, lifecycle, ledger entries, arrears."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, InvalidTransition, NotFoundError, get_or_not_found
from core.transitions import ensure_transition, record_transition
from financing import ledger
from financing.enums import (
    LOAN_LEDGER_TRANSITIONS,
    LOAN_TRANSITIONS,
    ArrearsBucket,
    LoanKind,
    LoanStatus,
    PaymentMethod,
    TransactionKind,
)
from financing.models import Installment, Loan, LoanTransaction
from financing.permissions import can_manage_finance
from financing.schedule import build_schedule

ZERO = Decimal("0.00")


def _lock_loan(actor, loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None or not can_manage_finance(actor, loan.platform_id):
        raise NotFoundError(_("Prêt introuvable."))
    return loan


FIRST_DUE_MAX_YEARS = 5  # a first instalment further away is a typing error


def validate_loan(
    *, kind, principal, annual_rate, term_months, grace_months, first_due_on=None
) -> None:
    from django.core.exceptions import ValidationError

    errors = {}
    limits = settings.MICRO_CREDIT_LIMITS
    if principal is None or principal <= 0:
        errors["principal"] = _("Le capital doit être positif.")
    elif kind == LoanKind.MICRO_CREDIT and not (
        Decimal(limits["min"]) <= principal <= Decimal(limits["max"])
    ):
        errors["principal"] = _("Un microcrédit va de %(min)s à %(max)s €.") % limits
    if annual_rate is None or annual_rate < 0:
        errors["annual_rate"] = _("Le taux ne peut pas être négatif.")
    if not term_months or term_months < 1:
        errors["term_months"] = _("La durée est d'au moins un mois.")
    elif kind == LoanKind.MICRO_CREDIT and term_months > limits["max_months"]:
        errors["term_months"] = _("Un microcrédit dure au plus %(max_months)s mois.") % limits
    if grace_months is not None and term_months and grace_months >= term_months:
        errors["grace_months"] = _("Le différé doit laisser au moins une mensualité.")
    if first_due_on is not None and first_due_on.year > (
        timezone.localdate().year + FIRST_DUE_MAX_YEARS
    ):
        errors["first_due_on"] = _(
            "La première échéance tombe au plus tard dans %(years)s ans."
        ) % {"years": FIRST_DUE_MAX_YEARS}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def loan_create(
    *,
    actor,
    beneficiary_id: int,
    kind: str,
    lender_id: int,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    first_due_on: date,
    method: str,
    grace_months: int = 0,
    guarantee_share: Decimal | None = None,
) -> Loan:
    """Record a loan application; its schedule is generated and stored at once."""
    beneficiary = Beneficiary.objects.filter(pk=beneficiary_id, anonymised_at__isnull=True).first()
    if beneficiary is None or not can_manage_finance(actor, beneficiary.platform_id):
        raise NotFoundError(_("Personne introuvable."))
    validate_loan(
        kind=kind,
        principal=principal,
        annual_rate=annual_rate,
        term_months=term_months,
        grace_months=grace_months,
        first_due_on=first_due_on,
    )
    if guarantee_share is None:
        guarantee_share = Decimal("50") if kind == LoanKind.MICRO_CREDIT else Decimal("0")
    loan = Loan.objects.create(
        platform_id=beneficiary.platform_id,
        beneficiary=beneficiary,
        kind=kind,
        lender_id=lender_id,
        principal=principal,
        annual_rate=annual_rate,
        term_months=term_months,
        method=method,
        grace_months=grace_months,
        guarantee_share=guarantee_share,
        first_due_on=first_due_on,
    )
    Installment.objects.bulk_create(
        [
            Installment(
                loan=loan,
                number=row.number,
                due_on=row.due_on,
                principal_due=row.principal_due,
                interest_due=row.interest_due,
            )
            for row in build_schedule(
                principal=principal,
                annual_rate=annual_rate,
                term_months=term_months,
                first_due_on=first_due_on,
                method=method,
                grace_months=grace_months,
            )
        ]
    )
    audit_log(actor=actor, action="loan.created", target=loan, data={"principal": str(principal)})
    return loan


@transaction.atomic
def loan_transition(*, actor, loan_id: int, to: str, on: date | None = None) -> Loan:
    loan = _lock_loan(actor, loan_id)
    from_status = ensure_transition(LOAN_TRANSITIONS, loan, to, subject=_("le prêt"))
    if to == LoanStatus.DISBURSED:
        loan.disbursed_on = on or timezone.localdate()
        LoanTransaction.objects.create(
            loan=loan,
            kind=TransactionKind.DISBURSEMENT,
            amount=loan.principal,
            value_date=loan.disbursed_on,
            method=PaymentMethod.TRANSFER,
            created_by=actor,
        )
    loan.status = to
    loan.save()
    record_transition(loan, actor=actor, name="loan", from_status=from_status, to=to)
    if to == LoanStatus.DISBURSED:
        update_arrears(loan)  # a back-dated disbursement may already be late
    return loan


def _ledger_move(loan: Loan, to: str | None, *, actor, entry: LoanTransaction) -> None:
    """Save the loan, in the status the ledger brought it to (LOAN_LEDGER_TRANSITIONS, audited)
    when there is one."""
    from_status = loan.status
    if to is not None:
        ensure_transition(LOAN_LEDGER_TRANSITIONS, loan, to, subject=_("le prêt"))
        loan.status = to
    loan.save(update_fields=["credit_balance", "status", "updated_at"])
    if to is not None:
        record_transition(
            loan, actor=actor, name="loan", from_status=from_status, to=to,
            data={"entry": entry.pk},
        )  # fmt: skip


def _replay_and_save(loan: Loan, *, actor, entry: LoanTransaction):
    installments = list(loan.installments.order_by("number"))
    balances, credit, allocations = ledger.replay(
        [(i.number, i.principal_due, i.interest_due) for i in installments],
        list(loan.transactions.all()),
    )
    for installment, balance in zip(installments, balances, strict=True):
        installment.principal_paid = balance.principal_paid
        installment.interest_paid = balance.interest_paid
    Installment.objects.bulk_update(installments, ["principal_paid", "interest_paid"])
    loan.credit_balance = credit
    to = None
    if entry.kind == TransactionKind.WRITE_OFF and loan.status == LoanStatus.DEFAULTED:
        to = LoanStatus.WRITTEN_OFF  # a loss, even when it settles everything
    elif loan.status in (LoanStatus.DISBURSED, LoanStatus.DEFAULTED) and all(
        b.principal_paid == b.principal_due and b.interest_paid == b.interest_due for b in balances
    ):
        to = LoanStatus.REPAID
    _ledger_move(loan, to, actor=actor, entry=entry)
    update_arrears(loan, installments=installments)
    return allocations


@transaction.atomic
def entry_record(
    *,
    actor,
    loan_id: int,
    kind: str,
    amount: Decimal,
    value_date: date,
    method: str = "",
    note: str = "",
):
    """Append a repayment, waiver or write-off; returns this entry and its allocation."""
    loan = _lock_loan(actor, loan_id)
    if kind not in ledger.PAYING:
        raise ApplicationError(_("Type d'écriture inconnu."), code=ErrorCode.INVALID)
    if loan.status not in (LoanStatus.DISBURSED, LoanStatus.DEFAULTED, LoanStatus.REPAID):
        raise InvalidTransition(_("Le prêt n'est pas décaissé."))
    if amount is None or amount <= 0:
        raise ApplicationError(_("Le montant doit être positif."), code=ErrorCode.INVALID)
    if value_date > timezone.localdate():
        raise ApplicationError(
            _("La date de valeur ne peut pas être dans le futur."), code=ErrorCode.INVALID
        )
    if kind == TransactionKind.REPAYMENT and method not in PaymentMethod.values:
        raise ApplicationError(_("Indiquez comment la personne a payé."), code=ErrorCode.INVALID)
    entry = LoanTransaction.objects.create(
        loan=loan,
        kind=kind,
        amount=amount,
        value_date=value_date,
        method=method,
        created_by=actor,
        note=note[:255],
    )
    allocations = _replay_and_save(loan, actor=actor, entry=entry)
    audit_log(
        actor=actor,
        action=f"loan.{kind}",
        target=loan,
        data={"amount": str(amount), "value_date": str(value_date)},
    )
    return entry, next(a for a in allocations if a.transaction_key == entry.pk)


@transaction.atomic
def entry_reverse(*, actor, transaction_id: int, note: str = "") -> LoanTransaction:
    original = get_or_not_found(
        LoanTransaction.objects.select_related("loan"), transaction_id, _("Écriture introuvable.")
    )
    loan = _lock_loan(actor, original.loan_id)
    if original.kind == TransactionKind.REVERSAL or hasattr(original, "reversed_by"):
        raise InvalidTransition(_("Cette écriture est déjà annulée."))
    if original.kind == TransactionKind.DISBURSEMENT:
        raise ApplicationError(
            _("Un décaissement ne s'annule pas : annulez le prêt."), code=ErrorCode.NOT_REVERSIBLE
        )
    reversal = LoanTransaction.objects.create(
        loan=loan,
        kind=TransactionKind.REVERSAL,
        amount=original.amount,
        value_date=original.value_date,
        reverses=original,
        created_by=actor,
        note=note[:255],
    )
    if loan.status == LoanStatus.REPAID:
        _ledger_move(loan, LoanStatus.DISBURSED, actor=actor, entry=reversal)
    _replay_and_save(loan, actor=actor, entry=reversal)
    audit_log(actor=actor, action="loan.reversal", target=loan, data={"of": original.pk})
    return reversal


def bucket_for(days: int) -> str:
    if days <= 0:
        return ArrearsBucket.CURRENT
    if days <= 30:
        return ArrearsBucket.D1_30
    if days <= 60:
        return ArrearsBucket.D31_60
    if days <= 90:
        return ArrearsBucket.D61_90
    return ArrearsBucket.D90_PLUS


def update_arrears(loan: Loan, *, today: date | None = None, installments=None) -> Loan:
    """Days past due of the oldest unpaid instalment already due, and its bucket."""
    today = today or timezone.localdate()
    installments = installments if installments is not None else loan.installments.all()
    late = [i for i in installments if i.due_on < today and i.outstanding > 0]
    days = (today - min(i.due_on for i in late)).days if late else 0
    if loan.status not in (LoanStatus.DISBURSED, LoanStatus.DEFAULTED):
        days = 0
    changes = {"days_past_due": days, "arrears_bucket": bucket_for(days)}
    if days == 0:
        changes["late_notified_at"] = None  # the next late spell is notified again
    Loan.objects.filter(pk=loan.pk).update(**changes)
    loan.days_past_due, loan.arrears_bucket = days, bucket_for(days)
    return loan


def arrears_update_all(*, today: date | None = None) -> int:
    """Daily job."""
    count = 0
    for loan in Loan.objects.filter(
        status__in=[LoanStatus.DISBURSED, LoanStatus.DEFAULTED]
    ).prefetch_related("installments"):
        update_arrears(loan, today=today, installments=list(loan.installments.all()))
        count += 1
    return count
