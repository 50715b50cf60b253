"""Booking writes: creation with the capacity guard, one service per transition (DESIGN §4).

Each transition locks the booking row, checks the transition table and the actor's side,
releases capacity in the same transaction when the booking stops holding it, appends a
`BookingEvent`, and writes its notifications to the outbox (sent after commit).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.enums import BeneficiaryStatus
from bookings import capacity, hooks, notifications, pricing
from bookings.enums import HOLDING, TRANSITIONS, ActorRole, BookingStatus
from bookings.models import Booking, BookingEvent, BookingSlot
from bookings.permissions import can_book_for, role_of
from bookings.selectors import booking_parties
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from core.formatting import cents
from core.transitions import ensure_transition, record_transition
from partners.enums import BookingMode, ServiceUnit
from partners.models import Slot


def _not_found() -> NotFoundError:
    return NotFoundError(_("Réservation introuvable."))


class AlreadyBooked(ConflictError):
    """The person already holds an active booking of one of these slots."""

    default_code = ErrorCode.ALREADY_BOOKED


def booking_create(*, actor, beneficiary_id: int, slot_ids: list[int], **fields) -> Booking:
    """Book slots (or every day of a rental period) of a partner service for a person.

    One person holds at most one active booking of a slot: the database refuses the second
    (a partial unique constraint on the booking's slots), which is answered 409
    `already_booked` with the booking the person already holds."""
    try:
        return _booking_create(
            actor=actor, beneficiary_id=beneficiary_id, slot_ids=slot_ids, **fields
        )
    except IntegrityError:
        held = (
            Booking.objects.filter(
                beneficiary_id=beneficiary_id,
                booking_slots__slot_id__in=slot_ids,
                booking_slots__holding=True,
            )
            .order_by("pk")
            .first()
        )
        if held is None:
            raise
        raise AlreadyBooked(
            _("Cette personne a déjà une réservation sur ce créneau (%(reference)s).")
            % {"reference": held.reference},
            extra={"booking": held.pk, "reference": held.reference},
        ) from None


@transaction.atomic
def _booking_create(
    *, actor, beneficiary_id: int, service_id: int, slot_ids: list[int], quantity: int = 1,
    units: Decimal | None = None, note: str = "", now=None,
) -> Booking:  # fmt: skip
    now = now or timezone.now()
    beneficiary, service = booking_parties(beneficiary_id=beneficiary_id, service_id=service_id)
    if beneficiary is None or not can_book_for(actor, beneficiary):
        raise NotFoundError(_("Personne introuvable."))
    if beneficiary.status == BeneficiaryStatus.CLOSED:
        raise ApplicationError(
            _("L'accompagnement de cette personne est terminé."),
            code=ErrorCode.BENEFICIARY_CLOSED,
        )
    if service is None:
        raise NotFoundError(_("Service introuvable."))
    if quantity < 1:
        raise ApplicationError(_("Réservez au moins une place."), code=ErrorCode.INVALID)
    if not slot_ids:
        raise capacity.UnknownSlot(_("Choisissez un ou plusieurs créneaux de ce service."))
    # Take the places first (the conditional update returns the slots); any check that
    # fails below rolls them back with the rest of the transaction.
    slots = capacity.reserve(dict.fromkeys(slot_ids, quantity), service_id=service.pk)
    slots.sort(key=lambda slot: slot.starts_at)
    _check_timing(service, slots, now)
    if service.booking_mode == BookingMode.PERIOD:
        _check_whole_period(service, slots)
    price = pricing.quote(service, slots, quantity=quantity, units=units)
    status = BookingStatus.CONFIRMED if service.auto_confirm else BookingStatus.REQUESTED
    booking = Booking.objects.create(
        platform_id=beneficiary.platform_id, beneficiary=beneficiary, service=service,
        booked_by=actor, quantity=quantity, units=price.units, unit_price=price.unit_price,
        market_unit_price=price.market_unit_price, total_price=price.total_price,
        market_total=price.market_total, status=status, starts_at=slots[0].starts_at,
        ends_at=slots[-1].ends_at, note_for_partner=note.strip(),
        confirmed_at=now if status == BookingStatus.CONFIRMED else None,
    )  # fmt: skip
    BookingSlot.objects.bulk_create(
        [
            BookingSlot(booking=booking, slot=slot, quantity=quantity, beneficiary=beneficiary)
            for slot in slots
        ]
    )
    _record_event(booking, actor=actor, actor_role=ActorRole.ADVISER, from_status="",
                  to_status=status)  # fmt: skip
    audit_log(actor=actor, action="booking.created", target=booking,
              data={"status": status, "slots": [slot.pk for slot in slots]})  # fmt: skip
    hooks.booking_transitioned.send(sender=Booking, booking=booking, from_status="",
                                    to_status=status)  # fmt: skip
    return booking


def _check_timing(service, slots, now) -> None:
    if slots[0].starts_at < now + timedelta(hours=service.min_notice_hours):
        raise ApplicationError(
            _("Ce partenaire demande à être prévenu au moins %(hours)s heures à l'avance.")
            % {"hours": service.min_notice_hours},
            code=ErrorCode.MIN_NOTICE,
        )
    if slots[-1].starts_at > now + timedelta(days=service.max_advance_days):
        raise ApplicationError(
            _("Ce service se réserve au plus %(days)s jours à l'avance.")
            % {"days": service.max_advance_days},
            code=ErrorCode.MAX_ADVANCE,
        )


def _check_whole_period(service, slots) -> None:
    """A rental takes every open day between its first and last day: no hole in between."""
    between = Slot.objects.filter(
        service=service, starts_at__gt=slots[0].starts_at, starts_at__lt=slots[-1].starts_at
    ).count()
    if between != len(slots) - 2 and len(slots) > 1:
        raise ApplicationError(
            _("Une location prend tous les jours d'ouverture entre le premier et le dernier jour."),
            code=ErrorCode.PERIOD_INCOMPLETE,
        )


def _lock(booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service__partner", "beneficiary")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise _not_found()
    return booking


def _ensure_transition(booking: Booking, to: str) -> str:
    return ensure_transition(TRANSITIONS, booking, to, subject=_("la réservation"))


def _transition(booking: Booking, *, to: str, actor, actor_role: str, note: str = "") -> None:
    from_status = _ensure_transition(booking, to)
    if booking.status in HOLDING and to not in HOLDING:
        capacity.release(
            dict(booking.booking_slots.exclude(slot=None).values_list("slot_id", "quantity"))
        )
        booking.booking_slots.update(holding=False)  # the person may book these slots again
        hooks.places_released.send(sender=Booking, booking=booking)  # e.g. grants go back
    _record_event(booking, actor=actor, actor_role=actor_role, from_status=booking.status,
                  to_status=to, note=note)  # fmt: skip
    booking.status = to
    setattr(booking, f"{to}_at", timezone.now())
    booking.save()
    record_transition(booking, actor=actor, name="booking", from_status=from_status, to=to,
                      data={"note": note[:200]})  # fmt: skip
    hooks.booking_transitioned.send(sender=Booking, booking=booking, from_status=from_status,
                                    to_status=to)  # fmt: skip


def _record_event(booking: Booking, *, actor, actor_role: str, from_status: str, to_status: str,
                  note: str = "") -> BookingEvent:  # fmt: skip
    """Append the transition to the history. The event is the outbox entry of its
    notifications: they are written right after commit by `bookings_announce_pending`."""
    tells = notifications.tells_someone(from_status, to_status)
    event = BookingEvent.objects.create(
        booking=booking, actor=actor, actor_role=actor_role, from_status=from_status,
        to_status=to_status, note=note, notified_at=None if tells else timezone.now(),
    )  # fmt: skip
    if tells:
        from bookings.tasks import announce_soon

        transaction.on_commit(announce_soon, robust=True)
    return event


def _require_side(actor, booking, *sides: str) -> str:
    """The actor's side, or 404 for strangers and 403 for a party who may not do this."""
    side = role_of(actor, booking)
    if side is None:
        raise _not_found()
    if side not in sides:
        raise PermissionDeniedError(_("Cette action revient à une autre personne."))
    return side


@transaction.atomic
def booking_confirm(*, actor, booking_id: int, via_link: bool = False) -> Booking:
    booking = _lock(booking_id)
    if not via_link:
        _require_side(actor, booking, ActorRole.PARTNER)
    _transition(booking, to=BookingStatus.CONFIRMED, actor=actor, actor_role=ActorRole.PARTNER)
    return booking


@transaction.atomic
def booking_decline(*, actor, booking_id: int, reason: str, via_link: bool = False) -> Booking:
    booking = _lock(booking_id)
    if not via_link:
        _require_side(actor, booking, ActorRole.PARTNER)
    if not reason.strip():
        raise ApplicationError(
            _("Dites en quelques mots pourquoi vous refusez."), code=ErrorCode.INVALID
        )
    booking.decline_reason = reason.strip()[:255]
    _transition(booking, to=BookingStatus.DECLINED, actor=actor, actor_role=ActorRole.PARTNER,
                note=reason)  # fmt: skip
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking_id: int, reason: str) -> Booking:
    booking = _lock(booking_id)
    side = _require_side(actor, booking, ActorRole.ADVISER, ActorRole.PARTNER,
                         ActorRole.BENEFICIARY)  # fmt: skip
    if not reason.strip():
        raise ApplicationError(_("Indiquez le motif de l'annulation."), code=ErrorCode.INVALID)
    if side == ActorRole.BENEFICIARY:
        cutoff = booking.starts_at - timedelta(hours=booking.service.cancellation_cutoff_hours)
        if timezone.now() > cutoff:
            raise ApplicationError(
                _("Il est trop tard pour annuler en ligne : appelez votre conseiller·ère."),
                code=ErrorCode.CANCELLATION_CUTOFF,
            )
    booking.cancellation_reason = reason.strip()[:255]
    booking.cancelled_by = side
    _transition(booking, to=BookingStatus.CANCELLED, actor=actor, actor_role=side, note=reason)
    return booking


