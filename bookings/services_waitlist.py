"""Waiting lists (issue 16): people in line for a full service, offered a freed place one at
a time, by SMS or e-mail, with a signed link valid `WAITLIST_OFFER_HOURS`.

An offer holds the place it proposes (see `bookings.models_waitlist`): taking it is the
booking's conditional update (`capacity.reserve`), giving it back its release. Accepting
gives the place back and books it through `booking_create` in one transaction, so the slot's
row stays locked from one to the other and nobody slips in between. Each place freed
(a booking cancelled, declined or expired — `hooks.places_released` —, new capacity from
slot regeneration, an offer declined or expired) is offered to the first person in line
whose dates match and who was not offered that slot already.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.enums import BeneficiaryStatus
from bookings import capacity
from bookings.enums_waitlist import ENTRY_TRANSITIONS, OFFER_TRANSITIONS, EntryStatus, OfferStatus
from bookings.links_waitlist import OfferExpired, offer_url
from bookings.models import BookingSlot
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.permissions import can_book_for
from bookings.selectors import booking_parties
from bookings.services import booking_create
from core.audit import audit_log
from core.enums import ErrorCode, NotificationChannel
from core.errors import ApplicationError, ConflictError, NotFoundError
from core.formatting import moment_text
from core.notifications import notify
from core.phones import can_receive_sms
from core.transitions import ensure_transition, record_transition
from partners.enums import BookingMode
from partners.models import Slot
from partners.selectors import bookable_services

CANDIDATES = 20  # slots tried per person and run (a slot taken meanwhile is skipped)
MAX_WAIT_DAYS = 366  # an entry's last wanted day is at most a year ahead


class AlreadyWaiting(ConflictError):
    default_code = ErrorCode.ALREADY_WAITING


def _entry_not_found() -> NotFoundError:
    return NotFoundError(_("Inscription introuvable."))


# --- entries ---------------------------------------------------------------------------------


def _offer_soon(service_id: int) -> None:
    from bookings.tasks import waitlist_offer_places

    transaction.on_commit(lambda: waitlist_offer_places.delay(service_id), robust=True)


@transaction.atomic
def waitlist_entry_add(
    *, actor, beneficiary_id: int, service_id: int, wanted_from, wanted_until, note: str = "",
    now=None,
) -> WaitingListEntry:  # fmt: skip
    """Put a person in line for a service, for the dates they want."""
    now = now or timezone.now()
    beneficiary, service = booking_parties(beneficiary_id=beneficiary_id, service_id=service_id)
    if beneficiary is None or not can_book_for(actor, beneficiary):
        raise NotFoundError(_("Personne introuvable."))
    if service is None:
        raise NotFoundError(_("Service introuvable."))
    if service.booking_mode != BookingMode.SLOT:
        raise ApplicationError(
            _("La liste d'attente est pour les services à créneaux, pas les locations."),
            code=ErrorCode.WAITLIST_NOT_AVAILABLE,
        )
    today = now.astimezone(ZoneInfo(service.partner.timezone)).date()
    if wanted_until < wanted_from or wanted_until < today:
        raise ApplicationError(
            _("Choisissez des dates à venir, la fin après le début."), code=ErrorCode.INVALID
        )
    if wanted_until > today + timedelta(days=MAX_WAIT_DAYS):
        raise ApplicationError(
            _("Une inscription dure au plus un an : choisissez une date plus proche."),
            code=ErrorCode.INVALID,
        )
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                platform_id=beneficiary.platform_id, beneficiary=beneficiary, service=service,
                wanted_from=max(wanted_from, today), wanted_until=wanted_until,
                note=note.strip()[:500], added_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise AlreadyWaiting(
            _("Cette personne est déjà sur la liste d'attente de ce service.")
        ) from None
    audit_log(actor=actor, action="waitlist.added", target=entry,
              data={"service": service.pk})  # fmt: skip
    _offer_soon(service.pk)
    return entry


def _lock_entry(entry_id: int) -> WaitingListEntry:
    entry = (
        WaitingListEntry.objects.select_for_update(of=("self",))
        .select_related("beneficiary")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise _entry_not_found()
    return entry


def _may_act_on(actor, entry: WaitingListEntry) -> bool:
    """Staff who may book for the person, or the person themselves (signed in)."""
    if actor is None or not actor.is_authenticated:
        return False
    return can_book_for(actor, entry.beneficiary) or entry.beneficiary.user_id == actor.pk


def _move_entry(entry: WaitingListEntry, to: str, *, actor, **changes) -> None:
    from_status = ensure_transition(ENTRY_TRANSITIONS, entry, to, subject=_("l'inscription"))
    entry.status = to
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.save()
    record_transition(entry, actor=actor, name="waitlist", from_status=from_status, to=to)


@transaction.atomic
def waitlist_entry_remove(*, actor, entry_id: int) -> WaitingListEntry:
    """Take the person off the list; a place held for them goes to the next in line."""
    entry = _lock_entry(entry_id)
    if not _may_act_on(actor, entry):
        raise _entry_not_found()
    offer = entry.offers.select_for_update().filter(status=OfferStatus.OFFERED).first()
    if offer is not None:
        _close_offer(offer, OfferStatus.WITHDRAWN, actor=actor)
    _move_entry(entry, EntryStatus.REMOVED, actor=actor, removed_at=timezone.now())
    if offer is not None:
        _offer_soon(entry.service_id)
    return entry


# --- offers ------------------------------------------------------------------------------


def _window(entry: WaitingListEntry, service, now: datetime) -> tuple[datetime, datetime]:
    """When a slot may start to be offered to this person: in their dates, after the notice
    plus time to answer, before the service's furthest booking day."""
    tz = ZoneInfo(service.partner.timezone)
    answer = timedelta(minutes=settings.WAITLIST_MIN_ANSWER_MINUTES)
    start = max(
        datetime.combine(entry.wanted_from, time.min, tzinfo=tz),
        now + timedelta(hours=service.min_notice_hours) + answer,
    )
    end = min(
        datetime.combine(entry.wanted_until + timedelta(days=1), time.min, tzinfo=tz),
        now + timedelta(days=service.max_advance_days),
    )
    return start, end


