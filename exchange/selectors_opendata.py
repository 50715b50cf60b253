"""What the open-data feed publishes, read in a fixed number of queries per page.

- Structures: every active partner (published, its organisation active, an agreement in
  force with a platform) and every active platform.
- Services: each platform's own offers first — the mobility diagnosis, the loans it grants
  (one per loan kind it has used), each grant programme open today — then every published
  service of an active partner.

Nothing here reads a person: only organisations, services, rules, communes, programmes, and
which loan kinds a platform uses."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from math import asin, cos, radians, sin, sqrt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from core.models import Commune, CommunePostcode
from core.text import fold
from financing.models import FundingProgramme, Loan
from partners.enums import PartnerStatus
from partners.models import AvailabilityRule, Partner, PartnerAgreement, Service
from partners.selectors import agreement_in_force


def _agreed(today) -> Exists:
    return Exists(
        PartnerAgreement.objects.filter(
            agreement_in_force(today), partner=OuterRef("partner"), platform__is_active=True
        )
    )


def active_partner_q(today, prefix: str = "") -> Q:
    """An organisation (reached by `prefix`) that is an active, published, agreed partner."""
    return Q(
        **{f"{prefix}kind": OrganisationKind.PARTNER, f"{prefix}is_active": True,
           f"{prefix}partner__status": PartnerStatus.PUBLISHED},
    )  # fmt: skip


def structure_queryset(*, today=None) -> QuerySet[Organisation]:
    today = today or timezone.localdate()
    partners = Organisation.objects.filter(active_partner_q(today)).filter(
        Exists(
            PartnerAgreement.objects.filter(
                agreement_in_force(today),
                partner__organisation=OuterRef("pk"),
                platform__is_active=True,
            )  # fmt: skip
        )
    )
    platforms = Q(kind=OrganisationKind.PLATFORM, is_active=True)
    return (
        Organisation.objects.filter(Q(pk__in=partners.values("pk")) | platforms)
        .select_related("partner")
        .order_by("pk")
    )


def partner_service_queryset(*, today=None) -> QuerySet[Service]:
    today = today or timezone.localdate()
    return (
        Service.objects.filter(
            active_partner_q(today, "partner__organisation__"), _agreed(today), published=True
        )
        .select_related("partner__organisation")
        .order_by("pk")
    )


@dataclass
class PlatformOffer:
    """One of a platform's own offers: `kind` is diagnosis, a loan kind, or grant."""

    platform: Organisation
    kind: str
    programme: FundingProgramme | None = None

    @property
    def key(self) -> str:
        return (
            f"programme-{self.programme.pk}"
            if self.programme
            else f"{self.platform.pk}-{self.kind}"
        )


