from django.urls import path

from agenda import api

urlpatterns = [
    path("agenda/places/", api.PlaceListApi.as_view(), name="api-agenda-places"),
    path("agenda/slots/", api.SlotListApi.as_view(), name="api-agenda-slots"),
    path("agenda/sessions/", api.SessionListApi.as_view(), name="api-agenda-sessions"),
    path("appointments/", api.AppointmentListApi.as_view(), name="api-appointment-list"),
    path("appointments/<int:appointment_id>/", api.AppointmentDetailApi.as_view(),
         name="api-appointment-detail"),
]  # fmt: skip
for _action, _segment in (("cancel", "cancel"), ("attended", "attended"),
                          ("no_show", "no-show"), ("move", "move")):  # fmt: skip
    urlpatterns.append(
        path(
            f"appointments/<int:appointment_id>/{_segment}/",
            api.AppointmentActionApi.as_view(action=_action),
            name=f"api-appointment-{_segment}",
        )
    )
