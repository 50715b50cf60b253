"""Finance pages, mounted at /financements/ (config/urls.py)."""

from django.urls import include, path

from financing import views_loans, views_plan, views_portfolio, views_programmes

programmes = [
    path("", views_programmes.programme_list, name="programme_list"),
    path("nouvelle/", views_programmes.programme_new, name="programme_new"),
    path("<int:programme_id>/", views_programmes.programme_detail, name="programme_detail"),
    path(
        "<int:programme_id>/aides/<int:award_id>/decision/",
        views_programmes.award_decide,
        name="award_decide",
    ),
]

loans = [
    path("", views_loans.loan_list, name="loan_list"),
    path("nouveau/", views_loans.loan_new, name="loan_new"),
    path("<int:loan_id>/", views_loans.loan_detail, name="loan_detail"),
    path("<int:loan_id>/remboursement/", views_loans.loan_repayment, name="loan_repayment"),
    path("<int:loan_id>/statut/", views_loans.loan_transition, name="loan_transition"),
    path(
        "<int:loan_id>/ecritures/<int:entry_id>/annulation/",
        views_loans.loan_entry_reverse,
        name="loan_entry_reverse",
    ),
]

urlpatterns = [
    path("", views_portfolio.portfolio, name="finance_portfolio"),
    path("enveloppes/", include(programmes)),
    path("prets/", include(loans)),
    path("echeances/", views_portfolio.installments_due, name="installments_due"),
    path("retards/", views_portfolio.late_list, name="late_list"),
    path("export/<slug:what>.<slug:fmt>", views_portfolio.export, name="finance_export"),
    path("reservations/<int:booking_id>/", views_plan.booking_financing, name="booking_financing"),
]
