from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from bookings import services
from bookings.capacity import SlotFull
from bookings.models import Booking, BookingEvent
from core.errors import (
    ApplicationError,
    ConflictError,
    InvalidTransition,
    NotFoundError,
    PermissionDeniedError,
)
from core.models import AuditLog, Notification
from partners.models import Slot
from tests.bookings.conftest import make_slot


def book(adviser, person, service, slots, **kwargs):
    return services.booking_create(
        actor=adviser,
        beneficiary_id=person.pk,
        service_id=service.pk,
        slot_ids=[s.pk for s in slots],
        **kwargs,
    )


@pytest.mark.django_db
def test_booking_reserves_snapshots_prices_and_tells_the_partner(
    adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    second = make_slot(service, 3, 10, capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(adviser, person, service, [slot, second], note="Apporter la carte grise")
    assert booking.status == "requested"
    assert booking.reference.startswith("SM-") and len(booking.reference) == 12
    assert (booking.units, booking.unit_price, booking.total_price, booking.market_total) == (
        Decimal("2.00"),
        Decimal("35.00"),
        Decimal("70.00"),
        Decimal("130.00"),
    )
    assert (booking.starts_at, booking.ends_at) == (slot.starts_at, second.ends_at)
    slot.refresh_from_db()
    assert slot.reserved == 1
    assert list(booking.events.values_list("from_status", "to_status")) == [("", "requested")]
    message = next(m for m in mail.outbox if m.to == [partner_manager.email])
    assert "Léa Martin" in message.body and "(téléphone : 06 00 00 00 01)" in message.body
    assert "/reservations/lien/" in message.body
    assert "Apporter la carte grise" in message.body


@pytest.mark.django_db
def test_a_full_slot_rolls_everything_back(adviser, person, service, slot):
    other = make_slot(service, 4, capacity=1)
    Slot.objects.filter(pk=other.pk).update(reserved=1)
    with pytest.raises(SlotFull) as error:
        book(adviser, person, service, [slot, other])
    assert error.value.code == "slot_full" and error.value.status == 409
    slot.refresh_from_db()
    assert slot.reserved == 0  # the first slot was given back
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_quantity_takes_several_places(adviser, person, service, slot):
    book(adviser, person, service, [slot], quantity=2)
    with pytest.raises(SlotFull):
        book(adviser, person, service, [slot])
    slot.refresh_from_db()
    assert slot.reserved == 2


@pytest.mark.django_db
def test_auto_confirm_goes_straight_to_confirmed(adviser, person, service, slot):
    service.auto_confirm = True
    service.save()
    booking = book(adviser, person, service, [slot])
    assert booking.status == "confirmed" and booking.confirmed_at is not None


@pytest.mark.django_db
def test_notice_and_advance_limits(adviser, person, service):
    service.min_notice_hours = 100
    service.max_advance_days = 10
    service.save()
    with pytest.raises(ApplicationError, match="au moins 100 heures"):
        book(adviser, person, service, [make_slot(service, 2)])
    with pytest.raises(ApplicationError, match="au plus 10 jours"):
        book(adviser, person, service, [make_slot(service, 20)])
    assert not Booking.objects.exists()


@pytest.mark.django_db
def test_period_booking_takes_every_day_or_none(adviser, person, rental):
    days = [make_slot(rental, offset, 9, capacity=1, hours=9) for offset in (2, 3, 4)]
    with pytest.raises(ApplicationError, match="tous les jours"):
        book(adviser, person, rental, [days[0], days[2]])  # a hole in the middle
    Slot.objects.filter(pk=days[1].pk).update(reserved=1)
    with pytest.raises(SlotFull):
        book(adviser, person, rental, days)
    assert Slot.objects.filter(reserved=0).count() == 2  # nothing taken on the other days
    Slot.objects.filter(pk=days[1].pk).update(reserved=0)
    booking = book(adviser, person, rental, days)
    assert (booking.units, booking.total_price) == (Decimal("3"), Decimal("15.00"))


@pytest.mark.django_db
def test_km_services_take_estimated_units_corrected_at_completion(
    adviser, person, transport, partner_manager
):
    slot = make_slot(transport, 0, 0)
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() + timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(minutes=65),
    )
    with pytest.raises(ApplicationError, match="kilomètres"):
        book(adviser, person, transport, [slot])
    booking = book(adviser, person, transport, [slot], units=Decimal("40"))
    assert booking.total_price == Decimal("14.00")
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    with pytest.raises(ApplicationError, match="pas encore commencé"):
        services.booking_complete(actor=partner_manager, booking_id=booking.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        done = services.booking_complete(
            actor=partner_manager, booking_id=booking.pk, units=Decimal("52.5")
        )
    assert (done.status, done.units, done.total_price, done.market_total) == (
        "completed",
        Decimal("52.50"),
        Decimal("18.38"),
        Decimal("94.50"),
    )


@pytest.mark.django_db
def test_decline_and_cancel_release_capacity(adviser, person, service, slot, partner_manager):
    first = book(adviser, person, service, [slot])
    services.booking_decline(actor=partner_manager, booking_id=first.pk, reason="Pont levant HS")
    second = book(adviser, person, service, [slot])
    services.booking_cancel(actor=adviser, booking_id=second.pk, reason="A trouvé un emploi")
    slot.refresh_from_db()
    assert slot.reserved == 0
    assert Booking.objects.get(pk=second.pk).cancelled_by == "adviser"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "call", "error"),
    [
        ([], "complete", InvalidTransition),
        ([], "no_show", InvalidTransition),
        (["confirm"], "confirm", InvalidTransition),
        (["confirm"], "decline", InvalidTransition),
        (["cancel"], "confirm", InvalidTransition),
        (["decline"], "cancel", InvalidTransition),
    ],
)
def test_refused_transitions(adviser, person, service, slot, partner_manager, setup, call, error):
    booking = book(adviser, person, service, [slot])
    actions = {
        "confirm": lambda: services.booking_confirm(actor=partner_manager, booking_id=booking.pk),
        "decline": lambda: services.booking_decline(
            actor=partner_manager, booking_id=booking.pk, reason="x"
        ),
        "cancel": lambda: services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="x"),
        "complete": lambda: services.booking_complete(actor=partner_manager, booking_id=booking.pk),
        "no_show": lambda: services.booking_no_show(actor=partner_manager, booking_id=booking.pk),
    }
    for step in setup:
        actions[step]()
    events = BookingEvent.objects.count()
    with pytest.raises(error):
        actions[call]()
    assert BookingEvent.objects.count() == events


