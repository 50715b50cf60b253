from django.urls import path

from settlements import api

urlpatterns = [
    path("settlements/", api.SettlementListApi.as_view(), name="api-settlement-list"),
    path(
        "settlements/transfer-file/",
        api.TransferFileApi.as_view(),
        name="api-settlement-transfer-file",
    ),
    path(
        "settlements/<int:settlement_id>/",
        api.SettlementDetailApi.as_view(),
        name="api-settlement-detail",
    ),
    path(
        "settlements/<int:settlement_id>/statement.pdf",
        api.SettlementDocumentApi.as_view(document="pdf"),
        name="api-settlement-pdf",
    ),
    path(
        "settlements/<int:settlement_id>/statement.xlsx",
        api.SettlementDocumentApi.as_view(document="xlsx"),
        name="api-settlement-xlsx",
    ),
]
for _segment, _action in (("issue", "issue"), ("mark-paid", "paid"), ("cancel", "cancel")):
    urlpatterns.append(
        path(
            f"settlements/<int:settlement_id>/{_segment}/",
            api.SettlementTransitionApi.as_view(action=_action),
            name=f"api-settlement-{_segment}",
        )
    )
