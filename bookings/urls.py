"""Booking pages: the platform's (under reservations/), the partner's (under
reservations/partenaire/), and the signed link of the partner's request e-mail. The
beneficiary's pages and the vouchers live in `bookings.urls_people`."""

from django.urls import include, path

from bookings import views_adviser, views_booking, views_partner, views_waitlist

platform = [
    path("", views_adviser.booking_list, name="booking_list"),
    path("nouvelle/", views_booking.booking_new, name="booking_new"),
    path("<int:booking_id>/", views_adviser.booking_detail, name="booking_detail"),
    path("<int:booking_id>/annuler/", views_adviser.booking_cancel, name="booking_cancel"),
    # Waiting lists (issue 16)
    path("liste-attente/", views_waitlist.waitlist_list, name="waitlist_list"),
    path("liste-attente/ajouter/", views_waitlist.waitlist_add, name="waitlist_add"),
    path("liste-attente/<int:waiting_id>/retirer/", views_waitlist.waitlist_remove,
         name="waitlist_remove"),
    path("liste-attente/<int:waiting_id>/accepter/", views_waitlist.waitlist_offer_answer,
         {"answer": "accepter"}, name="waitlist_offer_accept"),
    path("liste-attente/<int:waiting_id>/refuser/", views_waitlist.waitlist_offer_answer,
         {"answer": "refuser"}, name="waitlist_offer_decline"),
]  # fmt: skip

partner = [
    path("", views_partner.partner_booking_inbox, name="partner_booking_inbox"),
    path("verifier/", views_partner.partner_reference_check, name="partner_reference_check"),
    path("<int:booking_id>/", views_partner.partner_booking_detail, name="partner_booking_detail"),
    path(
        "<int:booking_id>/confirmer/",
        views_partner.partner_booking_confirm,
        name="partner_booking_confirm",
    ),
    path(
        "<int:booking_id>/refuser/",
        views_partner.partner_booking_decline,
        name="partner_booking_decline",
    ),
    path(
        "<int:booking_id>/realisee/",
        views_partner.partner_booking_complete,
        name="partner_booking_complete",
    ),
    path(
        "<int:booking_id>/absente/",
        views_partner.partner_booking_no_show,
        name="partner_booking_no_show",
    ),
    path(
        "<int:booking_id>/annuler/",
        views_partner.partner_booking_cancel,
        name="partner_booking_cancel",
    ),
]

urlpatterns = [
    path("reservations/partenaire/", include(partner)),
    path(
        "reservations/lien/<str:token>/",
        views_partner.booking_partner_link,
        name="booking_partner_link",
    ),  # fmt: skip
    path("place/<str:token>/", views_waitlist.waitlist_offer_link, name="waitlist_offer_link"),
    path("reservations/", include(platform)),
    path("", include("bookings.urls_people")),
]
