from django.urls import path

from reporting.api import IndicatorsApi

urlpatterns = [
    path("reports/indicators/", IndicatorsApi.as_view(), name="api-report-indicators"),
]
