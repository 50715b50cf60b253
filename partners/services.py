"""Writes on partners and services (availability rules and closures: `partners.availability`).

Every change that can move capacity schedules a slot regeneration after commit.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import (
    ApplicationError,
    ConflictError,
    InvalidTransition,
    NotFoundError,
    get_or_not_found,
)
from core.geocoding import geocode
from core.transitions import ensure_transition, record_transition
from partners import permissions, validation
from partners.enums import PARTNER_TRANSITIONS, PartnerStatus
from partners.models import (
    Partner,
    PartnerAgreement,
    Service,
    service_search_text,
)
from partners.selectors import partner_publication_gaps, publication_gaps

PROFILE_FIELDS = (
    "category", "description", "opening_hours", "wheelchair_accessible", "accessibility_notes",
    "languages", "service_radius_km", "service_area", "timezone",
)  # fmt: skip
ORGANISATION_FIELDS = ("address", "commune", "postcode", "latitude", "longitude")
SERVICE_FIELDS = (
    "name", "description", "unit", "market_price", "solidarity_price", "deposit",
    "eligibility_note", "booking_mode", "auto_confirm", "min_notice_hours", "max_advance_days",
    "cancellation_cutoff_hours", "no_show_owed",
)  # fmt: skip


def regenerate_on_commit(service_ids) -> None:
    from partners.tasks import regenerate_service_slots

    for service_id in sorted(set(service_ids)):
        transaction.on_commit(
            lambda sid=service_id: regenerate_service_slots.delay(sid), robust=True
        )


def get_partner(pk: int, *, lock: bool = False) -> Partner:
    queryset = Partner.objects.select_related("organisation").prefetch_related("agreements")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_not_found(queryset, pk, _("Partenaire introuvable."))


def lock_service(pk: int, *, lock: bool = True) -> Service:
    queryset = Service.objects.select_related("partner__organisation").prefetch_related(
        "partner__agreements"
    )
    if lock:  # NO KEY: bookings of the service (foreign key checks) are not held up
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    return get_or_not_found(queryset, pk, _("Service introuvable."))


def ensure_manager(user, partner: Partner) -> None:
    if not permissions.can_manage_partner(user, partner):
        raise NotFoundError(_("Partenaire introuvable."))


def managed_service(actor, service_id: int) -> Service:
    """The service, locked, for a manager of its partner (not found for anyone else)."""
    service = lock_service(service_id)
    ensure_manager(actor, service.partner)
    return service


def full_clean(instance, exclude=None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def partner_update_profile(*, actor, partner_id: int, **fields) -> Partner:
    """Edit the profile and the address; a new time zone moves every future slot."""
    partner = get_partner(partner_id, lock=True)
    ensure_manager(actor, partner)
    old_timezone = partner.timezone
    organisation = partner.organisation
    changed = {}
    service_area = fields.pop("service_area", None)
    for name, value in fields.items():
        target = partner if name in PROFILE_FIELDS else organisation
        if name not in PROFILE_FIELDS and name not in ORGANISATION_FIELDS:
            raise TypeError(name)
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed[name] = str(value)
    if "timezone" in fields:
        validation.validate_timezone(partner.timezone)
    located = organisation.latitude is not None and organisation.longitude is not None
    address_changed = any(name in changed for name in ("address", "postcode", "commune"))
    coordinates_typed = located and ("latitude" in changed or "longitude" in changed)
    if not located or (address_changed and not coordinates_typed):
        point = geocode(
            address=organisation.address,
            postcode=organisation.postcode,
            commune=organisation.commune,
        )
        if point is not None:
            organisation.latitude, organisation.longitude = point
    full_clean(partner, exclude=["organisation"])
    full_clean(organisation, exclude=["platform"])
    partner.save()
    organisation.save()
    if service_area is not None:
        partner.service_area.set(service_area)
        changed["service_area"] = [c.insee_code for c in service_area]
    audit_log(actor=actor, action="partner.updated", target=partner, data=changed)
    if partner.timezone != old_timezone:
        regenerate_on_commit(partner.services.values_list("pk", flat=True))
    return partner


def _move(partner: Partner, *, actor, to: str) -> Partner:
    """One step of PARTNER_TRANSITIONS, with its audit row (core.transitions)."""
    current = ensure_transition(PARTNER_TRANSITIONS, partner, to, subject=_("le partenaire"))
    partner.status = to
    partner.save(update_fields=["status", "updated_at"])
    record_transition(partner, actor=actor, name="partner", from_status=current, to=to)
    return partner


@transaction.atomic
def partner_publish(*, actor, partner_id: int) -> Partner:
    """A draft partner goes public once its address can be shown and placed on a map."""
    partner = get_partner(partner_id, lock=True)
    if not permissions.can_manage_partner(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    if partner.status == PartnerStatus.SUSPENDED:  # lifting a suspension is partner_reinstate
        raise InvalidTransition(_("Seule la plateforme peut lever la suspension du partenaire."))
    gaps = partner_publication_gaps(partner)
    if gaps and partner.status == PartnerStatus.DRAFT:
        raise ApplicationError(
            _("Pour publier le profil, il manque : %(gaps)s.") % {"gaps": ", ".join(gaps)},
            code=ErrorCode.PUBLICATION_INCOMPLETE,
        )
    return _move(partner, actor=actor, to=PartnerStatus.PUBLISHED)


@transaction.atomic
def partner_suspend(*, actor, partner_id: int) -> Partner:
    """The platform's decision, not the partner's own."""
    partner = get_partner(partner_id, lock=True)
    if not permissions.can_suspend_partner(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    return _move(partner, actor=actor, to=PartnerStatus.SUSPENDED)


@transaction.atomic
def partner_reinstate(*, actor, partner_id: int) -> Partner:
    """The platform lifts its suspension."""
    partner = get_partner(partner_id, lock=True)
    if not permissions.can_suspend_partner(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    if partner.status != PartnerStatus.SUSPENDED:
        raise InvalidTransition(_("Ce partenaire n'est pas suspendu."))
    return _move(partner, actor=actor, to=PartnerStatus.PUBLISHED)


@transaction.atomic
def agreement_set(
    *, actor, partner: Partner, platform: Organisation, since: date, until: date | None = None,
    active: bool = True,
) -> PartnerAgreement:  # fmt: skip
    """Create or change the agreement between a partner and a platform (platform admins)."""
    from accounts.permissions import is_platform_admin

    if not is_platform_admin(actor, platform):
        raise NotFoundError(_("Plateforme introuvable."))
    if until is not None and until < since:
        raise ValidationError({"until": _("La fin de la convention doit suivre son début.")})
    agreement, _created = PartnerAgreement.objects.update_or_create(
        partner=partner, platform=platform,
        defaults={"since": since, "until": until, "active": active},
    )  # fmt: skip
    audit_log(
        actor=actor,
        action="partner.agreement_set",
        target=agreement,
        data={"since": str(since), "until": str(until), "active": active},
    )
    return agreement


def services_search_text_refresh(*, organisation_id: int) -> int:
    """Rewrite the search text of the partner's services after the organisation was renamed
    (the partner's name is part of it). Returns how many services were rewritten."""
    services = list(
        Service.objects.filter(partner__organisation_id=organisation_id).select_related(
            "partner__organisation"
        )
    )
    for service in services:
        service.search_text = service_search_text(
            service.name, service.description, service.partner.organisation.name
        )
    Service.objects.bulk_update(services, ["search_text"], batch_size=500)
    return len(services)


@transaction.atomic
def service_create(*, actor, partner_id: int, **fields) -> Service:
    partner = get_partner(partner_id)
    ensure_manager(actor, partner)
    service = Service(partner=partner, category=partner.category)
    for name, value in fields.items():
        if name not in SERVICE_FIELDS:
            raise TypeError(name)
        setattr(service, name, value)
    validation.validate_prices(
        market_price=service.market_price,
        solidarity_price=service.solidarity_price,
        deposit=service.deposit,
    )
    full_clean(service, exclude=["partner"])
    service.save()
    audit_log(actor=actor, action="service.created", target=service)
    return service


@transaction.atomic
def service_update(*, actor, service_id: int, **fields) -> Service:
    service = managed_service(actor, service_id)
    old_mode = service.booking_mode
    changed = {}
    for name, value in fields.items():
        if name not in SERVICE_FIELDS:
            raise TypeError(name)
        if getattr(service, name) != value:
            setattr(service, name, value)
            changed[name] = str(value)
    validation.validate_prices(
        market_price=service.market_price,
        solidarity_price=service.solidarity_price,
        deposit=service.deposit,
    )
    full_clean(service, exclude=["partner"])
    service.save()
    audit_log(actor=actor, action="service.updated", target=service, data=changed)
    if service.booking_mode != old_mode:
        regenerate_on_commit([service.pk])
    return service


@transaction.atomic
def service_publish(*, actor, service_id: int) -> Service:
    """Publish when complete; otherwise say exactly what is missing."""
    service = managed_service(actor, service_id)
    gaps = publication_gaps(service=service)
    if gaps:
        raise ApplicationError(
            _("Pour publier ce service, il manque : %(gaps)s.") % {"gaps": ", ".join(gaps)},
            code=ErrorCode.PUBLICATION_INCOMPLETE,
        )
    if not service.published:
        service.published = True
        service.save(update_fields=["published", "updated_at"])
        audit_log(actor=actor, action="service.published", target=service)
    regenerate_on_commit([service.pk])
    return service


@transaction.atomic
def service_unpublish(*, actor, service_id: int) -> Service:
    service = managed_service(actor, service_id)
    if service.published:
        service.published = False
        service.save(update_fields=["published", "updated_at"])
        audit_log(actor=actor, action="service.unpublished", target=service)
    return service


@transaction.atomic
def service_delete(*, actor, service_id: int) -> None:
    """Only a service nobody has booked can be deleted; otherwise unpublish it."""
    from partners.models import Slot

    service = managed_service(actor, service_id)
    refused = ConflictError(
        _("Ce service a des réservations : dépubliez-le plutôt que de le supprimer."),
        code=ErrorCode.SERVICE_HAS_BOOKINGS,
    )
    # Its bookings, even ended ones, are history (statements, payments) and keep it.
    if Slot.objects.filter(service=service, reserved__gt=0).exists() or service.bookings.exists():
        raise refused
    name = service.name
    try:
        with transaction.atomic():
            audit_log(actor=actor, action="service.deleted", target=service, data={"name": name})
            service.delete()
    except ProtectedError as exc:  # anything else that still points at it
        raise refused from exc
