"""Booking pages: the platform's (under reservations/), the partner's (under
reservations/partenaire/), and the signed link of the partner's request e-mail. The
beneficiary's pages and the vouchers live in `bookings.urls_people`."""

from django.urls import include, path

from bookings import views_adviser, views_booking, views_partner

urlpatterns = [
    path("reservations/", views_adviser.booking_list, name="booking_list"),
    path("reservations/nouvelle/", views_booking.booking_new, name="booking_new"),
    path("reservations/<int:booking_id>/", views_adviser.booking_detail, name="booking_detail"),
    path(
        "reservations/<int:booking_id>/annuler/",
        views_adviser.booking_cancel,
        name="booking_cancel",
    ),
    path(
        "reservations/partenaire/",
        views_partner.partner_booking_inbox,
        name="partner_booking_inbox",
    ),
    path(
        "reservations/partenaire/verifier/",
        views_partner.partner_reference_check,
        name="partner_reference_check",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/",
        views_partner.partner_booking_detail,
        name="partner_booking_detail",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/confirmer/",
        views_partner.partner_booking_confirm,
        name="partner_booking_confirm",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/refuser/",
        views_partner.partner_booking_decline,
        name="partner_booking_decline",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/realisee/",
        views_partner.partner_booking_complete,
        name="partner_booking_complete",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/absente/",
        views_partner.partner_booking_no_show,
        name="partner_booking_no_show",
    ),
    path(
        "reservations/partenaire/<int:booking_id>/annuler/",
        views_partner.partner_booking_cancel,
        name="partner_booking_cancel",
    ),
    path(
        "reservations/lien/<str:token>/",
        views_partner.booking_partner_link,
        name="booking_partner_link",
    ),  # fmt: skip
    path("", include("bookings.urls_people")),
]
