"""Reads of the prescribers' network (issue 16): each prescriber's referrals month by month,
and those gone quiet (no referral for `QUIET_DAYS`: the seeds warn that prescribers' staff
turn over, and a silent partner is one to call)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from accounts.need_to_know import DataKind, Mode, may
from beneficiaries.enums import ReferralSource
from beneficiaries.models import Referral
from core.errors import NotFoundError

QUIET_DAYS = 90  # three months
MONTHS = 12


@dataclass(frozen=True)
class NetworkRow:
    organisation: Organisation | None  # None: the people who came by themselves
    kind_label: str
    counts: list[int]  # one per month, oldest first
    total: int
    last_referral_at: datetime | None
    quiet: bool

    @property
    def peak(self) -> int:
        return max(self.counts) if self.counts else 0


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for _n in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def network_for(
    *, platform_id: int, today: date | None = None
) -> tuple[list[date], list[NetworkRow]]:
    """The months shown and one row per active prescriber of the platform (the quiet ones
    first, then by name), plus a last row for self-referrals. Three queries whatever the
    size of the network."""
    today = today or timezone.localdate()
    months = month_starts(today)
    since = datetime.combine(months[0], datetime.min.time(), tzinfo=timezone.get_current_timezone())
    organisations = list(
        Organisation.objects.filter(
            kind=OrganisationKind.PRESCRIBER, platform_id=platform_id, is_active=True
        )
        .select_related("prescriber_profile")
        .order_by("name", "pk")
    )
    per_month: dict[tuple, int] = {}
    for row in (
        Referral.objects.filter(platform_id=platform_id, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("prescriber_organisation_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        per_month[(row["prescriber_organisation_id"], month)] = row["n"]
    last = dict(
        Referral.objects.filter(platform_id=platform_id)
        .values("prescriber_organisation_id")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("prescriber_organisation_id", "last")
    )
    quiet_before = timezone.now() - timedelta(days=QUIET_DAYS)

    def row(organisation_id, organisation, label: str) -> NetworkRow:
        counts = [per_month.get((organisation_id, m), 0) for m in months]
        last_at = last.get(organisation_id)
        return NetworkRow(
            organisation=organisation, kind_label=label, counts=counts, total=sum(counts),
            last_referral_at=last_at,
            quiet=organisation is not None and (last_at is None or last_at < quiet_before),
        )  # fmt: skip

    rows = []
    for organisation in organisations:
        profile = getattr(organisation, "prescriber_profile", None)
        label = profile.get_kind_display() if profile else ""
        rows.append(row(organisation.pk, organisation, label))
    rows.sort(key=lambda r: (not r.quiet, r.organisation.name.lower()))
    rows.append(row(None, None, str(ReferralSource.SELF.label)))
    return months, rows


def managed_organisation_for(*, user, organisation_id: int) -> Organisation:
    """An organisation a platform admin manages from these pages: their platform, or a
    prescriber attached to it (partners keep their own profile pages). Else 404."""
    organisation = (
        Organisation.objects.filter(pk=organisation_id).select_related("prescriber_profile").first()
    )
    if organisation is None or organisation.kind not in (
        OrganisationKind.PLATFORM, OrganisationKind.PRESCRIBER,
    ):  # fmt: skip
        raise NotFoundError("Organisation introuvable.")
    platform_id = (
        organisation.pk
        if organisation.kind == OrganisationKind.PLATFORM
        else organisation.platform_id
    )
    if platform_id is None or not may(user, DataKind.RULES, Mode.WRITE, organisation=platform_id):
        raise NotFoundError("Organisation introuvable.")
    return organisation
