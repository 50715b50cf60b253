"""Referral pages, mounted at the site root: the prescriber portal under `prescripteur/`,
the platform's inbox and the signed status link under `orientations/`."""

from django.urls import include, path

from beneficiaries import views_referrals as views
from beneficiaries import views_self_referral

urlpatterns = [
    path("prescripteur/orientations/", views.referral_list_prescriber,
         name="referral_list_prescriber"),
    path("prescripteur/orientations/nouvelle/", views.referral_new, name="referral_new"),
    path("prescripteur/orientations/<int:referral_id>/", views.referral_detail_prescriber,
         name="referral_detail_prescriber"),
    path("prescripteur/orientations/<int:referral_id>/retirer/", views.referral_withdraw,
         name="referral_withdraw"),
    path("orientations/", views.referral_inbox, name="referral_inbox"),
    path("orientations/suivi/<str:token>/", views.referral_status_link,
         name="referral_status_link"),
    path("orientations/<int:referral_id>/", views.referral_detail_staff,
         name="referral_detail_staff"),
    path("orientations/<int:referral_id>/accepter/", views.referral_accept,
         name="referral_accept"),
    path("orientations/<int:referral_id>/refuser/", views.referral_refuse,
         name="referral_refuse"),
    path("reseau/", include("beneficiaries.urls_network")),
    # The public front door (issue 16): no account.
    path("etre-rappele/", views_self_referral.self_referral, name="self_referral"),
    path("etre-rappele/merci/", views_self_referral.self_referral_thanks,
         name="self_referral_thanks"),
    path("etre-rappele/<slug:platform_slug>/", views_self_referral.self_referral,
         name="self_referral_platform"),
]  # fmt: skip
