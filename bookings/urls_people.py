"""The beneficiary's pages, the booking documents and the private calendar feeds, mounted at
the site root by `bookings.urls`."""

from django.urls import path

from bookings import views_people as views

urlpatterns = [
    path("mes-rendez-vous/", views.my_bookings, name="my_bookings"),
    path("mes-rendez-vous/<int:booking_id>/annuler/", views.my_booking_cancel,
         name="my_booking_cancel"),
    path("mes-rendez-vous/lien/<str:token>/", views.my_bookings_link, name="my_bookings_link"),
    path("mes-rendez-vous/lien/<str:token>/<int:booking_id>/bon.pdf",
         views.my_booking_voucher_link, name="my_booking_voucher_link"),
    path("mes-rendez-vous/lien/<str:token>/<int:booking_id>/agenda.ics",
         views.my_booking_calendar_link, name="my_booking_calendar_link"),
    path("reservations/<int:booking_id>/bon.pdf", views.booking_voucher, name="booking_voucher"),
    path("reservations/<int:booking_id>/agenda.ics", views.booking_calendar,
         name="booking_calendar"),
    path("agenda/partenaire/<str:token>.ics", views.partner_calendar_feed,
         name="partner_calendar_feed"),
    path("agenda/personne/<str:token>.ics", views.beneficiary_calendar_feed,
         name="beneficiary_calendar_feed"),
]  # fmt: skip
