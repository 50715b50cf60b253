"""Waiting lists (issue 16): people in line for a full service or collective session,
offered a freed place one at a time, by SMS or e-mail, with a signed link valid
`WAITLIST_OFFER_HOURS`. The rule is written once, here, for every target; what differs
between a service and a session is in `bookings.waitlist_targets`.

An offer holds the place it proposes (see `bookings.models_waitlist`): taking it is the
capacity guard's conditional update (`capacity.take`), giving it back its release.
Accepting gives the place back and books it (`booking_create`, or the agenda's appointment)
in one transaction, so the row stays locked from one to the other and nobody slips in
between. Each place freed (a booking cancelled, declined or expired —
`hooks.places_released` —, new capacity from slot regeneration, a session's participant
cancelled or its seats increased, an offer declined or expired) is offered to the first
person in line whose dates match and who was not offered that place already.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.models import Beneficiary
from bookings.enums_waitlist import ENTRY_TRANSITIONS, OFFER_TRANSITIONS, EntryStatus, OfferStatus
from bookings.links_waitlist import OfferExpired, offer_url
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.permissions import can_book_for
from bookings.waitlist_targets import TARGETS, target_id, target_named, target_of
from core.audit import audit_log
from core.enums import ErrorCode, NotificationChannel
from core.errors import ApplicationError, ConflictError, NotFoundError
from core.formatting import moment_text
from core.notifications import notify
from core.phones import can_receive_sms
from core.transitions import ensure_transition, record_transition


class AlreadyWaiting(ConflictError):
    default_code = ErrorCode.ALREADY_WAITING


def _entry_not_found() -> NotFoundError:
    return NotFoundError(_("Inscription introuvable."))


# --- entries ---------------------------------------------------------------------------------


def waitlist_offer_soon(*, field: str, target_id: int, check: bool = False) -> None:
    """After commit, offer the target's free places to its line (`check`: only when someone
    waits, one query, for callers that free places of targets with no line)."""
    from bookings.tasks import waitlist_offer_places

    if (
        check
        and not WaitingListEntry.objects.filter(
            **{f"{field}_id": target_id}, status=EntryStatus.WAITING
        ).exists()
    ):
        return
    transaction.on_commit(
        lambda: waitlist_offer_places.delay(**{f"{field}_id": target_id}), robust=True
    )


def _offer_soon(entry: WaitingListEntry) -> None:
    field, pk = target_id(entry)
    waitlist_offer_soon(field=field, target_id=pk)


@transaction.atomic
def waitlist_entry_add(
    *, actor, beneficiary_id: int, service_id: int | None = None,
    session_id: int | None = None, wanted_from=None, wanted_until=None, note: str = "",
    now=None,
) -> WaitingListEntry:  # fmt: skip
    """Put a person in line for a service (for the dates they want) or a session."""
    now = now or timezone.now()
    if (service_id is None) == (session_id is None):
        raise ApplicationError(_("Choisissez un service ou une séance."), code=ErrorCode.INVALID)
    target = target_named("service" if service_id is not None else "session")
    person = Beneficiary.objects.filter(pk=beneficiary_id, anonymised_at__isnull=True).first()
    if person is None or not can_book_for(actor, person):
        raise NotFoundError(_("Personne introuvable."))
    chosen = target.get(person=person, target_id=service_id or session_id)
    if chosen is None:
        raise NotFoundError(target.not_found)
    first, last = target.dates(target=chosen, person=person, wanted_from=wanted_from,
                               wanted_until=wanted_until, now=now)  # fmt: skip
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                platform_id=person.platform_id, beneficiary=person, wanted_from=first,
                wanted_until=last, note=note.strip()[:500], added_by=actor,
                **{target.field: chosen},
            )  # fmt: skip
    except IntegrityError:
        raise AlreadyWaiting(target.already_waiting) from None
    audit_log(actor=actor, action="waitlist.added", target=entry,
              data={target.field: chosen.pk})  # fmt: skip
    _offer_soon(entry)
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


def _take_off(entry: WaitingListEntry, *, actor, now) -> None:
    """Out of the line (the entry locked); a place held for the person goes to the next."""
    offer = entry.offers.select_for_update().filter(status=OfferStatus.OFFERED).first()
    if offer is not None:
        _close_offer(offer, OfferStatus.WITHDRAWN, actor=actor, entry=entry)
    _move_entry(entry, EntryStatus.REMOVED, actor=actor, removed_at=now)
    if offer is not None:
        _offer_soon(entry)


@transaction.atomic
def waitlist_entry_remove(*, actor, entry_id: int) -> WaitingListEntry:
    """Take the person off the list; a place held for them goes to the next in line."""
    entry = _lock_entry(entry_id)
    if not _may_act_on(actor, entry):
        raise _entry_not_found()
    _take_off(entry, actor=actor, now=timezone.now())
    return entry


# --- offers ------------------------------------------------------------------------------


@transaction.atomic
def waitlist_offer_places(
    *, service_id: int | None = None, session_id: int | None = None, now=None
) -> list[WaitingListOffer]:
    """Offer the target's free places to the people in line, first come first served, one
    place each. The waiting entries are locked in line order, so two runs for one target
    queue behind each other and never offer one person twice."""
    now = now or timezone.now()
    target = target_named("service" if service_id is not None else "session")
    entries = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(**{f"{target.field}_id": service_id or session_id}, status=EntryStatus.WAITING)
        .select_related("beneficiary", *target.related)
        .order_by("created_at", "pk")
    )
    offers, available = [], {}
    for entry in entries:
        described = target.describe(entry)
        if entry.wanted_until < now.astimezone(described.tz).date():
            continue  # past their dates: the sweep takes them off the list
        person = entry.beneficiary
        if person.anonymised_at is not None or person.status == BeneficiaryStatus.CLOSED:
            continue  # nobody to book for
        if entry.platform_id not in available:
            available[entry.platform_id] = target.available(entry, now=now)
        if not available[entry.platform_id]:
            continue
        held = target.hold(entry, now=now)
        if held is None:
            continue
        offer = WaitingListOffer.objects.create(entry=entry, **held)
        _move_entry(entry, EntryStatus.OFFERED, actor=None)
        audit_log(actor=None, action="waitlist_offer.offered", target=offer,
                  data={"slot": offer.slot_id, "entry": entry.pk})  # fmt: skip
        _notify_offer(offer, entry, described, now, stays=not target.one_date)
        offers.append(offer)
    return offers


def _notify_offer(offer: WaitingListOffer, entry: WaitingListEntry, described, now, *,
                  stays: bool) -> None:  # fmt: skip
    today = now.astimezone(described.tz).date()
    context = {
        "service": described.name,
        "partner": described.where,
        "when": moment_text(offer.starts_at, described.tz, today),
        "until": moment_text(offer.expires_at, described.tz, today),
        "url": offer_url(offer),
        "first_name": entry.beneficiary.first_name,
        "stays_in_line": stays,
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


def _close_offer(offer: WaitingListOffer, to: str, *, actor, entry=None) -> None:
    """Close an open offer; one that held its place gives it back."""
    from_status = ensure_transition(OFFER_TRANSITIONS, offer, to, subject=_("la proposition"))
    if offer.holding:
        entry = entry or offer.entry
        target_of(entry).release(offer, entry)
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
    _close_offer(offer, OfferStatus.ACCEPTED, actor=None if via_link else actor, entry=entry)
    booking = target_of(entry).book(entry=entry, offer=offer, booker=booker, now=now)
    offer.booking = booking
    offer.save(update_fields=["booking", "updated_at"])
    _move_entry(entry, EntryStatus.BOOKED, actor=actor if staff else None, booking=booking)
    return offer


def _back_in_line(entry: WaitingListEntry, *, actor) -> None:
    """After an offer let go: back in line, or off it when the target happens once."""
    if target_of(entry).one_date:
        _move_entry(entry, EntryStatus.REMOVED, actor=actor, removed_at=timezone.now())
    else:
        _move_entry(entry, EntryStatus.WAITING, actor=actor)
    _offer_soon(entry)


@transaction.atomic
def waitlist_offer_decline(*, offer_id: int, actor=None, via_link: bool = False):
    """The person does not want this date: the place goes to the next in line, and the
    person stays in line for another one (a session's: off the line, it has one date)."""
    offer, entry = _open_offer(offer_id, actor=actor, via_link=via_link)
    _close_offer(offer, OfferStatus.DECLINED, actor=actor, entry=entry)
    _back_in_line(entry, actor=actor)
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
            _close_offer(offer, OfferStatus.EXPIRED, actor=None, entry=entry)
            _back_in_line(entry, actor=None)
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
    offered = 0
    for field in TARGETS:
        waiting = WaitingListEntry.objects.filter(
            status=EntryStatus.WAITING, **{f"{field}_id__isnull": False}
        )
        for pk in list(waiting.values_list(f"{field}_id", flat=True).distinct()):
            offered += len(waitlist_offer_places(**{f"{field}_id": pk}, now=now))
    return {"expired": expired, "closed": closed, "offered": offered}


def waitlist_entries_of_person_close(*, beneficiary_id: int, now=None) -> int:
    """A person anonymised (call inside that transaction): out of every line (a place held
    for them goes to the next in line), and their entries' notes blanked."""
    now = now or timezone.now()
    live = WaitingListEntry.objects.filter(
        beneficiary_id=beneficiary_id, status__in=(EntryStatus.WAITING, EntryStatus.OFFERED)
    )
    closed = 0
    for entry_id in list(live.order_by("pk").values_list("pk", flat=True)):
        _take_off(_lock_entry(entry_id), actor=None, now=now)
        closed += 1
    WaitingListEntry.objects.filter(beneficiary_id=beneficiary_id).exclude(note="").update(note="")
    return closed
