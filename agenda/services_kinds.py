"""The platform's appointment kinds (diagnostic 90 min, follow-up 45 min, collective session
of at most 5 seats, outreach date), set by its admins from the pages with the audit log,
like the platform's other rules (`beneficiaries.services_network`).

A change of length or seats regenerates, after commit, the slots of the advisers whose
rules give that kind; slots already taken stay as they are (the generator never deletes a
slot that holds someone), and sessions already set keep their seats."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, may
from agenda.enums import RULE_CATEGORIES, KindCategory
from agenda.models import AgendaRule, AppointmentKind
from agenda.services import regenerate_on_commit
from core.audit import audit_log
from core.errors import PermissionDeniedError, get_or_not_found

# The seats a kind may have: one person at a diagnostic or a follow-up, at most 5 at a
# collective session (DOMAIN §0), an outreach date as many as the place takes.
SEATS = {
    KindCategory.DIAGNOSTIC: (1, 1),
    KindCategory.FOLLOW_UP: (1, 1),
    KindCategory.COLLECTIVE: (1, 5),
    KindCategory.OUTREACH: (1, 200),
}
FIELDS = ("name", "duration_minutes", "seats", "follow_up_within_days")


def may_set_kinds(user, platform_id: int) -> bool:
    """Only the platform's admins set its kinds (the table's `rules`, written)."""
    return may(user, DataKind.RULES, Mode.WRITE, organisation=platform_id,
               audience=PLATFORM_STAFF)  # fmt: skip


def admins_only() -> PermissionDeniedError:
    return PermissionDeniedError(
        _("Les types de rendez-vous sont réglés par les administrateurs de la plateforme.")
    )


def _check_seats(kind: AppointmentKind) -> None:
    low, high = SEATS[kind.category]
    if not low <= kind.seats <= high:
        message = (
            _("Un rendez-vous de ce type se fait en tête-à-tête : 1 place.")
            if high == 1
            else _("Entre %(low)s et %(high)s places pour ce type.") % {"low": low, "high": high}
        )
        raise ValidationError({"seats": message})


@transaction.atomic
def kind_save(
    *, actor, platform_id: int, kind_id: int | None = None, category: str | None = None,
    name: str, duration_minutes: int, seats: int, follow_up_within_days: int | None = None,
) -> AppointmentKind:  # fmt: skip
    """Create the kind of a category the platform lacks, or change one (its category stays).
    The audit row keeps what changed, before and after."""
    if not may_set_kinds(actor, platform_id):
        raise admins_only()
    if kind_id is None:
        if AppointmentKind.objects.filter(platform_id=platform_id, category=category).exists():
            raise ValidationError({"category": _("Ce type existe déjà : modifiez-le.")})
        kind, before = AppointmentKind(platform_id=platform_id, category=category), {}
    else:
        kind = get_or_not_found(
            AppointmentKind.objects.select_for_update().filter(platform_id=platform_id),
            kind_id, _("Type de rendez-vous introuvable."),
        )  # fmt: skip
        before = {field: getattr(kind, field) for field in FIELDS}
    kind.name = name.strip()
    kind.duration_minutes, kind.seats = duration_minutes, seats
    kind.follow_up_within_days = follow_up_within_days
    _check_seats(kind)
    kind.full_clean()
    kind.save()
    changed = {
        field: [before.get(field), getattr(kind, field)]
        for field in FIELDS
        if before.get(field) != getattr(kind, field)
    }
    if changed:
        action = "agenda.kind_created" if not before else "agenda.kind_updated"
        audit_log(actor=actor, action=action, target=kind, data=changed)
    if before and kind.category in RULE_CATEGORIES and {"duration_minutes", "seats"} & set(changed):
        regenerate_on_commit(
            AgendaRule.objects.filter(kind=kind).values_list("adviser_id", flat=True)
        )
    return kind
