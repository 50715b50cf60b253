"""Writes of the agenda's set-up: appointment kinds, places, advisers' rules, closures,
collective sessions and outreach dates. Appointments are in `services_appointments`.

Every change to rules or closures regenerates the advisers' slots after commit."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Membership
from agenda.enums import SESSION_CATEGORIES, KindCategory
from agenda.models import AgendaClosure, AgendaRule, AgendaSlot, AppointmentKind, Place
from agenda.permissions import may_book, may_manage_agenda
from beneficiaries.models import Referral
from bookings.services_waitlist import waitlist_offer_soon
from core.audit import audit_log
from core.errors import NotFoundError, PermissionDeniedError, get_or_not_found
from core.geocoding import geocode
from partners.validation import validate_rule

# Starting values for a platform's kinds (DOMAIN §0: a diagnostic of 1 to 1.5 h, a
# follow-up at least every 6 weeks, sessions of at most 5). They are rows afterwards,
# edited per platform (Django admin); the code reads the rows, never these numbers.
DEFAULT_KINDS = (
    (KindCategory.DIAGNOSTIC, "Diagnostic mobilité", 90, 1, 42),
    (KindCategory.FOLLOW_UP, "Rendez-vous de suivi", 45, 1, 42),
    (KindCategory.COLLECTIVE, "Séance collective", 120, 5, None),
    (KindCategory.OUTREACH, "Permanence « aller vers »", 180, 30, None),
)


def _ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError(_("L'agenda est réservé à l'équipe de la plateforme."))


def kinds_ensure(*, platform_id: int) -> list[AppointmentKind]:
    """The platform's appointment kinds, created with the starting values when missing."""
    kinds = []
    for category, name, minutes, seats, within in DEFAULT_KINDS:
        kind, _created = AppointmentKind.objects.get_or_create(
            platform_id=platform_id, category=category,
            defaults={"name": name, "duration_minutes": minutes, "seats": seats,
                      "follow_up_within_days": within},
        )  # fmt: skip
        kinds.append(kind)
    return kinds


def _platform_adviser(platform_id: int, adviser_id: int):
    membership = (
        Membership.objects.filter(
            organisation_id=platform_id, user_id=adviser_id, active=True,
            role__in=[Role.ADVISER, Role.ADMIN],
        ).select_related("user").first()
    )  # fmt: skip
    if membership is None:
        raise ValidationError({"adviser": _("Choisissez un·e conseiller·ère de la plateforme.")})
    return membership.user


# --- Places -----------------------------------------------------------------------------------


@transaction.atomic
def place_save(*, actor, platform_id: int, place_id: int | None = None, **fields) -> Place:
    """Create or change a place; its coordinates come from its address (the national
    address service when configured), else from the commune's centre."""
    _ensure(may_manage_agenda(actor, platform_id))
    if place_id is None:
        place = Place(platform_id=platform_id)
    else:
        place = get_or_not_found(
            Place.objects.select_for_update().filter(platform_id=platform_id), place_id,
            _("Lieu introuvable."),
        )  # fmt: skip
    for name, value in fields.items():
        setattr(place, name, value)
    commune = place.commune
    point = geocode(address=place.address, commune=commune.name) if place.address else None
    latitude, longitude = point or (commune.latitude, commune.longitude)
    place.latitude, place.longitude = latitude, longitude
    place.full_clean()
    place.save()
    audit_log(actor=actor, action="agenda.place_saved", target=place,
              data={"fields": sorted(fields)})  # fmt: skip
    return place


# --- Rules and closures -----------------------------------------------------------------------


def regenerate_on_commit(adviser_ids) -> None:
    from agenda.tasks import agenda_regenerate_advisers

    ids = sorted(set(adviser_ids))
    transaction.on_commit(lambda: agenda_regenerate_advisers.delay(ids))


def _rule_checked(
    *, platform_id: int, adviser_id: int, kind_id: int, weekdays, start_time, end_time,
    valid_from, valid_until, rule_id: int | None,
):  # fmt: skip
    """(adviser, kind, weekdays) once the rule is checked: a diagnostic or follow-up kind of
    the platform, an adviser of it, hours that hold whole slots, no overlap with another
    rule of the adviser (`rule_id`: the one being changed)."""
    kind = AppointmentKind.objects.filter(pk=kind_id, platform_id=platform_id).first()
    if kind is None or kind.category in SESSION_CATEGORIES:
        raise ValidationError({"kind": _("Choisissez un diagnostic ou un suivi.")})
    adviser = _platform_adviser(platform_id, adviser_id)
    weekdays = sorted(set(weekdays))
    validate_rule(
        service_id=None, weekdays=weekdays, start_time=start_time, end_time=end_time,
        valid_from=valid_from, valid_until=valid_until, slot_minutes=kind.duration_minutes,
    )  # fmt: skip
    overlapping = AgendaRule.objects.filter(
        adviser=adviser, start_time__lt=end_time, end_time__gt=start_time
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_until)
    if rule_id is not None:
        overlapping = overlapping.exclude(pk=rule_id)
    for other in overlapping.select_related("place"):
        if set(other.weekdays) & set(weekdays):
            raise ValidationError(
                _("Ces horaires chevauchent un autre horaire de cette personne (%(place)s, "
                  "%(start)s–%(end)s).")
                % {"place": other.place.name, "start": f"{other.start_time:%H:%M}",
                   "end": f"{other.end_time:%H:%M}"}
            )  # fmt: skip
    return adviser, kind, weekdays


