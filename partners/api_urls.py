from django.urls import path

from partners import api, api_bank

urlpatterns = [
    path("partners/", api.PartnerListApi.as_view(), name="api-partner-list"),
    path("partners/<int:partner_id>/", api.PartnerDetailApi.as_view(), name="api-partner-detail"),
    path(
        "partners/<int:partner_id>/bank-details/",
        api_bank.BankDetailsApi.as_view(),
        name="api-partner-bank-details",
    ),
    path(
        "partners/<int:partner_id>/bank-details/approve/",
        api_bank.BankDetailsApproveApi.as_view(),
        name="api-partner-bank-details-approve",
    ),
    path("services/<int:service_id>/", api.ServiceDetailApi.as_view(), name="api-service-detail"),
    path(
        "services/<int:service_id>/publish/",
        api.ServicePublishApi.as_view(publish=True),
        name="api-service-publish",
    ),
    path(
        "services/<int:service_id>/unpublish/",
        api.ServicePublishApi.as_view(publish=False),
        name="api-service-unpublish",
    ),
    path("services/<int:service_id>/slots/", api.SlotListApi.as_view(), name="api-service-slots"),
]