def _candidate_slots(entry: WaitingListEntry, service, now: datetime) -> list[int]:
    start, end = _window(entry, service, now)
    if start >= end:
        return []
    tried = entry.offers.values_list("slot_id", flat=True)
    holding = BookingSlot.objects.filter(beneficiary_id=entry.beneficiary_id, holding=True)
    return list(
        Slot.objects.filter(
            service_id=service.pk, starts_at__gte=start, starts_at__lt=end,
            reserved__lt=F("capacity"),
        )
        .exclude(pk__in=tried)
        .exclude(pk__in=holding.values("slot_id"))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )  # fmt: skip


def _hold_one(entry: WaitingListEntry, service, now: datetime) -> WaitingListOffer | None:
    """Take the first free place in the person's window for them, or None."""
    for slot_id in _candidate_slots(entry, service, now):
        try:
            with transaction.atomic():
                (slot,) = capacity.reserve({slot_id: 1}, service_id=service.pk)
        except capacity.SlotFull:
            continue  # taken since we looked: try the next one
        expires_at = min(
            now + timedelta(hours=settings.WAITLIST_OFFER_HOURS),
            slot.starts_at - timedelta(hours=service.min_notice_hours),
        )
        return WaitingListOffer.objects.create(
            entry=entry, slot_id=slot.pk, starts_at=slot.starts_at, ends_at=slot.ends_at,
            expires_at=expires_at,
        )  # fmt: skip
    return None


@transaction.atomic
def waitlist_offer_places(*, service_id: int, now=None) -> list[WaitingListOffer]:
    """Offer the service's free places to the people in line, first come first served, one
    place each. The waiting entries are locked in line order, so two runs for one service
    queue behind each other and never offer one person twice."""
    now = now or timezone.now()
    entries = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(service_id=service_id, status=EntryStatus.WAITING)
        .select_related("beneficiary", "service__partner__organisation")
        .order_by("created_at", "pk")
    )
    offers, bookable = [], {}
    for entry in entries:
        service = entry.service
        if entry.wanted_until < now.astimezone(ZoneInfo(service.partner.timezone)).date():
            continue  # past their dates: the sweep takes them off the list
        person = entry.beneficiary
        if person.anonymised_at is not None or person.status == BeneficiaryStatus.CLOSED:
            continue  # nobody to book for
        if entry.platform_id not in bookable:  # the agreement may have ended meanwhile
            bookable[entry.platform_id] = (
                bookable_services(platform_id=entry.platform_id).filter(pk=service_id).exists()
            )
        if not bookable[entry.platform_id]:
            continue
        offer = _hold_one(entry, service, now)
        if offer is None:
            continue
        _move_entry(entry, EntryStatus.OFFERED, actor=None)
        audit_log(actor=None, action="waitlist_offer.offered", target=offer,
                  data={"slot": offer.slot_id, "entry": entry.pk})  # fmt: skip
        _notify_offer(offer, entry, service, now)
        offers.append(offer)
    return offers


def _notify_offer(offer: WaitingListOffer, entry: WaitingListEntry, service, now) -> None:
    tz = ZoneInfo(service.partner.timezone)
    today = now.astimezone(tz).date()
    context = {
        "service": service.name,
        "partner": service.partner.organisation.name,
        "when": moment_text(offer.starts_at, tz, today),
        "until": moment_text(offer.expires_at, tz, today),
        "url": offer_url(offer),
        "first_name": entry.beneficiary.first_name,
    }
    person = entry.beneficiary
    if person.user_id is not None:
        notify(template="bookings/waitlist_offer", context=context, user=person.user)
    elif can_receive_sms(person.phone):
        notify(template="bookings/waitlist_offer", context=context,
               channel=NotificationChannel.SMS, recipient=person.phone)  # fmt: skip
    elif person.email:
        notify(template="bookings/waitlist_offer", context=context,
               channel=NotificationChannel.EMAIL, recipient=person.email)  # fmt: skip
    if entry.added_by is not None and entry.added_by.email:
        notify(template="bookings/waitlist_offer_adviser", channel=NotificationChannel.EMAIL,
               user=entry.added_by, context={**context, "person": str(person)})  # fmt: skip


