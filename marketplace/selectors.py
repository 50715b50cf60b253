"""Catalogue search: which partner services can serve this person, where and when.

One query for the page (plus the count): distance, the next free slot and every filter are
computed in SQL. The slot subqueries use the partial index on free slots.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from core.places import Place, bounding_box, distance_expression
from partners.models import Partner, Service, Slot

DEFAULT_RADIUS_KM = Decimal("30")


class Sort:
    DISTANCE = "distance"
    NEXT = "next"
    PRICE = "price"


@dataclass(frozen=True)
class SearchFilters:
    category: str = ""
    q: str = ""
    place: Place | None = None
    radius_km: Decimal | None = None
    available_from: date | None = None
    available_to: date | None = None
    max_price: Decimal | None = None
    wheelchair: bool = False
    language: str = ""
    covers_place: bool = False
    sort: str = ""

    @property
    def effective_sort(self) -> str:
        return self.sort or (Sort.DISTANCE if self.place else Sort.NEXT)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def _window(filters: SearchFilters, now: datetime) -> tuple[datetime, datetime | None]:
    start = now
    if filters.available_from:
        start = max(now, _local_midnight(filters.available_from))
    end = None
    if filters.available_to:
        end = _local_midnight(filters.available_to + timedelta(days=1))
    return start, end


def free_slots(start: datetime, end: datetime | None) -> QuerySet[Slot]:
    slots = Slot.objects.filter(
        service_id=OuterRef("pk"), starts_at__gte=start, reserved__lt=F("capacity")
    )
    if end is not None:
        slots = slots.filter(starts_at__lt=end)
    return slots


def _language_filter(code: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(partner__languages__contains=[code])
    return Q(partner__languages__icontains=f'"{code}"')


def service_search(
    queryset: QuerySet[Service], filters: SearchFilters, *, now: datetime | None = None
) -> QuerySet[Service]:
    """Apply the catalogue filters and sort to a scoped queryset of services."""
    now = now or timezone.now()
    services = queryset
    if filters.category:
        services = services.filter(category=filters.category)
    if filters.q:
        words = Q()
        for word in filters.q.split():
            words &= (
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(partner__organisation__name__icontains=word)
            )
        services = services.filter(words)
    if filters.max_price is not None:
        services = services.filter(solidarity_price__lte=filters.max_price)
    if filters.wheelchair:
        services = services.filter(partner__wheelchair_accessible=True)
    if filters.language:
        services = services.filter(_language_filter(filters.language))

    start, end = _window(filters, now)
    if filters.available_from or filters.available_to:
        services = services.filter(Exists(free_slots(start, end)))
    # ORDER BY … LIMIT 1 reads one index entry per service (an aggregate would read them all).
    next_free = free_slots(start, None).order_by("starts_at").values("starts_at")[:1]
    services = services.annotate(next_available_at=Subquery(next_free))

    place = filters.place
    if place is not None:
        distance = distance_expression(
            place.latitude,
            place.longitude,
            "partner__organisation__latitude",
            "partner__organisation__longitude",
        )
        services = services.annotate(distance_km=distance)
        if filters.covers_place:
            covers = Q(
                partner__service_radius_km__isnull=False,
                distance_km__lte=F("partner__service_radius_km"),
            )
            if place.commune is not None:
                covers |= Q(
                    Exists(
                        Partner.service_area.through.objects.filter(
                            partner_id=OuterRef("partner_id"), commune_id=place.commune.pk
                        )
                    )
                )
            services = services.filter(covers)
        else:
            radius = float(filters.radius_km or DEFAULT_RADIUS_KM)
            min_lat, max_lat, min_lon, max_lon = bounding_box(
                place.latitude, place.longitude, radius
            )
            services = services.filter(
                partner__organisation__latitude__range=(min_lat, max_lat),
                partner__organisation__longitude__range=(min_lon, max_lon),
                distance_km__lte=radius,
            )
    else:
        services = services.annotate(distance_km=Value(None, output_field=FloatField()))

    sort = filters.effective_sort
    if sort == Sort.DISTANCE and place is not None:
        order = [F("distance_km").asc(), F("next_available_at").asc(nulls_last=True)]
    elif sort == Sort.PRICE:
        order = [F("solidarity_price").asc()]
    else:
        order = [F("next_available_at").asc(nulls_last=True)]
    return services.order_by(*order, "partner__organisation__name", "name", "pk")