def platform_offers(*, today=None) -> list[PlatformOffer]:
    """Three queries: the platforms (with their eligibility rules), the loan kinds they
    use, the programmes open today (with their funder)."""
    today = today or timezone.localdate()
    platforms = list(
        Organisation.objects.filter(kind=OrganisationKind.PLATFORM, is_active=True)
        .select_related("eligibility_policy")
        .order_by("pk")
    )
    ids = [platform.pk for platform in platforms]
    kinds = defaultdict(set)
    for platform_id, kind in (
        Loan.objects.filter(platform_id__in=ids).values_list("platform_id", "kind").distinct()
    ):
        kinds[platform_id].add(kind)
    programmes = defaultdict(list)
    for programme in (
        FundingProgramme.objects.filter(platform_id__in=ids, active=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("funder")
        .order_by("pk")
    ):
        programmes[programme.platform_id].append(programme)
    offers = []
    for platform in platforms:
        offers.append(PlatformOffer(platform, "diagnosis"))
        offers += [PlatformOffer(platform, kind) for kind in sorted(kinds[platform.pk])]
        offers += [PlatformOffer(platform, "grant", p) for p in programmes[platform.pk]]
    return offers


class Feed:
    """A list (the platforms' offers) followed by a queryset (the partners' services), cut
    into pages like one sequence: the paginator counts both and slices across them."""

    def __init__(self, head: list, tail: QuerySet):
        self.head, self.tail = head, tail

    def count(self) -> int:
        return len(self.head) + self.tail.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop
        items = list(self.head[start:stop])
        tail_start = max(0, start - len(self.head))
        tail_stop = None if stop is None else stop - len(self.head)
        if tail_stop is None or tail_stop > tail_start:
            items += list(self.tail[tail_start:tail_stop])
        return items


def service_feed(*, today=None) -> Feed:
    return Feed(platform_offers(today=today), partner_service_queryset(today=today))


# --- What a page needs besides its rows (one query each) --------------------------------


def insee_codes(organisations) -> dict[int, str]:
    """Organisation id → the INSEE code of its commune (by postcode, then by name)."""
    postcodes = {o.postcode for o in organisations if o.postcode}
    rows = CommunePostcode.objects.filter(postcode__in=postcodes).select_related("commune")
    by_postcode = defaultdict(list)
    for row in rows:
        by_postcode[row.postcode].append(row.commune)
    found = {}
    for organisation in organisations:
        candidates = by_postcode.get(organisation.postcode, [])
        named = [c for c in candidates if c.search_name == fold(organisation.commune)]
        if len(named) == 1 or len(candidates) == 1:
            found[organisation.pk] = (named or candidates)[0].insee_code
    return found


def rules_by_service(service_ids) -> dict[int, list[AvailabilityRule]]:
    rules = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(service_id__in=service_ids).order_by("pk"):
        rules[rule.service_id].append(rule)
    return rules


def published_rules_by_partner(organisation_ids) -> dict[int, list[AvailabilityRule]]:
    rules = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(
        service__partner__organisation_id__in=organisation_ids, service__published=True
    ).select_related("service__partner"):
        rules[rule.service.partner.organisation_id].append(rule)
    return rules


def platforms_by_partner(partner_ids, *, today=None) -> dict[int, list[Organisation]]:
    """Partner id → the active platforms it serves today (with their eligibility rules)."""
    today = today or timezone.localdate()
    platforms = defaultdict(list)
    for agreement in (
        PartnerAgreement.objects.filter(
            agreement_in_force(today), partner_id__in=partner_ids, platform__is_active=True
        )
        .select_related("platform__eligibility_policy")
        .order_by("platform_id")
    ):
        platforms[agreement.partner_id].append(agreement.platform)
    return platforms


def _km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = map(radians, map(float, (lat1, lon1, lat2, lon2)))
    a = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(min(1.0, sqrt(a)))


def service_areas(partners) -> dict[int, list[str]]:
    """Partner id → the INSEE codes of the communes it serves: those it names, and those
    whose centre lies within its radius of its address (one query for the named ones, one
    for all the radii, each radius a latitude/longitude box refined here)."""
    partners = list(partners)
    codes: dict[int, set[str]] = {p.pk: set() for p in partners}
    for partner_id, insee_code in _named_communes(partners):
        codes[partner_id].add(insee_code)
    boxes, circles = Q(), []
    for p in partners:
        org = p.organisation
        if p.service_radius_km and org.latitude is not None and org.longitude is not None:
            dlat = Decimal(p.service_radius_km / 111.0)
            dlon = Decimal(p.service_radius_km / (111.0 * max(cos(radians(org.latitude)), 0.01)))
            boxes |= Q(latitude__range=(org.latitude - dlat, org.latitude + dlat),
                       longitude__range=(org.longitude - dlon, org.longitude + dlon))  # fmt: skip
            circles.append(p)
    if circles:
        for commune in Commune.objects.filter(boxes).only("insee_code", "latitude", "longitude"):
            for p in circles:
                org = p.organisation
                if _km(org.latitude, org.longitude, commune.latitude, commune.longitude) <= (
                    p.service_radius_km
                ):
                    codes[p.pk].add(commune.insee_code)
    return {partner_id: sorted(found) for partner_id, found in codes.items()}


def _named_communes(partners):
    if not partners:
        return []
    return Partner.service_area.through.objects.filter(
        partner_id__in=[p.pk for p in partners]
    ).values_list("partner_id", "commune__insee_code")
