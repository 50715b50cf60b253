"""Writes on partners, services, availability rules and closures.

Every change that can move capacity schedules a slot regeneration after commit.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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
from partners import permissions, validation
from partners.enums import BookingMode, PartnerStatus
from partners.models import (
    AvailabilityRule,
    Closure,
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
    "cancellation_cutoff_hours",
)  # fmt: skip
RULE_FIELDS = (
    "weekdays", "start_time", "end_time", "slot_minutes", "capacity", "valid_from", "valid_until",
)  # fmt: skip


def _regenerate_on_commit(service_ids) -> None:
    from partners.tasks import regenerate_service_slots

    for service_id in sorted(set(service_ids)):
        transaction.on_commit(
            lambda sid=service_id: regenerate_service_slots.delay(sid), robust=True
        )


def _partner(pk: int, *, lock: bool = False) -> Partner:
    queryset = Partner.objects.select_related("organisation").prefetch_related("agreements")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_not_found(queryset, pk, _("Partenaire introuvable."))


def _service(pk: int, *, lock: bool = True) -> Service:
    queryset = Service.objects.select_related("partner__organisation").prefetch_related(
        "partner__agreements"
    )
    if lock:  # NO KEY: bookings of the service (foreign key checks) are not held up
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    return get_or_not_found(queryset, pk, _("Service introuvable."))


def _ensure_manager(user, partner: Partner) -> None:
    if not permissions.can_manage_partner(user, partner):
        raise NotFoundError(_("Partenaire introuvable."))


def _managed_service(actor, service_id: int) -> Service:
    """The service, locked, for a manager of its partner (not found for anyone else)."""
    service = _service(service_id)
    _ensure_manager(actor, service.partner)
    return service


def _full_clean(instance, exclude=None) -> None:
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def partner_update_profile(*, actor, partner_id: int, **fields) -> Partner:
    """Edit the profile and the address; a new time zone moves every future slot."""
    partner = _partner(partner_id, lock=True)
    _ensure_manager(actor, partner)
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
    _full_clean(partner, exclude=["organisation"])
    _full_clean(organisation, exclude=["platform"])
    partner.save()
    organisation.save()
    if service_area is not None:
        partner.service_area.set(service_area)
        changed["service_area"] = [c.insee_code for c in service_area]
    audit_log(actor=actor, action="partner.updated", target=partner, data=changed)
    if partner.timezone != old_timezone:
        _regenerate_on_commit(partner.services.values_list("pk", flat=True))
    return partner


def _set_status(*, actor, partner_id: int, to: str, allowed_from: set[str], check) -> Partner:
    partner = _partner(partner_id, lock=True)
    if not check(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    if partner.status not in allowed_from:
        raise InvalidTransition(
            _("Le partenaire est « %(status)s » : impossible de le passer à « %(to)s ».")
            % {"status": partner.get_status_display(), "to": PartnerStatus(to).label}
        )
    audit_log(
        actor=actor,
        action="partner.status_changed",
        target=partner,
        data={"from": partner.status, "to": to},
    )
    partner.status = to
    partner.save(update_fields=["status", "updated_at"])
    return partner


@transaction.atomic
def partner_publish(*, actor, partner_id: int) -> Partner:
    """A draft partner goes public once its address can be shown and placed on a map."""
    partner = _partner(partner_id)
    if not permissions.can_manage_partner(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    gaps = partner_publication_gaps(partner)
    if gaps:
        raise ApplicationError(
            _("Pour publier le profil, il manque : %(gaps)s.") % {"gaps": ", ".join(gaps)},
            code=ErrorCode.PUBLICATION_INCOMPLETE,
        )
    return _set_status(
        actor=actor,
        partner_id=partner_id,
        to=PartnerStatus.PUBLISHED,
        allowed_from={PartnerStatus.DRAFT},
        check=permissions.can_manage_partner,
    )


@transaction.atomic
def partner_suspend(*, actor, partner_id: int) -> Partner:
    return _set_status(
        actor=actor,
        partner_id=partner_id,
        to=PartnerStatus.SUSPENDED,
        allowed_from={PartnerStatus.PUBLISHED, PartnerStatus.DRAFT},
        check=permissions.can_suspend_partner,
    )


@transaction.atomic
def partner_reinstate(*, actor, partner_id: int) -> Partner:
    return _set_status(
        actor=actor,
        partner_id=partner_id,
        to=PartnerStatus.PUBLISHED,
        allowed_from={PartnerStatus.SUSPENDED},
        check=permissions.can_suspend_partner,
    )


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
    partner = _partner(partner_id)
    _ensure_manager(actor, partner)
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
    _full_clean(service, exclude=["partner"])
    service.save()
    audit_log(actor=actor, action="service.created", target=service)
    return service


@transaction.atomic
def service_update(*, actor, service_id: int, **fields) -> Service:
    service = _managed_service(actor, service_id)
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
    _full_clean(service, exclude=["partner"])
    service.save()
    audit_log(actor=actor, action="service.updated", target=service, data=changed)
    if service.booking_mode != old_mode:
        _regenerate_on_commit([service.pk])
    return service


@transaction.atomic
def service_publish(*, actor, service_id: int) -> Service:
    """Publish when complete; otherwise say exactly what is missing."""
    service = _managed_service(actor, service_id)
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
    _regenerate_on_commit([service.pk])
    return service


@transaction.atomic
def service_unpublish(*, actor, service_id: int) -> Service:
    service = _managed_service(actor, service_id)
    if service.published:
        service.published = False
        service.save(update_fields=["published", "updated_at"])
        audit_log(actor=actor, action="service.unpublished", target=service)
    return service


@transaction.atomic
def service_delete(*, actor, service_id: int) -> None:
    """Only a service nobody has booked can be deleted; otherwise unpublish it."""
    from partners.models import Slot

    service = _managed_service(actor, service_id)
    if Slot.objects.filter(service=service, reserved__gt=0).exists():
        raise ConflictError(
            _("Ce service a des réservations : dépubliez-le plutôt que de le supprimer."),
            code=ErrorCode.SERVICE_HAS_BOOKINGS,
        )
    audit_log(actor=actor, action="service.deleted", target=service, data={"name": service.name})
    service.delete()


@transaction.atomic
def rule_create(*, actor, service_id: int, **fields) -> AvailabilityRule:
    service = _managed_service(actor, service_id)
    rule = AvailabilityRule(service=service)
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise TypeError(name)
        setattr(rule, name, value)
    if rule.valid_from is None:
        rule.valid_from = timezone.now().astimezone(ZoneInfo(service.partner.timezone)).date()
    rule.weekdays = sorted(set(rule.weekdays or []))
    validation.validate_rule(
        service_id=service.pk, weekdays=rule.weekdays, start_time=rule.start_time,
        end_time=rule.end_time, valid_from=rule.valid_from, valid_until=rule.valid_until,
        slot_minutes=rule.slot_minutes, period=service.booking_mode == BookingMode.PERIOD,
    )  # fmt: skip
    _full_clean(rule, exclude=["service"])
    rule.save()
    audit_log(actor=actor, action="rule.created", target=rule, data={"service": service.pk})
    _regenerate_on_commit([service.pk])
    return rule


@transaction.atomic
def rule_delete(*, actor, rule_id: int) -> None:
    rule = get_or_not_found(AvailabilityRule.objects, rule_id, _("Règle introuvable."))
    service = _managed_service(actor, rule.service_id)
    audit_log(actor=actor, action="rule.deleted", target=rule, data={"service": service.pk})
    rule.delete()
    _regenerate_on_commit([service.pk])


@transaction.atomic
def closure_create(
    *, actor, partner_id: int, starts_at, ends_at, reason: str, service_id: int | None = None,
    capacity: int | None = None, note: str = "",
) -> Closure:  # fmt: skip
    partner = _partner(partner_id)
    _ensure_manager(actor, partner)
    if service_id is not None and not partner.services.filter(pk=service_id).exists():
        raise NotFoundError(_("Service introuvable."))
    validation.validate_closure(starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    closure = Closure(
        partner=partner, service_id=service_id, starts_at=starts_at, ends_at=ends_at,
        reason=reason, capacity=capacity, note=note,
    )  # fmt: skip
    _full_clean(closure, exclude=["partner", "service"])
    closure.save()
    audit_log(actor=actor, action="closure.created", target=closure)
    _regenerate_on_commit(_affected_services(closure))
    return closure


def _affected_services(closure: Closure) -> list[int]:
    if closure.service_id is not None:
        return [closure.service_id]
    return list(closure.partner.services.values_list("pk", flat=True))


@transaction.atomic
def closure_delete(*, actor, closure_id: int) -> None:
    closure = get_or_not_found(
        Closure.objects.select_related("partner__organisation").prefetch_related(
            "partner__agreements"
        ),
        closure_id,
        _("Fermeture introuvable."),
    )
    _ensure_manager(actor, closure.partner)
    affected = _affected_services(closure)
    audit_log(actor=actor, action="closure.deleted", target=closure)
    closure.delete()
    _regenerate_on_commit(affected)
