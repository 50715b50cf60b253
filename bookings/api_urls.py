from django.urls import path

from bookings import api, api_waitlist

urlpatterns = [
    path("bookings/", api.BookingListApi.as_view(), name="api-booking-list"),
    path("bookings/<int:booking_id>/", api.BookingDetailApi.as_view(), name="api-booking-detail"),
    path("me/bookings/", api.MyBookingsApi.as_view(), name="api-my-bookings"),
    path("waiting-list/", api_waitlist.WaitingListApi.as_view(), name="api-waiting-list"),
    path(
        "waiting-list/<int:waiting_id>/",
        api_waitlist.WaitingListEntryApi.as_view(),
        name="api-waiting-list-entry",
    ),
    path(
        "waiting-list/<int:waiting_id>/accept/",
        api_waitlist.WaitingListAnswerApi.as_view(answer="accept"),
        name="api-waiting-list-accept",
    ),
    path(
        "waiting-list/<int:waiting_id>/decline/",
        api_waitlist.WaitingListAnswerApi.as_view(answer="decline"),
        name="api-waiting-list-decline",
    ),
    path(
        "bookings/<int:booking_id>/voucher.pdf",
        api.BookingDocumentApi.as_view(document="voucher"),
        name="api-booking-voucher",
    ),
    path(
        "bookings/<int:booking_id>/calendar.ics",
        api.BookingDocumentApi.as_view(document="calendar"),
        name="api-booking-calendar",
    ),
]
for _action, _segment in (("confirm", "confirm"), ("decline", "decline"),
                          ("complete", "complete"), ("no_show", "no-show"),
                          ("cancel", "cancel")):  # fmt: skip
    urlpatterns.append(
        path(
            f"bookings/<int:booking_id>/{_segment}/",
            api.BookingActionApi.as_view(action=_action),
            name=f"api-booking-{_segment}",
        )
    )
