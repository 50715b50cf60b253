"""Reads of the beneficiary journey, scoped to what each user may see.

Platform staff see their platform's people; a prescriber sees the referrals of their
organisation and, only where the person agreed, the follow-up; partners see none of this.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.enums import OrganisationKind, Role
from accounts.models import Membership
from accounts.need_to_know import DataKind, Mode, organisations_where, platforms_where
from beneficiaries.duplicates import duplicate_key, search_words
from beneficiaries.enums import BeneficiaryStatus, ConsentPurpose, ReferralStatus
from beneficiaries.models import Beneficiary, Consent, Referral
from core.errors import NotFoundError, get_or_not_found

ACTIVE_STATUSES = [
    BeneficiaryStatus.REFERRED,
    BeneficiaryStatus.DIAGNOSIS,
    BeneficiaryStatus.REINFORCED,
    BeneficiaryStatus.LIGHT_ADVICE,
]


def beneficiary_list_for(
    *, user, kind: DataKind = DataKind.IDENTITY, mode: Mode = Mode.READ
) -> QuerySet[Beneficiary]:
    """People followed by the platforms where the user may read (write) `kind` of their
    record (platform staff only, as the need-to-know table says), identity kept."""
    return Beneficiary.objects.filter(
        platform_id__in=platforms_where(user, kind, mode), anonymised_at__isnull=True
    ).select_related("adviser")


def beneficiary_list_filtered(
    *, user, q: str = "", status: str = "", mine: bool = False
) -> QuerySet[Beneficiary]:
    """The people the user may see, narrowed by the filters that the API
    (`GET /api/v1/beneficiaries/`) and the people page offer alike, by name: every word of
    `q` matches the first or last name (accents, case and hyphens aside); `mine`, the
    people the user follows."""
    people = beneficiary_list_for(user=user)
    for word in q.split():
        key = duplicate_key(word, "x", None).split("|")[0]
        people = people.filter(
            Q(search_key__contains=key) | Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
        )  # fmt: skip
    if status:  # the step of support is part of the situation (need-to-know)
        people = people.filter(
            status=status, platform_id__in=platforms_where(user, DataKind.SITUATION)
        )
    if mine:
        people = people.filter(adviser=user)
    return people.order_by("last_name", "first_name", "pk")


SEARCH_LIMIT = 20


def beneficiary_search(*, user, q: str, limit: int = SEARCH_LIMIT) -> list[Beneficiary]:
    """The people of the user's platforms (need-to-know: identity) whose names, commune or
    birth year hold every word of `q`, accents and case aside, files still open; at most
    `limit`, by name. One query whatever the number of people."""
    words = search_words(q)[:6]
    if not words:
        return []
    people = beneficiary_list_for(user=user).exclude(status=BeneficiaryStatus.CLOSED)
    for word in words:
        people = people.filter(search_text__contains=word)
    return list(people.order_by("last_name", "first_name", "pk")[:limit])


def search_label(person: Beneficiary) -> str:
    """« MARTIN Léa (1990) — Montluçon »: enough to tell two namesakes apart."""
    label = f"{person.last_name.upper()} {person.first_name}"
    if person.birth_date:
        label += f" ({person.birth_date.year})"
    return f"{label} — {person.commune}" if person.commune else label


def beneficiary_get_for(
    *, user, beneficiary_id: int, kind: DataKind = DataKind.IDENTITY, mode: Mode = Mode.READ
) -> Beneficiary:
    beneficiary = (
        beneficiary_list_for(user=user, kind=kind, mode=mode).filter(pk=beneficiary_id).first()
    )
    if beneficiary is None:
        raise NotFoundError("Personne introuvable.")
    return beneficiary


def _in_order(referrals: QuerySet[Referral], status: str | None) -> QuerySet[Referral]:
    """Waiting (or all of them): the oldest first, as a queue; answered: the latest answer
    first. For the API and the pages alike."""
    if status:
        referrals = referrals.filter(status=status)
        if status != ReferralStatus.SUBMITTED:
            return referrals.order_by("-answered_at", "-created_at", "-pk")
    return referrals.order_by("created_at", "pk")


def referral_inbox_for(*, user, status: str | None = ReferralStatus.SUBMITTED):
    """The referrals sent to the user's platforms, in one status (None: all of them)."""
    referrals = Referral.objects.filter(
        platform_id__in=platforms_where(user, DataKind.REFERRAL)
    ).select_related("prescriber_organisation", "prescriber", "beneficiary")
    return _in_order(referrals, status)


def referral_get_for_staff(*, user, referral_id: int) -> Referral:
    return get_or_not_found(
        referral_inbox_for(user=user, status=None), referral_id, "Orientation introuvable."
    )


def referral_list_for_prescriber(*, user, status: str | None = None) -> QuerySet[Referral]:
    """The referrals of the prescriber's organisations, the latest sent first; in one
    status, or all of them (None)."""
    referrals = Referral.objects.filter(
        prescriber_organisation_id__in=organisations_where(
            user, DataKind.REFERRAL, org_kind=OrganisationKind.PRESCRIBER
        )
    ).select_related("beneficiary", "prescriber_organisation")
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-created_at", "-pk")


def referral_get_for_prescriber(*, user, referral_id: int) -> Referral:
    return get_or_not_found(
        referral_list_for_prescriber(user=user), referral_id, "Orientation introuvable."
    )


def active_consents(beneficiary, purpose: str) -> QuerySet[Consent]:
    return beneficiary.consents.filter(purpose=purpose, withdrawn_at__isnull=True)


