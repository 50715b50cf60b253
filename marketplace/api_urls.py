from django.urls import path

from marketplace import api

urlpatterns = [
    path("services/", api.ServiceListApi.as_view(), name="api-service-list"),
]
