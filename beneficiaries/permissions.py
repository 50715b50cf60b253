"""What of a person's record a user may see and change: predicates over the need-to-know
table (`accounts.need_to_know`), shared by the services, the API and the pages.

A finance officer sees a person's identity and contact, never the social record (situation,
diagnosis, barriers, plan, follow-ups, outcome, consents, export); partners see none of it."""

from django.utils.translation import gettext as _

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, may
from core.errors import NotFoundError, PermissionDeniedError

K = DataKind
# The kind of data each field of a record (`Beneficiary`) is.
FIELD_KINDS: dict[str, DataKind] = {
    "first_name": K.IDENTITY, "last_name": K.IDENTITY, "birth_date": K.IDENTITY,
    "phone": K.CONTACT, "email": K.CONTACT, "address": K.CONTACT, "commune": K.CONTACT,
    "postcode": K.CONTACT,
    "status": K.SITUATION, "situation": K.SITUATION, "professional_project": K.SITUATION,
    "project_defined": K.SITUATION, "french_level": K.SITUATION,
    "driving_licence": K.SITUATION, "vehicle": K.SITUATION, "household": K.SITUATION,
    "income_notes": K.SITUATION, "nationality_group": K.SITUATION,
}  # fmt: skip
# What the record page and its neighbours show, besides identity and contact.
RECORD_KINDS = (
    K.IDENTITY, K.CONTACT, K.SITUATION, K.DIAGNOSIS, K.ACTION_PLAN, K.FOLLOW_UP, K.OUTCOME,
    K.CONSENT, K.REFERRAL, K.EXPORT,
)  # fmt: skip
# What the history of a record (its timeline) shows.
TIMELINE_KINDS = (
    K.REFERRAL, K.SITUATION, K.DIAGNOSIS, K.ACTION_PLAN, K.FOLLOW_UP, K.CONSENT, K.OUTCOME,
)  # fmt: skip


def _platform_id(beneficiary_or_platform) -> int:
    if isinstance(beneficiary_or_platform, int):
        return beneficiary_or_platform
    return beneficiary_or_platform.platform_id


def can_see(user, beneficiary, kind: DataKind) -> bool:
    """Whether the user reads this kind of data about this person (on the person's
    platform, as platform staff)."""
    return may(user, kind, Mode.READ, organisation=_platform_id(beneficiary),
               audience=PLATFORM_STAFF)  # fmt: skip


def can_change(user, beneficiary, kind: DataKind) -> bool:
    return may(user, kind, Mode.WRITE, organisation=_platform_id(beneficiary),
               audience=PLATFORM_STAFF)  # fmt: skip


def record_access(user, beneficiary) -> dict[str, dict[str, bool]]:
    """For the pages: `see.<kind>` and `change.<kind>` of this person's record (and
    `see.timeline`)."""
    see = {kind.value: can_see(user, beneficiary, kind) for kind in RECORD_KINDS}
    see["timeline"] = all(can_see(user, beneficiary, kind) for kind in TIMELINE_KINDS)
    return {
        "see": see,
        "change": {kind.value: can_change(user, beneficiary, kind) for kind in RECORD_KINDS},
    }


def readable_fields(user, beneficiary) -> set[str]:
    """The record's fields this user may read."""
    kinds = {kind for kind in set(FIELD_KINDS.values()) if can_see(user, beneficiary, kind)}
    return {name for name, kind in FIELD_KINDS.items() if kind in kinds}


def field_kinds(names) -> set[DataKind]:
    """The kinds of data a change of these fields writes."""
    return {FIELD_KINDS[name] for name in names if name in FIELD_KINDS}


def ensure_may_change(actor, beneficiary, *kinds: DataKind) -> None:
    """For the services: 404 for someone who does not see the person at all, 403 for staff
    whose role does not change this part of the record."""
    if not can_see(actor, beneficiary, K.IDENTITY):
        raise NotFoundError(_("Personne introuvable."))
    if not all(can_change(actor, beneficiary, kind) for kind in kinds):
        raise PermissionDeniedError(
            _("Votre rôle ne permet pas de modifier cette partie du dossier.")
        )
