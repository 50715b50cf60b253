"""The network and rules pages (issue 16), mounted under `reseau/` by `urls_referrals`."""

from django.urls import path

from beneficiaries import views_network as views

urlpatterns = [
    path("", views.network, name="network"),
    path("structures/nouvelle/", views.prescriber_new, name="prescriber_new"),
    path("structures/<int:structure_id>/", views.organisation_edit, name="organisation_edit"),
    path("structures/<int:structure_id>/fermer/", views.organisation_close,
         name="organisation_close"),
    path("kit-orientation.pdf", views.referral_kit, name="referral_kit"),
    path("regles/", views.rules_edit, name="rules_edit"),
]  # fmt: skip
