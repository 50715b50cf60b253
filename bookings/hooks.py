"""Extension points of bookings for the apps above it, which plug into them from their
`AppConfig.ready()` (bookings never imports them). They are Django signals:

- `places_released(booking)`: sent inside the transaction of a transition that makes the
  booking stop holding its places (cancelled, declined, expired), right after the places
  are released. A receiver writes in that same transaction; if it raises, the transition
  rolls back. Financing releases the booking's grants here; bookings' own waiting lists
  (`bookings.receivers`) offer the places to the next people in line, after commit.
- `booking_page_panels(booking, request)`: asked while the staff page of a booking is
  rendered; each receiver returns the HTML of one panel (a `<section class="card">`, safe
  HTML such as `render_to_string` gives), or "" to show nothing. Financing shows the
  booking's financing plan here.
- `voucher_financing(booking)`: asked while the voucher (PDF) is printed; a receiver that
  knows how the booking is paid returns a `VoucherFinancing`, or None when it has nothing to
  say. Financing answers from the booking's plan. Without an answer the voucher says the
  person pays the whole solidarity price to the partner. The voucher goes to the partner,
  who must not learn the person's benefits, programmes or loans (DESIGN §10): the answer is
  two sums, never the names of who pays.
- `booking_transitioned(booking, from_status, to_status)`: sent inside the transaction of
  every change of a booking's status, its creation included (`from_status` is "" then),
  after the booking is saved. A receiver writes in that same transaction (exchange writes
  its outgoing webhooks to its outbox here); if it raises, the change rolls back.
- `payment_badges(bookings, viewer, request)`: asked by the pages that list or show bookings
  (the person's « Mes rendez-vous », the partner's booking) and by the voucher; a receiver
  returns `{booking_id: PaymentBadge}` for the bookings whose share is paid online or can
  be (`viewer` is "person", "partner" or "voucher"; the partner learns amounts only).
  Payments answers, in a fixed number of queries for the whole list.
- `people_panels(beneficiary, request, token)`: asked while the person's « Mes rendez-vous »
  is rendered (signed in, or through their signed link: `token`); each receiver returns the
  HTML of one section, or "". The agenda shows the person's appointments with the platform
  (diagnostic, follow-ups, collective sessions) beside their partner bookings.

Not a signal: `bookings.waitlist_targets.register(target)` adds a kind of thing people can
wait for (a `WaitlistTarget`: which place an offer holds, what accepting books). The agenda
registers its collective sessions there; the waiting list's rule stays bookings' own.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import Signal
from django.utils.safestring import SafeString

from bookings.models import Booking

places_released = Signal()
booking_page_panels = Signal()
voucher_financing = Signal()
booking_transitioned = Signal()
payment_badges = Signal()
people_panels = Signal()


@dataclass(frozen=True)
class VoucherFinancing:
    """What others pay for the person (grants, loans, the platform) as one sum, and what the
    person pays the partner."""

    covered: Decimal
    left_to_pay: Decimal


def page_panels(*, booking: Booking, request) -> list[SafeString]:
    """The panels other apps add to the booking's page, in the order they registered."""
    answers = booking_page_panels.send(sender=Booking, booking=booking, request=request)
    return [html for _receiver, html in answers if html]


def voucher_financing_of(*, booking: Booking) -> VoucherFinancing | None:
    """The first answer of `voucher_financing`, or None."""
    answers = voucher_financing.send(sender=Booking, booking=booking)
    return next((answer for _receiver, answer in answers if answer is not None), None)


@dataclass(frozen=True)
class PaymentBadge:
    """Where the person's share of a booking stands online: `state` is "to_pay",
    "partly_paid" or "paid"; `text` says it in French with the amounts; `paid` is what
    arrived online; `pay_url`, when the viewer may pay it now (« Payer ma part »)."""

    state: str
    text: str
    paid: Decimal
    pay_url: str = ""


def payment_badges_of(*, bookings, viewer: str, request=None) -> dict[int, PaymentBadge]:
    """Every receiver's answers, merged (the first answer for a booking wins)."""
    badges: dict[int, PaymentBadge] = {}
    answers = payment_badges.send(sender=Booking, bookings=bookings, viewer=viewer, request=request)
    for _receiver, answer in answers:
        for booking_id, badge in (answer or {}).items():
            badges.setdefault(booking_id, badge)
    return badges


def people_page_panels(*, beneficiary, request, token: str | None) -> list[SafeString]:
    """The sections other apps add to the person's « Mes rendez-vous »."""
    answers = people_panels.send(
        sender=Booking, beneficiary=beneficiary, request=request, token=token
    )
    return [html for _receiver, html in answers if html]
