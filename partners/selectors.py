"""Reads of partners, services and slots, always scoped to what the user may see.

Platform staff see the published partners that have an active agreement with one of their
platforms (admins also see draft ones); partner members see their own partner in any state.
Everything else is invisible (404).
"""

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as account_permissions
from accounts.enums import OrganisationKind
from accounts.models import Organisation
from accounts.scoping import partner_organisation_ids, platform_ids
from accounts.selectors import organisation_list_for
from core.errors import get_or_not_found
from partners import permissions
from partners.enums import PartnerStatus
from partners.models import (
    AvailabilityRule,
    Closure,
    Partner,
    PartnerAgreement,
    Service,
    Slot,
    SlotConflict,
)


def agreement_in_force(today, prefix: str = "") -> Q:
    """An agreement that is active today (`prefix` reaches it from another model, e.g.
    `"partner__agreements__"`)."""
    return Q(**{f"{prefix}active": True, f"{prefix}since__lte": today}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})
    )


def active_agreements(platform_ids_: set[int], *, today=None) -> QuerySet[PartnerAgreement]:
    today = today or timezone.localdate()
    return PartnerAgreement.objects.filter(agreement_in_force(today), platform_id__in=platform_ids_)


def bookable_services(*, platform_id: int, today=None) -> QuerySet[Service]:
    """The services a platform may book: published, by a published partner, under an
    agreement in force with the platform. Not scoped to a user: the caller checks who books.
    """
    in_force = agreement_in_force(today or timezone.localdate(), "partner__agreements__")
    # One filter(): the agreement that is in force is the platform's (one agreement per
    # partner and platform, so the join repeats no service).
    return Service.objects.filter(
        in_force, partner__agreements__platform_id=platform_id, published=True,
        partner__status=PartnerStatus.PUBLISHED,
    )  # fmt: skip


