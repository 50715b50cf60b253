from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("beneficiaries.api_urls")),
    path("", include("bookings.api_urls")),
    path("", include("financing.api_urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("partenaire/", include("partners.urls")),
    path("catalogue/", include("marketplace.urls")),
    path("", include("beneficiaries.urls_referrals")),
    path("personnes/", include("beneficiaries.urls_records")),
    path("", include("bookings.urls")),
    path("financements/", include("financing.urls")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "core.views.not_found"