def sharing_prescribers(beneficiary) -> set[int]:
    """Prescriber organisations the person agreed to share their follow-up with."""
    return set(
        active_consents(beneficiary, ConsentPurpose.SHARE_WITH_PRESCRIBER).values_list(
            "prescriber_organisation_id", flat=True
        )
    )


def prescriber_may_follow(user, beneficiary) -> bool:
    """With the person's consent, for the prescriber organisations they agreed to."""
    if beneficiary is None or beneficiary.anonymised_at is not None:
        return False
    allowed = organisations_where(user, DataKind.SHARED_FOLLOW_UP)
    return bool(allowed and sharing_prescribers(beneficiary) & allowed)


@dataclass(frozen=True)
class PrescriberFollowUp:
    """What a prescriber may know, with consent: steps and dates, never notes or income."""

    status: str
    status_label: str
    diagnosis_on: date | None
    decision: str
    shared_summary: str
    follow_up_dates: list
    outcome: str
    exited_on: date | None


def prescriber_follow_up(*, user, referral: Referral) -> PrescriberFollowUp | None:
    beneficiary = referral.beneficiary
    if not prescriber_may_follow(user, beneficiary):
        return None
    diagnosis = beneficiary.diagnoses.first()
    outcome = getattr(beneficiary, "outcome", None)
    shared = diagnosis if diagnosis and diagnosis.shared_with_prescriber_at else None
    return PrescriberFollowUp(
        status=beneficiary.status,
        status_label=beneficiary.get_status_display(),
        diagnosis_on=diagnosis.held_on if diagnosis else None,
        decision=diagnosis.get_decision_display() if diagnosis else "",
        shared_summary=shared.summary if shared else "",
        follow_up_dates=list(beneficiary.follow_ups.values_list("held_on", flat=True)[:20]),
        outcome=outcome.get_code_display() if outcome else "",
        exited_on=outcome.exited_on if outcome else None,
    )


@dataclass(frozen=True)
class CaseloadRow:
    adviser_id: int
    name: str
    active: int
    reinforced: int
    norm: int

    @property
    def load_percent(self) -> int:
        return round(100 * self.active / self.norm) if self.norm else 0


def caseload_for(*, platform_id: int) -> list[CaseloadRow]:
    """Each adviser's active file against the norm (100 per full-time referent)."""
    advisers = Membership.objects.filter(
        organisation_id=platform_id, role=Role.ADVISER, active=True, user__is_active=True
    ).values_list("user_id", "user__first_name", "user__last_name")
    counts = {
        row["adviser_id"]: row
        for row in Beneficiary.objects.filter(
            platform_id=platform_id, status__in=ACTIVE_STATUSES, anonymised_at__isnull=True
        )
        .values("adviser_id")
        .annotate(
            active=Count("pk"),
            reinforced=Count("pk", filter=Q(status=BeneficiaryStatus.REINFORCED)),
        )
    }
    return [
        CaseloadRow(
            adviser_id=user_id,
            name=f"{first} {last}".strip(),
            active=counts.get(user_id, {}).get("active", 0),
            reinforced=counts.get(user_id, {}).get("reinforced", 0),
            norm=settings.CASELOAD_NORM,
        )
        for user_id, first, last in advisers
    ]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    detail: str


def _aware(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())


def timeline(beneficiary: Beneficiary) -> list[TimelineEntry]:
    """Everything that happened, newest first."""
    from django.utils.translation import gettext as _

    entries = []
    for r in beneficiary.referrals.select_related("prescriber_organisation"):
        entries.append(TimelineEntry(r.created_at, "referral", _("Orientation reçue"),
                                     r.prescriber_organisation.name))  # fmt: skip
    for check in beneficiary.eligibility_checks.all():
        entries.append(TimelineEntry(
            check.created_at, "eligibility",
            _("Éligible") if check.eligible else _("Non éligible"),
            " · ".join(r["detail"] for r in check.results),
        ))  # fmt: skip
    for d in beneficiary.diagnoses.prefetch_related("barriers"):
        barriers = ", ".join(b.code for b in d.barriers.all())
        entries.append(TimelineEntry(_aware(d.held_on), "diagnosis", _("Diagnostic mobilité"),
                                     f"{d.get_decision_display()} — {barriers}"))  # fmt: skip
    for item in beneficiary.action_items.all():
        entries.append(TimelineEntry(item.created_at, "action", _("Action prévue"), item.action))
        if item.done_at:
            entries.append(TimelineEntry(item.done_at, "action_done", _("Action faite"),
                                         item.action))  # fmt: skip
    for f in beneficiary.follow_ups.all():
        entries.append(TimelineEntry(_aware(f.held_on), "follow_up", _("Rendez-vous de suivi"),
                                     f.get_channel_display()))  # fmt: skip
    for c in beneficiary.consents.all():
        entries.append(TimelineEntry(c.given_at, "consent", _("Accord donné"),
                                     c.get_purpose_display()))  # fmt: skip
        if c.withdrawn_at:
            entries.append(TimelineEntry(c.withdrawn_at, "consent", _("Accord retiré"),
                                         c.get_purpose_display()))  # fmt: skip
    outcome = getattr(beneficiary, "outcome", None)
    if outcome is not None:
        entries.append(TimelineEntry(_aware(outcome.exited_on), "outcome", _("Sortie"),
                                     outcome.get_code_display()))  # fmt: skip
    return sorted(entries, key=lambda e: e.at, reverse=True)