def partner_list_for(*, user) -> QuerySet[Partner]:
    own = partner_organisation_ids(user)
    staff_platforms = platform_ids(user)
    admin_platforms = platform_ids(user, roles=["admin"])
    agreed = active_agreements(staff_platforms).filter(partner=OuterRef("pk"))
    admin_agreed = active_agreements(admin_platforms).filter(partner=OuterRef("pk"))
    visible = Q(organisation_id__in=own)
    if staff_platforms:
        visible |= Q(Exists(agreed), status=PartnerStatus.PUBLISHED)
    if admin_platforms:
        visible |= Q(Exists(admin_agreed)) | Q(organisation__platform_id__in=admin_platforms)
    return (
        Partner.objects.filter(visible)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def partner_get_for(*, user, partner_id: int) -> Partner:
    return get_or_not_found(partner_list_for(user=user), partner_id, "Partenaire introuvable.")


def next_available_subquery(now: datetime):
    return Subquery(
        Slot.objects.filter(
            service_id=OuterRef("pk"), starts_at__gte=now, reserved__lt=F("capacity")
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def service_base_for(*, user) -> QuerySet[Service]:
    """Services the user may see: own partner's in any state; others' only when published
    by a visible, published partner (platform admins also see the drafts of partners they
    manage)."""
    own = partner_organisation_ids(user)
    partners = partner_list_for(user=user)
    visible = Q(partner__in=partners.filter(status=PartnerStatus.PUBLISHED), published=True)
    if own:  # (an empty IN would still join the partner to every service it filters)
        visible |= Q(partner__organisation_id__in=own)
    admin_platforms = platform_ids(user, roles=["admin"])
    if admin_platforms:  # admins also see the drafts of the partners they manage
        visible |= Q(partner__organisation__platform_id__in=admin_platforms) | Q(
            Exists(active_agreements(admin_platforms).filter(partner=OuterRef("partner_id")))
        )
    return Service.objects.filter(visible).select_related("partner__organisation")


def service_list_for(*, user, now: datetime | None = None) -> QuerySet[Service]:
    return (
        service_base_for(user=user)
        .annotate(next_available_at=next_available_subquery(now or timezone.now()))
        .order_by("partner__organisation__name", "name", "pk")
    )


def service_get_for(*, user, service_id: int) -> Service:
    return get_or_not_found(service_list_for(user=user), service_id, "Service introuvable.")


def slot_list(*, service: Service, start: datetime, end: datetime) -> QuerySet[Slot]:
    return Slot.objects.filter(service=service, starts_at__gte=start, starts_at__lt=end).order_by(
        "starts_at"
    )


def conflict_list(*, partner: Partner) -> QuerySet[SlotConflict]:
    return (
        SlotConflict.objects.filter(service__partner=partner)
        .select_related("slot", "service")
        .order_by("slot__starts_at")
    )


def partner_publication_gaps(partner: Partner) -> list[str]:
    """What a partner's profile lacks before it can be shown, in plain French."""
    organisation = partner.organisation
    gaps = []
    if not (organisation.address and organisation.commune and organisation.postcode):
        gaps.append(_("l'adresse complète du partenaire (adresse, code postal, commune)"))
    if organisation.latitude is None or organisation.longitude is None:
        gaps.append(_("la position du partenaire sur la carte (latitude et longitude)"))
    return gaps


def publication_gaps(*, service: Service, today=None) -> list[str]:
    """What is missing before a service can be published, in plain French."""
    today = today or timezone.localdate()
    gaps = []
    if not service.market_price or service.market_price <= 0:
        gaps.append(_("le prix du marché"))
    if service.solidarity_price is None:
        gaps.append(_("le prix solidaire"))
    gaps.extend(partner_publication_gaps(service.partner))
    has_rule = service.rules.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    ).exists()
    if not has_rule:
        gaps.append(_("au moins une règle de disponibilité en cours ou à venir"))
    return gaps


# --- Partner portal -------------------------------------------------------------------------


def portal_partner_list(*, user) -> list[Partner]:
    """Partners whose portal this user may open: their own; those a platform admin manages."""
    is_admin = account_permissions.is_platform_admin(user)
    if not (is_admin or account_permissions.is_partner_member(user)):
        return []
    partners = partner_list_for(user=user)
    if is_admin:
        partners = partners.prefetch_related("agreements")
    return [p for p in partners if permissions.can_view_partner_portal(user, p)]


def service_get(*, service_id: int) -> Service:
    """One service by id, not scoped: the portal then checks access through its partner."""
    return get_or_not_found(Service.objects, service_id, _("Service introuvable."))


def partner_service_list(*, partner: Partner, now: datetime | None = None) -> QuerySet[Service]:
    """A partner's services by name, each with its next free slot."""
    return partner.services.annotate(
        next_available_at=next_available_subquery(now or timezone.now())
    ).order_by("name", "pk")


def rule_list(*, service: Service) -> QuerySet[AvailabilityRule]:
    return service.rules.all()


def rule_get(*, service: Service, rule_id: int) -> AvailabilityRule:
    return get_or_not_found(service.rules, rule_id, _("Règle introuvable."))


def closure_list_upcoming(*, partner: Partner, now: datetime) -> QuerySet[Closure]:
    """Closures not yet over, the next one first."""
    return partner.closures.select_related("service").filter(ends_at__gt=now).order_by("starts_at")


def closure_list_past(*, partner: Partner, now: datetime, limit: int = 20) -> QuerySet[Closure]:
    """The latest finished closures, most recent first."""
    return (
        partner.closures.select_related("service")
        .filter(ends_at__lte=now)
        .order_by("-starts_at")[:limit]
    )


def closure_get(*, partner: Partner, closure_id: int) -> Closure:
    return get_or_not_found(partner.closures, closure_id, _("Fermeture introuvable."))


def agreement_list(*, partner: Partner) -> QuerySet[PartnerAgreement]:
    """A partner's agreements with platforms, whatever their state, by platform name."""
    return (
        PartnerAgreement.objects.filter(partner=partner)
        .select_related("platform")
        .order_by("platform__name", "pk")
    )


def agreement_platforms_for(*, user) -> QuerySet[Organisation]:
    """Platforms on whose behalf the user may sign agreements (where they are an admin)."""
    return organisation_list_for(user=user).filter(
        pk__in=platform_ids(user, roles=["admin"]), kind=OrganisationKind.PLATFORM
    )


def partner_bank_get(*, partner_id: int) -> Partner | None:
    """A partner with what its bank details' readers are checked against (organisation,
    agreements); the caller decides who may see it."""
    return (
        Partner.objects.select_related("organisation")
        .prefetch_related("agreements")
        .filter(pk=partner_id)
        .first()
    )
