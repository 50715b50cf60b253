"""Writes on a service's availability: its rules and the partner's closures. Each change
schedules a regeneration of the slots it moves, after commit."""

from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.errors import NotFoundError, get_or_not_found
from partners import validation
from partners.enums import BookingMode
from partners.models import AvailabilityRule, Closure
from partners.services import (
    ensure_manager,
    full_clean,
    get_partner,
    managed_service,
    regenerate_on_commit,
)

RULE_FIELDS = (
    "weekdays", "start_time", "end_time", "slot_minutes", "capacity", "valid_from", "valid_until",
)  # fmt: skip


@transaction.atomic
def rule_create(*, actor, service_id: int, **fields) -> AvailabilityRule:
    service = managed_service(actor, service_id)
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
    full_clean(rule, exclude=["service"])
    rule.save()
    audit_log(actor=actor, action="rule.created", target=rule, data={"service": service.pk})
    regenerate_on_commit([service.pk])
    return rule


@transaction.atomic
def rule_delete(*, actor, rule_id: int) -> None:
    rule = get_or_not_found(AvailabilityRule.objects, rule_id, _("Règle introuvable."))
    service = managed_service(actor, rule.service_id)
    audit_log(actor=actor, action="rule.deleted", target=rule, data={"service": service.pk})
    rule.delete()
    regenerate_on_commit([service.pk])


@transaction.atomic
def closure_create(
    *, actor, partner_id: int, starts_at, ends_at, reason: str, service_id: int | None = None,
    capacity: int | None = None, note: str = "",
) -> Closure:  # fmt: skip
    partner = get_partner(partner_id)
    ensure_manager(actor, partner)
    if service_id is not None and not partner.services.filter(pk=service_id).exists():
        raise NotFoundError(_("Service introuvable."))
    validation.validate_closure(starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    closure = Closure(
        partner=partner, service_id=service_id, starts_at=starts_at, ends_at=ends_at,
        reason=reason, capacity=capacity, note=note,
    )  # fmt: skip
    full_clean(closure, exclude=["partner", "service"])
    closure.save()
    audit_log(actor=actor, action="closure.created", target=closure)
    regenerate_on_commit(_affected_services(closure))
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
    ensure_manager(actor, closure.partner)
    affected = _affected_services(closure)
    audit_log(actor=actor, action="closure.deleted", target=closure)
    closure.delete()
    regenerate_on_commit(affected)
