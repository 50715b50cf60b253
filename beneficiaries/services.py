"""Writes of the beneficiary journey: referrals, people, eligibility (see journey.py for the
diagnosis and what follows, privacy.py for access logs, export and anonymisation)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import OrganisationKind, Role
from accounts.models import Membership, Organisation
from accounts.need_to_know import DataKind, Mode, may
from accounts.permissions import is_adviser, is_prescriber
from beneficiaries import eligibility
from beneficiaries.duplicates import duplicate_key
from beneficiaries.enums import (
    REFERRAL_TRANSITIONS,
    BeneficiaryStatus,
    ConsentPurpose,
    ReferralStatus,
    RefusalReason,
)
from beneficiaries.models import Beneficiary, Consent, EligibilityCheck, Referral
from beneficiaries.permissions import ensure_may_change, field_kinds
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, NotFoundError, get_or_not_found
from core.links import read_signed, signed_url
from core.notifications import notify
from core.phones import normalise_phone
from core.transitions import ensure_transition, record_transition

REFERRAL_SALT = "solimob.referral-status"
BENEFICIARY_FIELDS = (
    "first_name", "last_name", "birth_date", "phone", "email", "address", "commune",
    "postcode", "situation", "professional_project", "project_defined", "french_level",
    "driving_licence", "vehicle", "household", "income_notes", "nationality_group",
)  # fmt: skip
REFERRAL_FIELDS = (
    "first_name", "last_name", "birth_date", "phone", "email", "commune", "postcode",
    "situation", "professional_project", "steps_taken", "french_level", "need",
    "consent_to_share",
)  # fmt: skip


def referral_status_url(referral: Referral) -> str:
    return signed_url("referral_status_link", referral.pk, salt=REFERRAL_SALT)


def referral_from_token(token: str) -> Referral:
    referral_id = read_signed(
        token,
        salt=REFERRAL_SALT,
        max_age=timedelta(days=settings.REFERRAL_LINK_MAX_AGE_DAYS),
        expired=ApplicationError(
            _("Ce lien a expiré : connectez-vous pour voir l'orientation."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    return get_or_not_found(
        Referral.objects.select_related("beneficiary"), referral_id, _("Introuvable.")
    )


def _platform_advisers(platform_id: int):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=platform_id, role=Role.ADVISER, active=True, user__is_active=True
        ).select_related("user")
    ]


def _notify_advisers(referral: Referral, template: str, **context) -> None:
    """E-mail the advisers of the referral's platform, with a link to their inbox."""
    url = settings.SITE_URL + reverse("referral_inbox")
    for adviser in _platform_advisers(referral.platform_id):
        notify(template=template, user=adviser, channel="email", context={**context, "url": url})


def _notify_prescriber(referral: Referral, template: str, **context) -> None:
    if referral.prescriber is None:
        return
    notify(
        template=template,
        user=referral.prescriber,
        context={
            "person": f"{referral.first_name} {referral.last_name[:1]}.",
            "status": referral.get_status_display(),
            "url": referral_status_url(referral),
            **context,
        },
    )


@transaction.atomic
def referral_submit(*, actor, prescriber_organisation: Organisation, **fields) -> Referral:
    """A prescriber sends a fiche de repérage to the platform their organisation works with."""
    if prescriber_organisation.kind != OrganisationKind.PRESCRIBER or not is_prescriber(
        actor, prescriber_organisation
    ):
        raise NotFoundError(_("Organisation introuvable."))
    if prescriber_organisation.platform_id is None:
        raise ApplicationError(
            _("Votre organisation n'est rattachée à aucune plateforme."),
            code=ErrorCode.NO_PLATFORM,
        )
    referral = Referral(
        platform_id=prescriber_organisation.platform_id,
        prescriber_organisation=prescriber_organisation,
        prescriber=actor,
    )
    for name, value in fields.items():
        if name not in REFERRAL_FIELDS:
            raise TypeError(name)
        setattr(referral, name, value)
    if referral.consent_to_share:
        referral.consent_at = timezone.now()
    referral.phone = normalise_phone(referral.phone)
    referral.full_clean(exclude=["platform", "prescriber_organisation", "prescriber"])
    referral.save()
    audit_log(actor=actor, action="referral.submitted", target=referral)
    _notify_advisers(
        referral, "beneficiaries/referral_received", organisation=prescriber_organisation.name
    )
    return referral


def _ensure(referral: Referral, to: str) -> None:
    """Check REFERRAL_TRANSITIONS before any side effect (409 `invalid_transition`)."""
    ensure_transition(REFERRAL_TRANSITIONS, referral, to, subject=_("l'orientation"))


def _move(referral: Referral, to: str, *, actor, data: dict | None = None, **changes) -> None:
    """Save the referral in status `to` (checked by `_ensure`), with its audit row."""
    from_status = referral.status
    for name, value in {"status": to, **changes}.items():
        setattr(referral, name, value)
    referral.save()
    record_transition(referral, actor=actor, name="referral", from_status=from_status, to=to,
                      data=data)  # fmt: skip


