"""Finance pages, mounted at /financements/ (config/urls.py)."""

from django.urls import path

from financing import views

urlpatterns = [
    path("", views.portfolio, name="finance_portfolio"),
    path("enveloppes/", views.programme_list, name="programme_list"),
    path("enveloppes/nouvelle/", views.programme_new, name="programme_new"),
    path("enveloppes/<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path(
        "enveloppes/<int:programme_id>/aides/<int:award_id>/decision/",
        views.award_decide,
        name="award_decide",
    ),
    path("prets/", views.loan_list, name="loan_list"),
    path("prets/nouveau/", views.loan_new, name="loan_new"),
    path("prets/<int:loan_id>/", views.loan_detail, name="loan_detail"),
    path("prets/<int:loan_id>/remboursement/", views.loan_repayment, name="loan_repayment"),
    path("prets/<int:loan_id>/statut/", views.loan_transition, name="loan_transition"),
    path(
        "prets/<int:loan_id>/ecritures/<int:entry_id>/annulation/",
        views.loan_entry_reverse,
        name="loan_entry_reverse",
    ),
    path("echeances/", views.installments_due, name="installments_due"),
    path("retards/", views.late_list, name="late_list"),
    path("export/<slug:what>.<slug:fmt>", views.export, name="finance_export"),
    path(
        "reservations/<int:booking_id>/",
        views.booking_financing,
        name="booking_financing",
    ),
]