@pytest.mark.django_db
def test_each_side_does_only_its_part(
    adviser, person, service, slot, partner_manager, other_partner_manager, prescriber
):
    booking = book(adviser, person, service, [slot])
    with pytest.raises(PermissionDeniedError):
        services.booking_confirm(actor=adviser, booking_id=booking.pk)
    for stranger in (other_partner_manager, prescriber):
        with pytest.raises(NotFoundError):
            services.booking_confirm(actor=stranger, booking_id=booking.pk)
        with pytest.raises(NotFoundError):
            services.booking_cancel(actor=stranger, booking_id=booking.pk, reason="x")
    with pytest.raises(NotFoundError):
        book(prescriber, person, service, [slot])


@pytest.mark.django_db
def test_beneficiary_cancels_only_before_the_cutoff(adviser, person, service, slot):
    from tests.factories import UserFactory

    person.user = UserFactory()
    person.save()
    booking = book(adviser, person, service, [slot])
    with time_machine.travel(slot.starts_at - timedelta(hours=23)):
        with pytest.raises(ApplicationError, match="trop tard"):
            services.booking_cancel(actor=person.user, booking_id=booking.pk, reason="Malade")
    services.booking_cancel(actor=person.user, booking_id=booking.pk, reason="Malade")
    assert Booking.objects.get(pk=booking.pk).cancelled_by == "beneficiary"


