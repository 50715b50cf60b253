"""Writes of the prescribers' network and of the platform's rules (issue 16), done by
platform admins from the pages, each with its audit row: prescriber organisations (created
attached to the admin's platform, so that the admin then invites their members through
`accounts`' invitations), organisations' details, and the eligibility rules."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import hooks as account_hooks
from accounts.enums import OrganisationKind
from accounts.models import Organisation
from accounts.need_to_know import DataKind, Mode, may
from beneficiaries.enums import FRENCH_LEVEL_ORDER, Situation
from beneficiaries.models import EligibilityPolicy
from beneficiaries.models_network import PrescriberProfile
from beneficiaries.selectors_network import managed_organisation_for
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, PermissionDeniedError
from core.phones import normalise_phone

ORGANISATION_FIELDS = ("name", "address", "commune", "postcode", "siret")
PROFILE_FIELDS = ("kind", "contact_name", "contact_phone", "contact_email")


def _ensure_admin(actor, platform_id: int, kind: DataKind) -> None:
    if not may(actor, kind, Mode.WRITE, organisation=platform_id):
        raise PermissionDeniedError(_("Réservé aux administrateurs de la plateforme."))


def _changes(instance, fields: dict) -> dict:
    changed = {}
    for name, value in fields.items():
        before = getattr(instance, name)
        if before != value:
            changed[name] = [str(before), str(value)]
            setattr(instance, name, value)
    return changed


@transaction.atomic
def prescriber_create(*, actor, platform_id: int, **fields) -> Organisation:
    """A prescriber organisation attached to the platform, with its kind and contact."""
    _ensure_admin(actor, platform_id, DataKind.NETWORK)
    organisation = Organisation(kind=OrganisationKind.PRESCRIBER, platform_id=platform_id)
    for name in ORGANISATION_FIELDS:
        setattr(organisation, name, (fields.get(name) or "").strip())
    platform = Organisation.objects.get(pk=platform_id)
    organisation.territory = platform.territory
    organisation.full_clean(exclude=["platform"])
    organisation.save()
    profile = PrescriberProfile(organisation=organisation)
    _changes(profile, {name: fields.get(name, "") for name in PROFILE_FIELDS if name in fields})
    profile.contact_phone = normalise_phone(profile.contact_phone)
    profile.full_clean(exclude=["organisation"])
    profile.save()
    audit_log(actor=actor, action="prescriber.created", target=organisation,
              data={"kind": profile.kind})  # fmt: skip
    return organisation


def _managed(actor, organisation_id: int) -> Organisation:
    return managed_organisation_for(user=actor, organisation_id=organisation_id)


@transaction.atomic
def organisation_details_update(*, actor, organisation_id: int, **fields) -> Organisation:
    """Name, address, SIRET of the platform or of one of its prescribers (and the
    prescriber's kind and contact); the audit row keeps what changed, before and after."""
    organisation = _managed(actor, organisation_id)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    old_name = organisation.name
    changed = _changes(
        organisation, {n: (fields[n] or "").strip() for n in ORGANISATION_FIELDS if n in fields}
    )
    organisation.full_clean(exclude=["platform"])
    organisation.save()
    if organisation.kind == OrganisationKind.PRESCRIBER:
        profile, _created = PrescriberProfile.objects.get_or_create(organisation=organisation)
        wanted = {n: fields[n] for n in PROFILE_FIELDS if n in fields}
        if "contact_phone" in wanted:
            wanted["contact_phone"] = normalise_phone(wanted["contact_phone"])
        changed |= _changes(profile, wanted)
        profile.full_clean(exclude=["organisation"])
        profile.save()
    if changed:
        audit_log(actor=actor, action="organisation.updated", target=organisation, data=changed)
    if organisation.name != old_name:
        account_hooks.organisation_renamed.send(sender=Organisation, organisation=organisation)
    return organisation


@transaction.atomic
def organisation_set_active(*, actor, organisation_id: int, active: bool) -> Organisation:
    """Close (or reopen) a prescriber organisation: it leaves the network's lists."""
    organisation = _managed(actor, organisation_id)
    if organisation.kind != OrganisationKind.PRESCRIBER:
        raise ApplicationError(
            _("Seules les structures prescriptrices se ferment ici."), code=ErrorCode.INVALID
        )
    Organisation.objects.filter(pk=organisation.pk).update(is_active=active)
    organisation.is_active = active
    audit_log(actor=actor, action="organisation.reopened" if active else "organisation.closed",
              target=organisation)  # fmt: skip
    return organisation


@transaction.atomic
def eligibility_policy_update(
    *, actor, platform_id: int, situations: list[str], require_project: bool,
    min_french_level: str, validity_months: int,
) -> EligibilityPolicy:  # fmt: skip
    """The platform's eligibility rules, kept with who changed what in the audit log."""
    _ensure_admin(actor, platform_id, DataKind.RULES)
    if not situations or any(s not in Situation.values for s in situations):
        raise ApplicationError(_("Choisissez au moins une situation."), code=ErrorCode.INVALID)
    if min_french_level and min_french_level not in FRENCH_LEVEL_ORDER:
        raise ApplicationError(_("Niveau de français inconnu."), code=ErrorCode.INVALID)
    if not 1 <= validity_months <= 36:
        raise ApplicationError(_("La validité va de 1 à 36 mois."), code=ErrorCode.INVALID)
    policy, created = EligibilityPolicy.objects.select_for_update().get_or_create(
        platform_id=platform_id
    )
    changed = _changes(policy, {
        "situations": sorted(situations), "require_project": require_project,
        "min_french_level": min_french_level, "validity_months": validity_months,
    })  # fmt: skip
    policy.save()
    if changed or created:
        audit_log(actor=actor, action="eligibility_policy.updated", target=policy, data=changed)
    return policy
