from django.urls import path

from payments import views, views_finance

urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("paiements/reservations/<int:booking_id>/payer/", views.pay_share, name="pay_share"),
    path(
        "paiements/reservations/<int:booking_id>/retour/",
        views.pay_share_done,
        name="pay_share_done",
    ),
    path("paiements/mandat/<str:token>/", views.mandate_sign, name="mandate_sign"),
    path("paiements/mandat/<str:token>/retour/", views.mandate_signed, name="mandate_signed"),
    path("paiements/", views_finance.payment_list, name="payment_list"),
    path("paiements/export.<str:fmt>", views_finance.payment_export, name="payment_export"),
    path("paiements/<int:payment_id>/", views_finance.payment_detail, name="payment_detail"),
    path(
        "paiements/<int:payment_id>/rembourser/",
        views_finance.payment_refund,
        name="payment_refund",
    ),
    path(
        "paiements/<int:payment_id>/synchroniser/",
        views_finance.payment_sync,
        name="payment_sync",
    ),
    path("paiements/prelevements/", views_finance.mandate_list, name="mandate_list"),
    path("paiements/prets/<int:loan_id>/mandat/", views_finance.loan_mandate, name="loan_mandate"),
    path(
        "paiements/prets/<int:loan_id>/mandat/envoyer/",
        views_finance.loan_mandate_send,
        name="loan_mandate_send",
    ),
]
