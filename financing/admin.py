from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from financing.models import FundingProgramme, GrantAward, Installment, Loan, LoanTransaction


@admin.register(FundingProgramme)
class FundingProgrammeAdmin(ReadOnlyAdmin):
    """Envelopes, awards and loans move through their services (budget guard, ledger)."""

    list_display = ["name", "platform", "budget", "committed", "paid", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(GrantAward)
class GrantAwardAdmin(ReadOnlyAdmin):
    list_display = ["programme", "amount", "status", "created_at"]
    list_filter = ["status"]


class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = ["number", "due_on", "principal_due", "interest_due", "principal_paid",
              "interest_paid"]  # fmt: skip


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "lender", "principal", "status", "first_due_on"]
    list_filter = ["kind", "status"]
    inlines = [InstallmentInline]


@admin.register(LoanTransaction)
class LoanTransactionAdmin(ReadOnlyAdmin):
    list_display = ["loan", "kind", "amount", "value_date", "method"]
    list_filter = ["kind", "method"]