@pytest.mark.django_db
def test_expiry_after_48_hours_frees_the_place_and_tells_the_adviser(
    adviser, person, service, slot, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        booking = book(adviser, person, service, [slot])
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        assert services.bookings_expire() == 0
    with time_machine.travel(start + timedelta(hours=49), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.bookings_expire() == 1
            assert services.bookings_expire() == 0
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, slot.reserved) == ("expired", 0)
    assert Notification.objects.filter(template="bookings/expired").count() == 1


@pytest.mark.django_db
def test_reminder_the_day_before_is_sent_once(adviser, person, service, partner_manager):
    slot = make_slot(service, 2, 9)
    booking = book(adviser, person, service, [slot])
    services.booking_confirm(actor=partner_manager, booking_id=booking.pk)
    with time_machine.travel(slot.starts_at - timedelta(hours=25)):
        assert services.bookings_remind() == 0
    with time_machine.travel(slot.starts_at - timedelta(hours=20)):
        assert services.bookings_remind() == 1
        assert services.bookings_remind() == 0
    reminder = Notification.objects.get(template="bookings/reminder")
    assert reminder.channel == "sms" and reminder.recipient == "+33600000001"
    assert "rappel" in reminder.body.lower()


@pytest.mark.django_db
def test_partner_notifications_carry_no_social_data(
    adviser, person, service, slot, partner_manager, django_capture_on_commit_callbacks
):
    person.situation = "rsa"
    person.income_notes = "Dettes importantes"
    person.professional_project = "Projet secret"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(adviser, person, service, [slot])
        services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Empêchement")
    partner_mail = " ".join(
        m.body + m.subject for m in mail.outbox if m.to == [partner_manager.email]
    )
    assert partner_mail
    for secret in ("RSA", "Dettes", "Projet secret", "revenu"):
        assert secret not in partner_mail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        ["confirm", "complete"],
        ["confirm", "no_show"],
        ["decline"],
        ["cancel"],
        ["confirm", "cancel"],
        ["expire"],
    ],
)
def test_every_transition_leaves_its_event_and_its_audit_row(
    adviser, person, service, slot, partner_manager, path
):
    booking = book(adviser, person, service, [slot])
    after_start = slot.starts_at + timedelta(hours=2)
    steps = {
        "confirm": lambda: services.booking_confirm(actor=partner_manager, booking_id=booking.pk),
        "decline": lambda: services.booking_decline(
            actor=partner_manager, booking_id=booking.pk, reason="Fermé"
        ),
        "cancel": lambda: services.booking_cancel(
            actor=adviser, booking_id=booking.pk, reason="Malade"
        ),
        "complete": lambda: services.booking_complete(actor=partner_manager, booking_id=booking.pk),
        "no_show": lambda: services.booking_no_show(actor=partner_manager, booking_id=booking.pk),
        "expire": lambda: services.bookings_expire(now=after_start),
    }
    with time_machine.travel(after_start):
        for step in path:
            steps[step]()

    events = list(booking.events.order_by("pk").values_list("from_status", "to_status"))
    audit = [
        (row.action, row.data.get("from"))
        for row in AuditLog.objects.filter(target_id=str(booking.pk)).order_by("pk")
        if row.target_type == "bookings.booking"
    ]
    moves = events[1:]  # the first event is the creation ("" → requested)
    assert len(moves) == len(path)
    assert audit == [("booking.created", None)] + [
        (f"booking.{to}", from_status) for from_status, to in moves
    ]


@pytest.mark.django_db
def test_a_drifted_slot_counter_answers_409_instead_of_tripping_the_constraint(
    adviser, person, service, slot
):
    """`0 <= reserved` is a check constraint: giving back more places than the slot counts
    was an IntegrityError (a 500). The release is a conditional update now."""
    booking = book(adviser, person, service, [slot], quantity=2)
    Slot.objects.filter(pk=slot.pk).update(reserved=1)  # drifted (check_capacity reports it)

    with pytest.raises(ConflictError) as error:
        services.booking_cancel(actor=adviser, booking_id=booking.pk, reason="Malade")

    assert (error.value.status, error.value.code) == (409, "capacity_mismatch")
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert (booking.status, slot.reserved, booking.events.count()) == ("requested", 1, 1)