def _lock_referral(actor, referral_id: int) -> Referral:
    referral = get_or_not_found(
        Referral.objects.select_for_update(), referral_id, _("Orientation introuvable.")
    )
    if not may(actor, DataKind.REFERRAL, Mode.WRITE, organisation=referral.platform_id):
        raise NotFoundError(_("Orientation introuvable."))
    return referral


def find_duplicates(*, platform_id: int, last_name: str, first_name: str, birth_date):
    key = duplicate_key(last_name, first_name, birth_date)
    if not key:
        return Beneficiary.objects.none()
    return Beneficiary.objects.filter(
        platform_id=platform_id, search_key=key, anonymised_at__isnull=True
    )


def _duplicate_error(duplicates) -> ConflictError:
    names = ", ".join(f"{b.first_name} {b.last_name} (n° {b.pk})" for b in duplicates[:5])
    error = ConflictError(
        _("Cette personne semble déjà suivie : %(names)s.") % {"names": names},
        code=ErrorCode.DUPLICATE_BENEFICIARY,
        extra={"duplicates": [b.pk for b in duplicates]},
    )
    error.duplicate_ids = [b.pk for b in duplicates]
    return error


@transaction.atomic
def referral_accept(
    *, actor, referral_id: int, beneficiary_id: int | None = None, create_anyway: bool = False
) -> Referral:
    """Accept a referral: link it to the person already followed, or create their record.

    Without a choice, a possible duplicate (same normalised name and birth date on the
    platform) stops the acceptance with `duplicate_beneficiary`."""
    referral = _lock_referral(actor, referral_id)
    _ensure(referral, ReferralStatus.ACCEPTED)
    if beneficiary_id is not None:
        beneficiary = get_or_not_found(
            Beneficiary.objects.filter(
                platform_id=referral.platform_id, anonymised_at__isnull=True
            ),
            beneficiary_id,
            _("Personne introuvable."),
        )
    else:
        duplicates = list(
            find_duplicates(
                platform_id=referral.platform_id, last_name=referral.last_name,
                first_name=referral.first_name, birth_date=referral.birth_date,
            )
        )  # fmt: skip
        if duplicates and not create_anyway:
            raise _duplicate_error(duplicates)
        beneficiary = Beneficiary.objects.create(
            platform_id=referral.platform_id,
            adviser=actor if is_adviser(actor, referral.platform_id) else None,
            **{
                name: getattr(referral, name)
                for name in (
                    "first_name",
                    "last_name",
                    "birth_date",
                    "phone",
                    "email",
                    "commune",
                    "postcode",
                    "situation",
                    "professional_project",
                    "french_level",
                )
            },  # fmt: skip
            status=BeneficiaryStatus.REFERRED,
            last_contact_at=timezone.now(),
        )
    if referral.consent_to_share:
        Consent.objects.create(
            beneficiary=beneficiary,
            purpose=ConsentPurpose.SHARE_WITH_PRESCRIBER,
            prescriber_organisation_id=referral.prescriber_organisation_id,
            given_at=referral.consent_at or timezone.now(),
            recorded_by=referral.prescriber,
        )
    _move(referral, ReferralStatus.ACCEPTED, actor=actor, data={"beneficiary": beneficiary.pk},
          beneficiary=beneficiary, answered_at=timezone.now(), answered_by=actor)  # fmt: skip
    _notify_prescriber(referral, "beneficiaries/referral_answered")
    return referral


@transaction.atomic
def referral_refuse(*, actor, referral_id: int, reason: str, reorientation: str = "") -> Referral:
    referral = _lock_referral(actor, referral_id)
    _ensure(referral, ReferralStatus.REFUSED)
    if reason not in RefusalReason.values:
        raise ApplicationError(_("Choisissez le motif du refus."), code=ErrorCode.INVALID)
    _move(referral, ReferralStatus.REFUSED, actor=actor, data={"reason": reason},
          refusal_reason=reason, reorientation=reorientation, answered_at=timezone.now(),
          answered_by=actor)  # fmt: skip
    _notify_prescriber(
        referral,
        "beneficiaries/referral_answered",
        reason=referral.get_refusal_reason_display(),
        reorientation=reorientation,
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor, referral_id: int) -> Referral:
    referral = get_or_not_found(
        Referral.objects.select_for_update(), referral_id, _("Introuvable.")
    )
    if not is_prescriber(actor, referral.prescriber_organisation_id):
        raise NotFoundError(_("Orientation introuvable."))
    _ensure(referral, ReferralStatus.WITHDRAWN)
    _move(referral, ReferralStatus.WITHDRAWN, actor=actor)
    return referral


