from django.urls import path

from financing import api, api_loans
from financing.enums import LoanStatus

urlpatterns = [
    path(
        "bookings/<int:booking_id>/financing/",
        api.FinancingPlanApi.as_view(),
        name="api-booking-financing",
    ),
    path("programmes/", api.ProgrammeListApi.as_view(), name="api-programme-list"),
    path("loans/", api_loans.LoanListApi.as_view(), name="api-loan-list"),
    path("loans/<int:loan_id>/", api_loans.LoanDetailApi.as_view(), name="api-loan-detail"),
    path(
        "loans/<int:loan_id>/schedule/",
        api_loans.LoanScheduleApi.as_view(),
        name="api-loan-schedule",
    ),
    path(
        "loans/<int:loan_id>/repayments/",
        api_loans.LoanRepaymentApi.as_view(),
        name="api-loan-repayments",
    ),
    path("loans/<int:loan_id>/entries/", api_loans.LoanEntryApi.as_view(), name="api-loan-entries"),
    path("loans/<int:loan_id>/ledger/", api_loans.LoanLedgerApi.as_view(), name="api-loan-ledger"),
    path(
        "loan-transactions/<int:transaction_id>/reverse/",
        api_loans.TransactionReverseApi.as_view(),
        name="api-loan-transaction-reverse",
    ),
    path("finance/portfolio/", api.PortfolioApi.as_view(), name="api-finance-portfolio"),
]
for _segment, _to in (
    ("approve", LoanStatus.APPROVED),
    ("reject", LoanStatus.REJECTED),
    ("disburse", LoanStatus.DISBURSED),
    ("cancel", LoanStatus.CANCELLED),
    ("default", LoanStatus.DEFAULTED),
):
    urlpatterns.append(
        path(
            f"loans/<int:loan_id>/{_segment}/",
            api_loans.LoanTransitionApi.as_view(to=_to),
            name=f"api-loan-{_segment}",
        )
    )