def _lock_offer(offer_id: int) -> WaitingListOffer:
    offer = WaitingListOffer.objects.select_for_update(of=("self",)).filter(pk=offer_id).first()
    if offer is None:
        raise NotFoundError(_("Proposition introuvable."))
    return offer


def _close_offer(offer: WaitingListOffer, to: str, *, actor) -> None:
    """Close an open offer; one that held its place gives it back."""
    from_status = ensure_transition(OFFER_TRANSITIONS, offer, to, subject=_("la proposition"))
    if offer.holding and offer.slot_id is not None:
        capacity.release({offer.slot_id: 1})
    offer.holding = False
    offer.status = to
    offer.answered_at = timezone.now()
    offer.save()
    record_transition(offer, actor=actor, name="waitlist_offer", from_status=from_status, to=to)


def _open_offer(
    offer_id: int, *, actor, via_link: bool
) -> tuple[WaitingListOffer, WaitingListEntry]:
    offer = _lock_offer(offer_id)
    entry = _lock_entry(offer.entry_id)
    if not via_link and not _may_act_on(actor, entry):
        raise NotFoundError(_("Proposition introuvable."))
    ensure_transition(OFFER_TRANSITIONS, offer, OfferStatus.ACCEPTED, subject=_("la proposition"))
    return offer, entry


@transaction.atomic
def waitlist_offer_accept(*, offer_id: int, actor=None, via_link: bool = False, now=None):
    """The person (through the link, or signed in) or their adviser takes the place: the
    offer's hold becomes a booking, in one transaction (the slot stays locked)."""
    now = now or timezone.now()
    offer, entry = _open_offer(offer_id, actor=actor, via_link=via_link)
    if offer.expires_at <= now:
        raise OfferExpired(_("Cette proposition a expiré."))
    staff = actor is not None and actor.is_authenticated and can_book_for(actor, entry.beneficiary)
    booker = actor if staff else (entry.added_by or entry.beneficiary.adviser)
    _close_offer(offer, OfferStatus.ACCEPTED, actor=None if via_link else actor)
    booking = booking_create(
        actor=booker, beneficiary_id=entry.beneficiary_id, service_id=entry.service_id,
        slot_ids=[offer.slot_id], now=now,
    )  # fmt: skip
    offer.booking = booking
    offer.save(update_fields=["booking", "updated_at"])
    _move_entry(entry, EntryStatus.BOOKED, actor=actor if staff else None, booking=booking)
    return offer


@transaction.atomic
def waitlist_offer_decline(*, offer_id: int, actor=None, via_link: bool = False):
    """The person does not want this date: the place goes to the next in line, and the
    person stays in line for another one."""
    offer, entry = _open_offer(offer_id, actor=actor, via_link=via_link)
    _close_offer(offer, OfferStatus.DECLINED, actor=actor)
    _move_entry(entry, EntryStatus.WAITING, actor=actor)
    _offer_soon(entry.service_id)
    return offer


def waitlist_offers_expire(*, now=None) -> int:
    """Offers nobody answered in time give their place back; the next in line gets it."""
    now = now or timezone.now()
    due = WaitingListOffer.objects.filter(status=OfferStatus.OFFERED, expires_at__lte=now)
    expired = 0
    for offer_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            offer = (
                WaitingListOffer.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk=offer_id, status=OfferStatus.OFFERED, expires_at__lte=now)
                .first()
            )
            if offer is None:
                continue  # answered meanwhile
            entry = _lock_entry(offer.entry_id)
            _close_offer(offer, OfferStatus.EXPIRED, actor=None)
            _move_entry(entry, EntryStatus.WAITING, actor=None)
            _offer_soon(entry.service_id)
            expired += 1
    return expired


def waitlist_entries_close_past(*, now=None) -> int:
    """People still waiting once their last wanted day is gone leave the list."""
    now = now or timezone.now()
    past = WaitingListEntry.objects.filter(
        status=EntryStatus.WAITING, wanted_until__lt=now.date() - timedelta(days=1)
    )
    closed = 0
    for entry_id in list(past.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = _lock_entry(entry_id)
            if entry.status == EntryStatus.WAITING:
                _move_entry(entry, EntryStatus.REMOVED, actor=None, removed_at=now)
                closed += 1
    return closed


def waitlist_sweep(*, now=None) -> dict:
    """The periodic run (beat): expire offers, close past entries, offer what is free (this
    also catches places freed while a queued run was lost)."""
    now = now or timezone.now()
    expired = waitlist_offers_expire(now=now)
    closed = waitlist_entries_close_past(now=now)
    services = (
        WaitingListEntry.objects.filter(status=EntryStatus.WAITING)
        .values_list("service_id", flat=True)
        .distinct()
    )
    offered = sum(len(waitlist_offer_places(service_id=s, now=now)) for s in list(services))
    return {"expired": expired, "closed": closed, "offered": offered}