@transaction.atomic
def booking_complete(*, actor, booking_id: int, units: Decimal | None = None) -> Booking:
    """The service took place; km services record the actual distance (totals follow)."""
    booking = _lock(booking_id)
    _require_side(actor, booking, ActorRole.PARTNER)
    _ensure_transition(booking, BookingStatus.COMPLETED)
    if booking.starts_at > timezone.now():
        raise ApplicationError(_("Le service n'a pas encore commencé."), code=ErrorCode.NOT_STARTED)
    if units is not None:
        if booking.service.unit != ServiceUnit.KM:
            raise ApplicationError(
                _("Seuls les kilomètres se corrigent à la fin du service."),
                code=ErrorCode.INVALID,
            )
        if units <= 0:
            raise ApplicationError(
                _("Le nombre d'unités doit être positif."), code=ErrorCode.INVALID
            )
        booking.units = cents(Decimal(units))
        booking.total_price = cents(booking.unit_price * booking.units * booking.quantity)
        booking.market_total = cents(booking.market_unit_price * booking.units * booking.quantity)
    _transition(booking, to=BookingStatus.COMPLETED, actor=actor, actor_role=ActorRole.PARTNER)
    return booking


@transaction.atomic
def booking_no_show(*, actor, booking_id: int) -> Booking:
    booking = _lock(booking_id)
    _require_side(actor, booking, ActorRole.PARTNER)
    _ensure_transition(booking, BookingStatus.NO_SHOW)
    if booking.starts_at > timezone.now():
        raise ApplicationError(
            _("Le rendez-vous n'a pas encore eu lieu."), code=ErrorCode.NOT_STARTED
        )
    _transition(booking, to=BookingStatus.NO_SHOW, actor=actor, actor_role=ActorRole.PARTNER)
    return booking