def referrals_remind_and_expire(*, now=None) -> dict:
    """Daily: remind advisers of referrals unanswered for 10 days; expire them at 30 days
    and tell the prescriber. Each referral is reminded once and expired once."""
    now = now or timezone.now()
    remind_before = now - timedelta(days=settings.REFERRAL_REMIND_DAYS)
    expire_before = now - timedelta(days=settings.REFERRAL_EXPIRE_DAYS)
    expired = reminded = 0
    for referral_id in Referral.objects.filter(
        status=ReferralStatus.SUBMITTED, created_at__lt=expire_before
    ).values_list("pk", flat=True):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=referral_id)
            if referral.status != ReferralStatus.SUBMITTED:
                continue  # answered meanwhile
            _ensure(referral, ReferralStatus.EXPIRED)
            _move(referral, ReferralStatus.EXPIRED, actor=None)
            _notify_prescriber(referral, "beneficiaries/referral_expired")
            expired += 1
    for referral_id in Referral.objects.filter(
        status=ReferralStatus.SUBMITTED, created_at__lt=remind_before, reminded_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            updated = Referral.objects.filter(pk=referral_id, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not updated:
                continue
            referral = Referral.objects.select_related("prescriber_organisation").get(
                pk=referral_id
            )
            _notify_advisers(
                referral,
                "beneficiaries/referral_reminder",
                organisation=referral.prescriber_organisation.name,
                days=settings.REFERRAL_REMIND_DAYS,
            )
            reminded += 1
    return {"reminded": reminded, "expired": expired}


@transaction.atomic
def beneficiary_create(*, actor, platform_id: int, create_anyway: bool = False, **fields):
    """An adviser opens a record directly (a person who came without a referral)."""
    ensure_may_change(actor, platform_id, DataKind.IDENTITY, *field_kinds(fields))
    beneficiary = Beneficiary(platform_id=platform_id, last_contact_at=timezone.now())
    if is_adviser(actor, platform_id):
        beneficiary.adviser = actor
    for name, value in fields.items():
        if name not in BENEFICIARY_FIELDS:
            raise TypeError(name)
        setattr(beneficiary, name, value)
    beneficiary.phone = normalise_phone(beneficiary.phone)
    beneficiary.full_clean(exclude=["platform", "adviser", "user", "search_key", "search_text"])
    duplicates = list(
        find_duplicates(
            platform_id=platform_id, last_name=beneficiary.last_name,
            first_name=beneficiary.first_name, birth_date=beneficiary.birth_date,
        )
    )  # fmt: skip
    if duplicates and not create_anyway:
        raise _duplicate_error(duplicates)
    beneficiary.save()
    audit_log(actor=actor, action="beneficiary.created", target=beneficiary)
    return beneficiary


def lock_beneficiary(actor, beneficiary_id: int, *kinds: DataKind) -> Beneficiary:
    beneficiary = get_or_not_found(
        Beneficiary.objects.select_for_update(), beneficiary_id, _("Personne introuvable.")
    )
    if beneficiary.anonymised_at:
        raise NotFoundError(_("Personne introuvable."))
    ensure_may_change(actor, beneficiary, *kinds)
    return beneficiary


@transaction.atomic
def beneficiary_update(*, actor, beneficiary_id: int, **fields) -> Beneficiary:
    beneficiary = lock_beneficiary(actor, beneficiary_id, DataKind.IDENTITY, *field_kinds(fields))
    if "phone" in fields:  # "06 12 34 56 78" is the stored +33612345678: not a change
        fields["phone"] = normalise_phone(fields["phone"])
    changed = []
    for name, value in fields.items():
        if name not in BENEFICIARY_FIELDS:
            raise TypeError(name)
        if getattr(beneficiary, name) != value:
            setattr(beneficiary, name, value)
            changed.append(name)
    beneficiary.full_clean(exclude=["platform", "adviser", "user", "search_key", "search_text"])
    beneficiary.save()
    audit_log(actor=actor, action="beneficiary.updated", target=beneficiary,
              data={"fields": changed})  # fmt: skip
    return beneficiary


@transaction.atomic
def eligibility_check(*, actor, beneficiary_id: int) -> EligibilityCheck:
    """Record which rules of the platform the person meets today; valid six months."""
    beneficiary = lock_beneficiary(actor, beneficiary_id, DataKind.SITUATION)
    policy = eligibility.policy_for(beneficiary.platform)
    results = eligibility.evaluate(
        policy,
        situation=beneficiary.situation,
        project_defined=beneficiary.project_defined,
        french_level=beneficiary.french_level,
    )
    today = timezone.localdate()
    month = today.month - 1 + policy.validity_months
    year, month = today.year + month // 12, month % 12 + 1
    valid_until = _same_day(today, year, month)
    check = EligibilityCheck.objects.create(
        beneficiary=beneficiary,
        checked_by=actor,
        eligible=all(r.met for r in results),
        results=[r.as_dict() for r in results],
        valid_until=valid_until,
    )
    audit_log(actor=actor, action="eligibility.checked", target=beneficiary,
              data={"eligible": check.eligible})  # fmt: skip
    return check


def _same_day(today, year: int, month: int):
    import calendar

    return today.replace(year=year, month=month, day=min(today.day,
                         calendar.monthrange(year, month)[1]))  # fmt: skip
