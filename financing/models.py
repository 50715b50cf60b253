from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from financing.enums import (
    AwardStatus,
    LineKind,
    LoanKind,
    LoanMethod,
    LoanStatus,
    PaymentMethod,
    TransactionKind,
)

ZERO = Decimal("0.00")


def money(verbose, **kwargs):
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, **kwargs)


class FundingProgramme(BaseModel):
    """A grant envelope: what a funder gives the platform to spend on bookings."""

    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="programmes"
    )
    funder = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="funded_programmes"
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, default="grant", editable=False)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    budget = money(_("budget"))
    committed = money(_("engagé"), default=ZERO)
    paid = money(_("versé"), default=ZERO)
    per_beneficiary_cap = money(_("plafond par personne"), null=True, blank=True)
    eligible_categories = models.JSONField(_("types de service"), default=list, blank=True)
    eligible_situations = models.JSONField(_("publics"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("enveloppe d'aides")
        verbose_name_plural = _("enveloppes d'aides")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                name="programme_committed_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=F("committed")),
                name="programme_paid_within_committed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed


class GrantAward(BaseModel):
    programme = models.ForeignKey(FundingProgramme, on_delete=models.PROTECT, related_name="awards")
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="grant_awards"
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grant_awards",
    )
    amount = money(_("montant"))
    status = models.CharField(
        _("statut"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("aide accordée")
        verbose_name_plural = _("aides accordées")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_positive")]

    def __str__(self) -> str:
        return f"{self.programme} — {self.amount} €"


class Loan(BaseModel):
    platform = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="loans"
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="loans"
    )
    kind = models.CharField(_("type"), max_length=20, choices=LoanKind.choices)
    lender = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="lent_loans"
    )
    principal = money(_("capital"))
    annual_rate = models.DecimalField(_("taux annuel (%)"), max_digits=6, decimal_places=3)
    term_months = models.PositiveSmallIntegerField(_("durée (mois)"))
    method = models.CharField(
        _("mode de calcul"),
        max_length=20,
        choices=LoanMethod.choices,
        default=LoanMethod.DECLINING_BALANCE,
    )
    grace_months = models.PositiveSmallIntegerField(_("différé (mois)"), default=0)
    guarantee_share = models.DecimalField(
        _("part garantie (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    disbursed_on = models.DateField(_("décaissé le"), null=True, blank=True)
    first_due_on = models.DateField(_("première échéance"))
    status = models.CharField(
        _("statut"),
        max_length=12,
        choices=LoanStatus.choices,
        default=LoanStatus.APPLIED,
        db_index=True,
    )
    credit_balance = money(_("trop-perçu"), default=ZERO)
    days_past_due = models.PositiveIntegerField(_("jours de retard"), default=0)
    arrears_bucket = models.CharField(_("tranche de retard"), max_length=8, default="current")
    late_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("prêt")
        verbose_name_plural = _("prêts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0), name="loan_rate_not_negative"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="loan_term_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.principal} €"


class Installment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    principal_due = money(_("capital dû"))
    interest_due = money(_("intérêts dus"))
    principal_paid = money(_("capital payé"), default=ZERO)
    interest_paid = money(_("intérêts payés"), default=ZERO)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["loan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.number} {self.due_on}"

    @property
    def amount_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def outstanding(self) -> Decimal:
        return self.amount_due - self.principal_paid - self.interest_paid


class LoanTransaction(models.Model):
    """Append-only ledger; balances are a replay of it in value-date order."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    amount = money(_("montant"))
    value_date = models.DateField(_("date de valeur"))
    method = models.CharField(max_length=12, choices=PaymentMethod.choices, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["value_date", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="tx_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} € {self.value_date}"


class FinancingPlan(BaseModel):
    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.CASCADE, related_name="financing_plan"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("plan de financement")
        verbose_name_plural = _("plans de financement")

    def __str__(self) -> str:
        return f"Plan {self.booking_id}"


class FinancingLine(models.Model):
    plan = models.ForeignKey(FinancingPlan, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    programme = models.ForeignKey(
        FundingProgramme, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    award = models.OneToOneField(
        GrantAward, null=True, blank=True, on_delete=models.SET_NULL, related_name="line"
    )
    loan = models.ForeignKey(
        Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = money(_("montant"))

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="line_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} €"