def bookings_expire(*, now=None) -> int:
    """Requests the partner left unanswered for PARTNER_ANSWER_HOURS expire, freeing places."""
    now = now or timezone.now()
    limit = now - timedelta(hours=settings.PARTNER_ANSWER_HOURS)
    count = 0
    for booking_id in Booking.objects.filter(
        status=BookingStatus.REQUESTED, created_at__lt=limit
    ).values_list("pk", flat=True):
        with transaction.atomic():
            booking = _lock(booking_id)
            if booking.status != BookingStatus.REQUESTED:
                continue
            _transition(booking, to=BookingStatus.EXPIRED, actor=None,
                        actor_role=ActorRole.SYSTEM)  # fmt: skip
            count += 1
    return count


@transaction.atomic
def booking_event_announce(*, event_id: int, now=None) -> bool:
    """Write the notifications of one booking event, once: the event is claimed in the same
    transaction, so a task that runs twice (or races the sweep) writes them once."""
    now = now or timezone.now()
    if not BookingEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=now
    ):
        return False
    event = BookingEvent.objects.select_related(
        "booking__service__partner__organisation", "booking__beneficiary__user",
        "booking__beneficiary__adviser", "booking__booked_by",
    ).get(pk=event_id)  # fmt: skip
    notifications.announce(event.booking, from_status=event.from_status, to_status=event.to_status)
    return True


def bookings_announce_pending(*, now=None) -> int:
    """Write the notifications of every event that still waits for them (each claimed on
    its own, so concurrent runs never write one twice). Returns how many were announced."""
    pending = BookingEvent.objects.filter(notified_at__isnull=True).order_by("at", "pk")
    return sum(
        booking_event_announce(event_id=event_id, now=now)
        for event_id in pending.values_list("pk", flat=True)
    )


def bookings_remind(*, now=None) -> int:
    """The day before: remind the person of a confirmed booking, once."""
    now = now or timezone.now()
    count = 0
    for booking_id in Booking.objects.filter(
        status=BookingStatus.CONFIRMED, reminder_sent_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + timedelta(hours=24),
    ).values_list("pk", flat=True):  # fmt: skip
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            notifications.booking_reminder(Booking.objects.get(pk=booking_id))
            count += 1
    return count
