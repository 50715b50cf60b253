from django.urls import path

from settlements import views, views_partner

urlpatterns = [
    path("", views.month_to_close, name="settlement_month"),
    path("preparer/", views.build_all, name="settlement_build_all"),
    path("virements/", views.transfer_file, name="settlement_transfer_file"),
    path("coordonnees/", views.bank_approvals, name="settlement_bank_approvals"),
    path(
        "coordonnees/<int:partner_id>/valider/",
        views.bank_approve,
        name="settlement_bank_approve",
    ),
    path("mes-releves/", views_partner.my_statements, name="settlement_my_statements"),
    path("<int:settlement_id>/", views.settlement_detail, name="settlement_detail"),
    path("<int:settlement_id>/emettre/", views.settlement_issue, name="settlement_issue"),
    path("<int:settlement_id>/annuler/", views.settlement_cancel, name="settlement_cancel"),
    path("<int:settlement_id>/payer/", views.settlement_mark_paid, name="settlement_mark_paid"),
    path("<int:settlement_id>/corriger/", views.settlement_adjust, name="settlement_adjust"),
    path(
        "<int:settlement_id>/releve.pdf",
        views.settlement_document,
        {"fmt": "pdf"},
        name="settlement_pdf",
    ),
    path(
        "<int:settlement_id>/releve.xlsx",
        views.settlement_document,
        {"fmt": "xlsx"},
        name="settlement_xlsx",
    ),
]
