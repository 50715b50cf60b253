from csp.constants import UNSAFE_INLINE
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.csp import csp_update
from core.views import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("marketplace.api_urls")),
    path("", include("beneficiaries.api_urls")),
    path("", include("bookings.api_urls")),
    path("", include("agenda.api_urls")),
    path("", include("financing.api_urls")),
    path("", include("exchange.api_urls")),
    path("", include("reporting.api_urls")),
    path("", include("settlements.api_urls")),
    path("", include("payments.api_urls")),
]

# Swagger UI: the split view loads its set-up script from a URL (no inline script); its page
# keeps a small inline <style> block and the UI writes style attributes, so styles are
# relaxed on this view only.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("partenaire/", include("partners.urls")),
    path("catalogue/", include("marketplace.urls")),
    path("", include("beneficiaries.urls_referrals")),
    path("personnes/", include("beneficiaries.urls_records")),
    path("", include("bookings.urls")),
    path("", include("agenda.urls")),
    path("financements/", include("financing.urls")),
    path("integrations/", include("exchange.urls")),
    path("indicateurs/", include("reporting.urls")),
    path("releves/", include("settlements.urls")),
    path("", include("payments.urls")),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sms/callbacks/", include("core.urls_sms")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "core.views.not_found"
