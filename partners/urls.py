from django.urls import include, path

from partners import views, views_bank

# One partner's portal, under <partner_id>/.
partner = [
    path("", views.dashboard, name="partner_dashboard"),
    path("profil/", views.profile_edit, name="partner_profile_edit"),
    path("publier/", views.partner_publish, name="partner_publish"),
    path("convention/", views.partner_agreement, name="partner_agreement"),
    path("banque/", views_bank.bank_details, name="partner_bank_details"),
    path("fermetures/", views.closures, name="partner_closures"),
    path("fermetures/<int:closure_id>/supprimer/", views.closure_delete, name="closure_delete"),
    path("services/nouveau/", views.service_create, name="service_create"),
]

# One of its services, under services/<service_id>/.
service = [
    path("", views.service_detail, name="service_detail"),
    path("modifier/", views.service_edit, name="service_edit"),
    path("publier/", views.service_publication, {"publish": True}, name="service_publish"),
    path("depublier/", views.service_publication, {"publish": False}, name="service_unpublish"),
    path("supprimer/", views.service_delete, name="service_delete"),
    path("regles/<int:rule_id>/supprimer/", views.rule_delete, name="rule_delete"),
    path("calendrier/", views.service_calendar, name="service_calendar"),
]

urlpatterns = [
    path("", views.portal, name="partner_portal"),
    path("<int:partner_id>/", include(partner)),
    path("services/<int:service_id>/", include(service)),
]