@transaction.atomic
def rule_create(
    *, actor, adviser_id: int, place_id: int, kind_id: int, weekdays, start_time, end_time,
    valid_from, valid_until=None,
) -> AgendaRule:  # fmt: skip
    place = get_or_not_found(Place.objects.all(), place_id, _("Lieu introuvable."))
    _ensure(may_manage_agenda(actor, place.platform_id))
    adviser, kind, weekdays = _rule_checked(
        platform_id=place.platform_id, adviser_id=adviser_id, kind_id=kind_id,
        weekdays=weekdays, start_time=start_time, end_time=end_time, valid_from=valid_from,
        valid_until=valid_until, rule_id=None,
    )  # fmt: skip
    rule = AgendaRule.objects.create(
        adviser=adviser, place=place, kind=kind, weekdays=weekdays, start_time=start_time,
        end_time=end_time, valid_from=valid_from, valid_until=valid_until,
    )  # fmt: skip
    audit_log(actor=actor, action="agenda.rule_created", target=rule)
    regenerate_on_commit([adviser.pk])
    return rule


RULE_FIELDS = ("adviser_id", "place_id", "kind_id", "weekdays", "start_time", "end_time",
               "valid_from", "valid_until")  # fmt: skip


@transaction.atomic
def rule_update(
    *, actor, rule_id: int, adviser_id: int, place_id: int, kind_id: int, weekdays,
    start_time, end_time, valid_from, valid_until=None,
) -> AgendaRule:  # fmt: skip
    """Change an opening rule; both advisers' slots (before and after) are regenerated after
    commit, slots already taken staying. The audit row keeps what changed."""
    rule = get_or_not_found(
        AgendaRule.objects.select_for_update(of=("self",)).select_related("place"), rule_id,
        _("Horaire introuvable."),
    )  # fmt: skip
    platform_id = rule.place.platform_id
    _ensure(may_manage_agenda(actor, platform_id))
    if not Place.objects.filter(pk=place_id, platform_id=platform_id).exists():
        raise ValidationError({"place": _("Choisissez un lieu de la plateforme.")})
    adviser, kind, weekdays = _rule_checked(
        platform_id=platform_id, adviser_id=adviser_id, kind_id=kind_id, weekdays=weekdays,
        start_time=start_time, end_time=end_time, valid_from=valid_from,
        valid_until=valid_until, rule_id=rule.pk,
    )  # fmt: skip
    before = {field: getattr(rule, field) for field in RULE_FIELDS}
    rule.adviser, rule.place_id, rule.kind = adviser, place_id, kind
    rule.weekdays, rule.start_time, rule.end_time = weekdays, start_time, end_time
    rule.valid_from, rule.valid_until = valid_from, valid_until
    rule.save()
    changed = {
        field: [str(before[field]), str(getattr(rule, field))]
        for field in RULE_FIELDS
        if before[field] != getattr(rule, field)
    }
    audit_log(actor=actor, action="agenda.rule_updated", target=rule, data=changed)
    regenerate_on_commit([before["adviser_id"], adviser.pk])
    return rule


@transaction.atomic
def rule_delete(*, actor, rule_id: int) -> None:
    rule = get_or_not_found(
        AgendaRule.objects.select_related("place"), rule_id, _("Horaire introuvable.")
    )
    _ensure(may_manage_agenda(actor, rule.place.platform_id))
    audit_log(actor=actor, action="agenda.rule_deleted", target=rule)
    adviser_id = rule.adviser_id
    rule.delete()
    regenerate_on_commit([adviser_id])


@transaction.atomic
def closure_create(
    *, actor, platform_id: int, starts_at, ends_at, reason: str, adviser_id: int | None = None,
    place_id: int | None = None,
) -> AgendaClosure:  # fmt: skip
    _ensure(may_manage_agenda(actor, platform_id))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})
    if (
        place_id is not None
        and not Place.objects.filter(pk=place_id, platform_id=platform_id).exists()
    ):
        raise ValidationError({"place": _("Choisissez un lieu de la plateforme.")})
    if adviser_id is not None:
        _platform_adviser(platform_id, adviser_id)
    closure = AgendaClosure.objects.create(
        platform_id=platform_id, adviser_id=adviser_id, place_id=place_id, starts_at=starts_at,
        ends_at=ends_at, reason=reason,
    )  # fmt: skip
    audit_log(actor=actor, action="agenda.closure_created", target=closure)
    if adviser_id is not None:
        advisers = [adviser_id]
    else:
        advisers = AgendaRule.objects.filter(place__platform_id=platform_id).values_list(
            "adviser_id", flat=True
        )
    regenerate_on_commit(advisers)
    return closure


