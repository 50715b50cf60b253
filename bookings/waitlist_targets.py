"""What a waiting list is for (issue 16): a partner's service here, a collective session of
the platform's agenda from the agenda app (registered by `AgendaConfig.ready()` through
`register`: bookings never imports the agenda).

The waiting list's rule is written once, in `bookings.services_waitlist`: who is first in
line, one offer at a time holding its place, a signed link valid a few hours, the next in
line on a decline or an expiry, acceptance turning the held place into the real thing in
one transaction. A target says only what differs: which place to hold (and how to give it
back), what accepting books, how the place reads in a message, and whether the person stays
in line after letting an offer go (`one_date`: a session happens once, a service again and
again)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bookings import capacity
from bookings.models import BookingSlot
from bookings.selectors import booking_parties
from bookings.services import booking_create
from core.enums import ErrorCode
from core.errors import ApplicationError
from partners.enums import BookingMode
from partners.models import Slot
from partners.selectors import bookable_services


@dataclass(frozen=True)
class Described:
    """A target as people read it: « Réparation de freins », « Garage solidaire, Moulins »."""

    name: str
    where: str
    tz: ZoneInfo
    where_lines: tuple[str, ...] = ()
    staff_url: str = ""  # its page for the platform's staff, if any
    booked_text: str = ""  # what the person reads once they took the place


class WaitlistTarget:
    """The interface of a target (see the module's docstring). `field` names the entry's
    foreign key (`service`, `session`); `related` the `select_related` paths that
    `describe` reads."""

    field: str = ""
    one_date: bool = False
    related: tuple[str, ...] = ()
    not_found: str = ""  # the 404's message when the target is not found
    already_waiting: str = ""  # the 409's message when the person is in its line already

    def get(self, *, person, target_id: int):
        """The target if the person's platform may use it, else None."""
        raise NotImplementedError

    def dates(self, *, target, person, wanted_from, wanted_until, now):
        """The dates the entry is for, checked: (first day, last day)."""
        raise NotImplementedError

    def available(self, entry, *, now: datetime) -> bool:
        """May the target still be offered to people of this entry's platform?"""
        raise NotImplementedError

    def hold(self, entry, *, now: datetime) -> dict | None:
        """Take one place for the person (the capacity guard, call inside a transaction);
        the offer's fields (`slot_id`, `starts_at`, `ends_at`, `expires_at`), or None."""
        raise NotImplementedError

    def release(self, offer, entry) -> None:
        """Give the place an open offer held back (inside the offer's transaction)."""
        raise NotImplementedError

    def book(self, *, entry, offer, booker, now: datetime):
        """Turn the held place (already given back in this transaction) into the real
        thing; a `Booking` when it is one, else None."""
        raise NotImplementedError

    def describe(self, entry) -> Described:
        raise NotImplementedError


def answer_time() -> timedelta:
    """The least time a person is given to answer an offer: a place starting sooner is not
    offered."""
    return timedelta(minutes=settings.WAITLIST_MIN_ANSWER_MINUTES)


TARGETS: dict[str, WaitlistTarget] = {}


def register(target: WaitlistTarget) -> None:
    TARGETS[target.field] = target


def target_named(field: str) -> WaitlistTarget:
    return TARGETS[field]


def target_of(entry) -> WaitlistTarget:
    for field, target in TARGETS.items():
        if getattr(entry, f"{field}_id", None) is not None:
            return target
    raise LookupError(f"waiting-list entry {entry.pk} has no known target")


def target_id(entry) -> tuple[str, int]:
    target = target_of(entry)
    return target.field, getattr(entry, f"{target.field}_id")


# --- a partner's service --------------------------------------------------------------------

CANDIDATES = 20  # slots tried per person and run (a slot taken meanwhile is skipped)
MAX_WAIT_DAYS = 366  # an entry's last wanted day is at most a year ahead


class ServiceTarget(WaitlistTarget):
    field = "service"
    related = ("service__partner__organisation",)

    @property
    def not_found(self) -> str:
        return _("Service introuvable.")

    @property
    def already_waiting(self) -> str:
        return _("Cette personne est déjà sur la liste d'attente de ce service.")

    def get(self, *, person, target_id: int):
        return booking_parties(beneficiary_id=person.pk, service_id=target_id)[1]

    def dates(self, *, target, person, wanted_from, wanted_until, now):
        if target.booking_mode != BookingMode.SLOT:
            raise ApplicationError(
                _("La liste d'attente est pour les services à créneaux, pas les locations."),
                code=ErrorCode.WAITLIST_NOT_AVAILABLE,
            )
        if wanted_from is None or wanted_until is None:
            raise ApplicationError(_("Indiquez les dates souhaitées."), code=ErrorCode.INVALID)
        today = now.astimezone(ZoneInfo(target.partner.timezone)).date()
        if wanted_until < wanted_from or wanted_until < today:
            raise ApplicationError(
                _("Choisissez des dates à venir, la fin après le début."), code=ErrorCode.INVALID
            )
        if wanted_until > today + timedelta(days=MAX_WAIT_DAYS):
            raise ApplicationError(
                _("Une inscription dure au plus un an : choisissez une date plus proche."),
                code=ErrorCode.INVALID,
            )
        return max(wanted_from, today), wanted_until

    def available(self, entry, *, now: datetime) -> bool:
        # The agreement may have ended meanwhile.
        return bookable_services(platform_id=entry.platform_id).filter(pk=entry.service_id).exists()

    def _window(self, entry, now: datetime) -> tuple[datetime, datetime]:
        """When a slot may start to be offered to this person: in their dates, after the
        notice plus time to answer, before the service's furthest booking day."""
        service = entry.service
        tz = ZoneInfo(service.partner.timezone)
        start = max(
            datetime.combine(entry.wanted_from, time.min, tzinfo=tz),
            now + timedelta(hours=service.min_notice_hours) + answer_time(),
        )
        end = min(
            datetime.combine(entry.wanted_until + timedelta(days=1), time.min, tzinfo=tz),
            now + timedelta(days=service.max_advance_days),
        )
        return start, end

    def _candidates(self, entry, now: datetime) -> list[int]:
        start, end = self._window(entry, now)
        if start >= end:
            return []
        tried = entry.offers.values_list("slot_id", flat=True)
        holding = BookingSlot.objects.filter(beneficiary_id=entry.beneficiary_id, holding=True)
        return list(
            Slot.objects.filter(
                service_id=entry.service_id, starts_at__gte=start, starts_at__lt=end,
                reserved__lt=F("capacity"),
            )
            .exclude(pk__in=tried)
            .exclude(pk__in=holding.values("slot_id"))
            .order_by("starts_at", "pk")
            .values_list("pk", flat=True)[:CANDIDATES]
        )  # fmt: skip

    def hold(self, entry, *, now: datetime) -> dict | None:
        for slot_id in self._candidates(entry, now):
            try:
                with transaction.atomic():
                    (slot,) = capacity.reserve({slot_id: 1}, service_id=entry.service_id)
            except capacity.SlotFull:
                continue  # taken since we looked: try the next one
            expires_at = min(
                now + timedelta(hours=settings.WAITLIST_OFFER_HOURS),
                slot.starts_at - timedelta(hours=entry.service.min_notice_hours),
            )
            return {"slot_id": slot.pk, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                    "expires_at": expires_at}  # fmt: skip
        return None

    def release(self, offer, entry) -> None:
        if offer.slot_id is not None:
            capacity.release({offer.slot_id: 1})

    def book(self, *, entry, offer, booker, now: datetime):
        return booking_create(
            actor=booker, beneficiary_id=entry.beneficiary_id, service_id=entry.service_id,
            slot_ids=[offer.slot_id], now=now,
        )  # fmt: skip

    def describe(self, entry) -> Described:
        service = entry.service
        organisation = service.partner.organisation
        lines = [organisation.name, organisation.address,
                 " ".join(filter(None, [organisation.postcode, organisation.commune]))]  # fmt: skip
        return Described(
            name=service.name, where=organisation.name,
            tz=ZoneInfo(service.partner.timezone),
            where_lines=tuple(line for line in lines if line),
            booked_text=_("C'est réservé. Le partenaire et votre conseiller·ère sont prévenus."),
        )  # fmt: skip


register(ServiceTarget())
