"""Catalogue search: which partner services can serve this person, where and when.

One query for the page (plus the count): distance, the next free slot and every filter are
computed in SQL. The slot subqueries use the partial index on free slots; the next free slot
from now is read from the service when its stored value is exact (`partners.next_free`).
Keywords are matched, without case or accents, in the service's folded search text (a
trigram index serves it on PostgreSQL).
"""

import operator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.utils import timezone

from core.places import Place, WithinBox, bounding_box, distance_expression
from core.text import fold
from partners.models import Partner, Service, Slot
from partners.next_free import NextFreeSlot

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


def _partners_covering(place: Place) -> QuerySet:
    """Ids of the partners who go to `place`: within their radius of it, or naming its
    commune in their service area. The radius side only computes distances inside a box as
    wide as the largest radius of all partners (an index range scan on the coordinates)."""
    largest = f"SELECT MAX(service_radius_km) FROM {Partner._meta.db_table}"
    in_box = WithinBox(
        place.latitude, place.longitude, "organisation__latitude", "organisation__longitude",
        largest,
    )  # fmt: skip
    distance = distance_expression(
        place.latitude, place.longitude, "organisation__latitude", "organisation__longitude"
    )
    by_radius = (
        Partner.objects.filter(in_box, service_radius_km__isnull=False)
        .alias(distance=distance)
        .filter(distance__lte=F("service_radius_km"))
        .order_by()
        .values("pk")
    )
    if place.commune is None:
        return by_radius
    by_commune = (
        Partner.service_area.through.objects.filter(commune_id=place.commune.pk)
        .order_by()
        .values("partner_id")
    )
    return by_radius.union(by_commune)


class SearchResults:
    """What a search found, for a paginator: `SearchPaginator` reads a page in two queries
    (`page_ids`, then `rows`); any other paginator gets `count()` and slices.

    Only the ids of the matching services, with the columns the order needs, go through the
    sort of every matching service; the other columns are read for the page alone."""

    ordered = True

    def __init__(self, matching: QuerySet[Service], rows: QuerySet[Service]):
        self.matching = matching  # filtered and ordered
        self.rows_queryset = rows  # the same annotations and order, every column, no filter

    def count(self) -> int:
        return self.matching.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> QuerySet[Service]:
        if not isinstance(index, slice):
            raise TypeError("SearchResults only gives pages (slices).")
        return self.rows_queryset.filter(pk__in=self.matching.values("pk")[index])

    def page_ids(self, offset: int, limit: int) -> tuple[list[int], int | None]:
        """The ids of a page in order, and how many services match (COUNT(*) OVER (): the
        matching services are found once for both); (no ids, None) past the last page."""
        found = list(
            self.matching.annotate(total=Window(Count("pk"))).values_list("pk", "total")[
                offset : offset + limit
            ]
        )
        return [pk for pk, _total in found], (found[0][1] if found else None)

    def rows(self, ids: list[int]) -> QuerySet[Service]:
        """These services with every column, in the search's order."""
        return self.rows_queryset.filter(pk__in=ids)


class SearchPaginator(Paginator):
    """Django's paginator, reading a page of `SearchResults` in two queries instead of
    three: the page's ids with the count, then the page's rows. An out-of-range or invalid
    page falls back to Django's behaviour (a count, then EmptyPage or the page it chooses)."""

    def page(self, number):
        if self.orphans or "count" in self.__dict__:  # already counted, or orphans: as Django
            return super().page(number)
        number = self._positive(number)
        ids, total = self.object_list.page_ids((number - 1) * self.per_page, self.per_page)
        if not ids:
            return super().page(number)
        self.count = total  # cached_property: what the count query would have said
        return self._get_page(self.object_list.rows(ids), number, self)

    def get_page(self, number):
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def _positive(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > 2**63 - 1:  # an OFFSET no database takes
            raise EmptyPage(self.error_messages["no_results"])
        return number


def service_search(
    queryset: QuerySet[Service], filters: SearchFilters, *, now: datetime | None = None
) -> SearchResults:
    """Apply the catalogue filters and sort to a scoped queryset of services."""
    now = now or timezone.now()
    services = queryset
    if filters.category:
        services = services.filter(category=filters.category)
    for word in fold(filters.q).split():
        services = services.filter(search_text__contains=word)
    if filters.max_price is not None:
        services = services.filter(solidarity_price__lte=filters.max_price)
    if filters.wheelchair:
        services = services.filter(partner__wheelchair_accessible=True)
    if filters.language:
        services = services.filter(_language_filter(filters.language))

    start, end = _window(filters, now)
    if filters.available_from or filters.available_to:
        services = services.filter(Exists(free_slots(start, end)))
    # The stored value where it is exact, else ORDER BY … LIMIT 1 on the free slots.
    annotations = {"next_available_at": NextFreeSlot(start, now=now)}

    place = filters.place
    if place is not None:
        annotations["distance_km"] = distance_expression(
            place.latitude,
            place.longitude,
            "partner__organisation__latitude",
            "partner__organisation__longitude",
        )
        services = services.annotate(**annotations)
        if filters.covers_place:
            services = services.filter(partner_id__in=_partners_covering(place))
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
        annotations["distance_km"] = Value(None, output_field=FloatField())
        services = services.annotate(**annotations)

    sort = filters.effective_sort
    if sort == Sort.DISTANCE and place is not None:
        order = [F("distance_km").asc(), F("next_available_at").asc(nulls_last=True)]
    elif sort == Sort.PRICE:
        order = [F("solidarity_price").asc()]
    else:
        order = [F("next_available_at").asc(nulls_last=True)]
    order += ["partner__organisation__name", "name", "pk"]
    rows = Service.objects.select_related("partner__organisation").annotate(**annotations)
    return SearchResults(services.order_by(*order), rows.order_by(*order))


def bookable_next_places(services, now: datetime) -> dict[int, datetime]:
    """The next free place each service lets book now, after its notice period (the
    catalogue's "prochaine place" counts from now): `next_available_at` where it is already
    past the notice, else one query for all the others together (none when none needs it)."""
    places: dict[int, datetime] = {}
    wanted: list[Q] = []
    for service in services:
        at = getattr(service, "next_available_at", None)
        if at is None:
            continue
        start = now + timedelta(hours=service.min_notice_hours)
        if at >= start:
            places[service.pk] = at
        else:
            wanted.append(Q(service_id=service.pk, starts_at__gte=start))
    if wanted:
        rows = (
            Slot.objects.filter(reduce(operator.or_, wanted), reserved__lt=F("capacity"))
            .values("service_id")
            .annotate(first=Min("starts_at"))
        )
        places.update({row["service_id"]: row["first"] for row in rows})
    return places