# --- Collective sessions and outreach dates ---------------------------------------------------


@transaction.atomic
def session_create(
    *, actor, platform_id: int, kind_id: int, place_id: int, adviser_id: int, starts_at,
    theme: str, seats: int,
) -> AgendaSlot:  # fmt: skip
    """A collective session or an outreach date: its seats never exceed its kind's."""
    _ensure(may_book(actor, platform_id))
    kind = AppointmentKind.objects.filter(pk=kind_id, platform_id=platform_id).first()
    if kind is None or kind.category not in SESSION_CATEGORIES:
        raise ValidationError({"kind": _("Choisissez une séance collective ou une permanence.")})
    place = Place.objects.filter(pk=place_id, platform_id=platform_id).first()
    if place is None:
        raise ValidationError({"place": _("Choisissez un lieu de la plateforme.")})
    adviser = _platform_adviser(platform_id, adviser_id)
    if not 1 <= seats <= kind.seats:
        raise ValidationError(
            {"seats": _("Entre 1 et %(max)s places pour ce type.") % {"max": kind.seats}}
        )
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choisissez une date à venir.")})
    session = AgendaSlot.objects.create(
        platform_id=platform_id, adviser=adviser, place=place, kind=kind, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes), capacity=seats,
        session=True, theme=theme.strip(),
    )  # fmt: skip
    audit_log(actor=actor, action="agenda.session_created", target=session)
    return session


@transaction.atomic
def session_seats_set(*, actor, session_id: int, seats: int) -> AgendaSlot:
    """Change a session's seats: never below the people in it, never above its kind's. New
    seats go to the first in its waiting line, after commit."""
    session = get_or_not_found(
        AgendaSlot.objects.select_for_update(of=("self",)).filter(session=True)
        .select_related("kind"),
        session_id, _("Séance introuvable."),
    )  # fmt: skip
    _ensure(may_book(actor, session.platform_id))
    if session.starts_at <= timezone.now():
        raise ValidationError({"seats": _("Cette séance a déjà commencé.")})
    if not max(session.reserved, 1) <= seats <= session.kind.seats:
        raise ValidationError(
            {"seats": _("Entre %(min)s (les places déjà prises) et %(max)s places.")
             % {"min": max(session.reserved, 1), "max": session.kind.seats}}
        )  # fmt: skip
    before = session.capacity
    session.capacity = seats
    session.save(update_fields=["capacity"])
    audit_log(actor=actor, action="agenda.session_seats_changed", target=session,
              data={"before": before, "after": seats})  # fmt: skip
    if seats > before:
        waitlist_offer_soon(field="session", target_id=session.pk, check=True)
    return session


@transaction.atomic
def outreach_record(*, actor, session_id: int, people_met: int, referral_ids=()) -> AgendaSlot:
    """What an outreach date produced: the people met, and the referrals it led to."""
    session = get_or_not_found(
        AgendaSlot.objects.select_for_update().filter(session=True), session_id,
        _("Séance introuvable."),
    )  # fmt: skip
    _ensure(may_book(actor, session.platform_id))
    if session.kind.category != KindCategory.OUTREACH:
        raise ValidationError(_("Ce bilan est celui d'une permanence « aller vers »."))
    referrals = list(Referral.objects.filter(pk__in=list(referral_ids)))
    if len(referrals) != len(set(referral_ids)) or any(
        r.platform_id != session.platform_id for r in referrals
    ):
        raise NotFoundError(_("Orientation introuvable."))
    session.people_met = people_met
    session.save(update_fields=["people_met"])
    session.referrals.set(referrals)
    audit_log(actor=actor, action="agenda.outreach_recorded", target=session,
              data={"people_met": people_met, "referrals": len(referrals)})  # fmt: skip
    return session


@transaction.atomic
def closure_delete(*, actor, closure_id: int) -> None:
    """Take a closure back (entered by mistake, the absence cancelled): the advisers it
    covered get their free slots again after commit."""
    closure = get_or_not_found(AgendaClosure.objects.all(), closure_id,
                               _("Fermeture introuvable."))  # fmt: skip
    _ensure(may_manage_agenda(actor, closure.platform_id))
    if closure.adviser_id is not None:
        advisers = [closure.adviser_id]
    else:
        advisers = list(
            AgendaRule.objects.filter(place__platform_id=closure.platform_id).values_list(
                "adviser_id", flat=True
            )
        )
    audit_log(actor=actor, action="agenda.closure_deleted", target=closure)
    closure.delete()
    regenerate_on_commit(advisers)
