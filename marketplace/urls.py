from django.urls import path

from marketplace import views

urlpatterns = [
    path("", views.catalogue_search, name="catalogue_search"),
    path("services/<int:service_id>/", views.catalogue_service, name="catalogue_service"),
]
