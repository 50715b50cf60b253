"""The open-data feed's pages: rows read by `selectors_opendata`, what they need loaded in
one query per kind (never one per row), each row mapped to its data·inclusion object."""

from django.utils import timezone, translation

from exchange import datainclusion, datainclusion_services
from exchange.selectors_opendata import (
    PlatformOffer,
    insee_codes,
    platforms_by_partner,
    published_rules_by_partner,
    rules_by_service,
    service_areas,
    service_feed,
    structure_queryset,
)


def structures(organisations) -> tuple[list[dict], object]:
    """(data·inclusion structures, the latest change among them)."""
    organisations = list(organisations)
    today = timezone.localdate()
    with translation.override("fr"):
        insee = insee_codes(organisations)
        rules = published_rules_by_partner([o.pk for o in organisations if o.kind == "partner"])
        items = [
            datainclusion.structure(o, insee=insee, rules=rules.get(o.pk, []), today=today)
            for o in organisations
        ]
    changed = max((o.updated_at for o in organisations), default=None)
    return items, changed


def services(rows) -> tuple[list[dict], object]:
    """(data·inclusion services, the latest change among them) for a page of the feed: the
    platforms' offers and partners' services, in the feed's order."""
    rows = list(rows)
    today = timezone.localdate()
    offers = [row for row in rows if isinstance(row, PlatformOffer)]
    partner_services = [row for row in rows if not isinstance(row, PlatformOffer)]
    partners = {s.partner_id: s.partner for s in partner_services}
    with translation.override("fr"):
        insee = insee_codes(
            [o.platform for o in offers] + [p.organisation for p in partners.values()]
        )
        rules = rules_by_service([s.pk for s in partner_services]) if partner_services else {}
        platforms = platforms_by_partner(list(partners), today=today) if partners else {}
        areas = service_areas(partners.values()) if partners else {}
        items = []
        for row in rows:
            if isinstance(row, PlatformOffer):
                items.append(datainclusion_services.platform_offer(row, insee=insee, today=today))
            else:
                items.append(
                    datainclusion_services.partner_service(
                        row,
                        platforms=platforms.get(row.partner_id, []),
                        area=areas.get(row.partner_id, []),
                        rules=rules.get(row.pk, []),
                        insee=insee,
                        today=today,
                    )  # fmt: skip
                )
    changed = max(
        [s.updated_at for s in partner_services]
        + [o.platform.updated_at for o in offers]
        + [o.programme.updated_at for o in offers if o.programme],
        default=None,
    )
    return items, changed


def all_structures() -> list[dict]:
    """Every structure (the export command), read in pages of 500."""
    queryset = structure_queryset()
    found = []
    for start in range(0, queryset.count(), 500):
        found += structures(queryset[start : start + 500])[0]
    return found


def all_services() -> list[dict]:
    feed = service_feed()
    found = []
    for start in range(0, feed.count(), 500):
        found += services(feed[start : start + 500])[0]
    return found
