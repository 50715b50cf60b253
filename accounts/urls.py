from django.urls import path

from accounts import proconnect, views

urlpatterns = [
    path("equipes/", views.organisation_list, name="organisation_list"),
    path("equipes/<int:organisation_id>/", views.organisation_members, name="organisation_members"),
    path(
        "equipes/<int:organisation_id>/invitations/<int:invitation_id>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "equipes/<int:organisation_id>/membres/<int:membership_id>/retirer/",
        views.membership_revoke,
        name="membership_revoke",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # ProConnect: allauth's OpenID Connect URLs (under "comptes/", config.urls), answered by
    # the same views with ProConnect's adapter (accounts.proconnect); listed before allauth's.
    path("comptes/login/", proconnect.sign_in_page, name="proconnect_sign_in_page"),
    path(
        f"comptes/oidc/{proconnect.PROVIDER_ID}/login/",
        proconnect.login,
        {"provider_id": proconnect.PROVIDER_ID},
        name="proconnect_login",
    ),
    path("comptes/proconnect/deconnexion/", proconnect.logout, name="proconnect_logout"),
    path(
        f"comptes/oidc/{proconnect.PROVIDER_ID}/login/callback/",
        proconnect.callback,
        {"provider_id": proconnect.PROVIDER_ID},
        name="proconnect_callback",
    ),
]
