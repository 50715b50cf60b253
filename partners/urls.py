from django.urls import path

from partners import views

urlpatterns = [
    path("", views.portal, name="partner_portal"),
    path("<int:partner_id>/", views.dashboard, name="partner_dashboard"),
    path("<int:partner_id>/profil/", views.profile_edit, name="partner_profile_edit"),
    path("<int:partner_id>/publier/", views.partner_publish, name="partner_publish"),
    path("<int:partner_id>/convention/", views.partner_agreement, name="partner_agreement"),
    path("<int:partner_id>/fermetures/", views.closures, name="partner_closures"),
    path(
        "<int:partner_id>/fermetures/<int:closure_id>/supprimer/",
        views.closure_delete,
        name="closure_delete",
    ),
    path("<int:partner_id>/services/nouveau/", views.service_create, name="service_create"),
    path("services/<int:service_id>/", views.service_detail, name="service_detail"),
    path("services/<int:service_id>/modifier/", views.service_edit, name="service_edit"),
    path("services/<int:service_id>/publier/", views.service_publish, name="service_publish"),
    path("services/<int:service_id>/depublier/", views.service_unpublish, name="service_unpublish"),
    path("services/<int:service_id>/supprimer/", views.service_delete, name="service_delete"),
    path(
        "services/<int:service_id>/regles/<int:rule_id>/supprimer/",
        views.rule_delete,
        name="rule_delete",
    ),
    path("services/<int:service_id>/calendrier/", views.service_calendar, name="service_calendar"),
]
