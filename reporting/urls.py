"""Dashboards and bilans, mounted at /indicateurs/ (config/urls.py)."""

from django.urls import path

from reporting import views, views_funder

urlpatterns = [
    path("", views.dashboard, name="reporting_dashboard"),
    path("recalculer/", views.refresh, name="reporting_refresh"),
    path("graphiques/<slug:chart>.svg", views.chart, name="reporting_chart"),
    path("bilan.xlsx", views.bilan_xlsx, name="reporting_bilan_xlsx"),
    path("bilan.pdf", views.bilan_pdf, name="reporting_bilan_pdf"),
    path("tableaux/<slug:table>.csv", views.table_csv, name="reporting_table_csv"),
    path("financeur/", views_funder.funder_dashboard, name="reporting_funder"),
]
