"""Reads of the waiting lists, scoped: platform staff see their platforms' lines, a person
their own entries."""

from functools import reduce
from operator import or_

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.need_to_know import DataKind, platforms_where
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.waitlist_targets import TARGETS, target_id, target_of
from core.errors import NotFoundError

LIVE = (EntryStatus.WAITING, EntryStatus.OFFERED)


def _with_details(entries: QuerySet[WaitingListEntry]) -> QuerySet[WaitingListEntry]:
    open_offers = WaitingListOffer.objects.filter(status=OfferStatus.OFFERED)
    related = [path for target in TARGETS.values() for path in target.related]
    return entries.select_related("beneficiary", "added_by", *related).prefetch_related(
        Prefetch("offers", queryset=open_offers, to_attr="open_offers")
    )


def waitlist_entries_for(*, user) -> QuerySet[WaitingListEntry]:
    """Entries of the platforms where the user may read waiting lists, and the person's own."""
    platforms = platforms_where(user, DataKind.WAITING_LIST)
    if platforms:
        entries = WaitingListEntry.objects.filter(platform_id__in=platforms)
    else:
        entries = WaitingListEntry.objects.filter(
            beneficiary__user_id=user.pk, beneficiary__anonymised_at__isnull=True
        )
    return _with_details(entries)


def waitlist_entries_filtered(
    *,
    user,
    status: str = "",
    service_id: int | None = None,
    beneficiary_id: int | None = None,
    session_id: int | None = None,
) -> QuerySet[WaitingListEntry]:
    """The list of the page and the API: live entries by default, in line order."""
    entries = waitlist_entries_for(user=user)
    entries = entries.filter(status=status) if status else entries.filter(status__in=LIVE)
    if service_id:
        entries = entries.filter(service_id=service_id)
    if session_id:
        entries = entries.filter(session_id=session_id)
    if beneficiary_id:
        entries = entries.filter(beneficiary_id=beneficiary_id)
    return entries.order_by("service_id", "session_id", "created_at", "pk")


def _same_target() -> Q:
    """Entries of the outer entry's target (exactly one key of an entry is set, and a
    comparison with a null key is never true)."""
    return reduce(or_, (Q(**{f"{f}_id": OuterRef(f"{f}_id")}) for f in TARGETS))


def with_position(entries: QuerySet[WaitingListEntry]) -> QuerySet[WaitingListEntry]:
    """Annotate `ahead`: how many live entries of the same target came before (one
    correlated subquery, so a page of entries costs no query per row)."""
    ahead = (
        WaitingListEntry.objects.filter(
            _same_target(), status__in=LIVE, created_at__lt=OuterRef("created_at")
        )
        .order_by()
        .values(*(f"{f}_id" for f in TARGETS))  # one group: the rows share their target
        .annotate(n=Count("pk"))
        .values("n")
    )
    return entries.annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)))


def waitlist_lines_of_person(*, beneficiary_id: int) -> list[dict]:
    """What the person reads on « Mes rendez-vous »: each line they are in (what for, where,
    the dates wanted, their place in line) and the place held for them, if any."""
    entries = with_position(
        _with_details(
            WaitingListEntry.objects.filter(beneficiary_id=beneficiary_id, status__in=LIVE)
        )
    ).order_by("created_at", "pk")
    lines = []
    for entry in entries:
        offer = entry.open_offers[0] if entry.open_offers else None
        lines.append({
            "entry": entry, "described": target_of(entry).describe(entry),
            "position": entry.ahead + 1, "offer": offer,
        })  # fmt: skip
    return lines


def waitlist_entry_get_for(*, user, entry_id: int) -> WaitingListEntry:
    entry = waitlist_entries_for(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError("Inscription introuvable.")
    return entry


def waitlist_position(entry: WaitingListEntry) -> int | None:
    """1 for the first in line of its target (among live entries), None once out of line."""
    if entry.status not in LIVE:
        return None
    field, pk = target_id(entry)
    return (
        WaitingListEntry.objects.filter(
            **{f"{field}_id": pk}, status__in=LIVE, created_at__lt=entry.created_at
        ).count()
        + 1
    )


def offer_for_link(*, offer_id: int) -> WaitingListOffer:
    related = [f"entry__{path}" for target in TARGETS.values() for path in target.related]
    offer = (
        WaitingListOffer.objects.select_related("entry__beneficiary", *related)
        .filter(pk=offer_id, entry__beneficiary__anonymised_at__isnull=True)
        .first()
    )
    if offer is None:
        raise NotFoundError("Ce lien n'est pas valide.")
    return offer


def waitlist_export_rows(*, beneficiary_id: int) -> list[dict]:
    """A person's waiting-list entries and the places offered, for their data export."""
    entries = _with_details(WaitingListEntry.objects.filter(beneficiary_id=beneficiary_id))
    rows = []
    for entry in entries.prefetch_related("offers").order_by("created_at", "pk"):
        described = target_of(entry).describe(entry)
        rows.append({
            "for": described.name, "where": described.where,
            "wanted_from": entry.wanted_from.isoformat(),
            "wanted_until": entry.wanted_until.isoformat(),
            "status": entry.status, "note": entry.note,
            "added_at": entry.created_at.isoformat(),
            "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
            "offers": [
                {"starts_at": o.starts_at.isoformat(), "expires_at": o.expires_at.isoformat(),
                 "status": o.status,
                 "answered_at": o.answered_at.isoformat() if o.answered_at else None}
                for o in entry.offers.all()
            ],
        })  # fmt: skip
    return rows
