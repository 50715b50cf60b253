"""A partner's bank details (IBAN, BIC): where the platform pays its statements.

The partner's manager (or a platform admin who manages the partner) enters them; `schwifty`
checks the IBAN's checksum and structure and the BIC's shape (French errors). Every change
is audited and told to the finance officers of the platforms the partner works with, and a
new IBAN waits for one of them to approve it (four eyes: not the person who typed it) before
any statement is issued or transferred to it (`settlements`: 409 `bank_details_unapproved`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from accounts.enums import Role
from accounts.models import Membership
from accounts.need_to_know import DataKind, Mode, may
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ConflictError, NotFoundError
from core.notifications import notify
from partners.models import Partner
from partners.services import ensure_manager, get_partner


def clean_iban(value: str) -> IBAN:
    try:
        return IBAN(value)
    except InvalidChecksumDigits as exc:
        raise ValidationError(
            {"iban": _("Cet IBAN est erroné : sa clé de contrôle ne correspond pas.")}
        ) from exc
    except SchwiftyException as exc:
        raise ValidationError(
            {"iban": _("Cet IBAN n'a pas la forme d'un IBAN (pays, clé, numéro de compte).")}
        ) from exc


def clean_bic(value: str, iban: IBAN) -> str:
    """The BIC typed, or the one the IBAN's bank code gives (French banks) when left empty;
    a head office's « XXX » branch is dropped (AGRIFRPPXXX is AGRIFRPP)."""
    if not value.strip():
        bic = iban.bic
        if bic is None:
            raise ValidationError({"bic": _("Indiquez le BIC de la banque.")})
    else:
        try:
            bic = BIC(value)
        except SchwiftyException as exc:
            raise ValidationError(
                {"bic": _("Ce BIC n'a pas la forme d'un BIC (8 ou 11 lettres et chiffres).")}
            ) from exc
    compact = str(bic.compact)
    return compact[:8] if compact.endswith("XXX") and len(compact) == 11 else compact


def masked_iban(iban: str) -> str:
    """« FR76 •••• •••• 0189 »: enough to recognise an account in a message."""
    return f"{iban[:4]} •••• •••• {iban[-4:]}" if iban else ""


def partner_platform_ids(partner: Partner) -> set[int]:
    """The platforms that pay this partner: those it has an agreement with, and the one that
    onboarded it."""
    ids = {a.platform_id for a in partner.agreements.all()}
    if partner.organisation.platform_id:
        ids.add(partner.organisation.platform_id)
    return ids


def finance_officers(platform_ids: set[int]):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id__in=platform_ids, role=Role.FINANCE_OFFICER, active=True
        )
        .select_related("user")
        .order_by("user_id")
    ]


@transaction.atomic
def partner_bank_details_set(*, actor, partner_id: int, iban: str, bic: str = "") -> Partner:
    partner = get_partner(partner_id, lock=True)
    ensure_manager(actor, partner)
    checked = clean_iban(iban)
    new_iban, new_bic = checked.compact, clean_bic(bic or "", checked)
    if (new_iban, new_bic) == (partner.iban, partner.bic):
        return partner
    iban_changed = new_iban != partner.iban
    old = {"iban": masked_iban(partner.iban), "bic": partner.bic}
    partner.iban, partner.bic = new_iban, new_bic
    partner.bank_details_changed_at, partner.bank_details_changed_by = timezone.now(), actor
    if iban_changed:  # a new account waits for approval; a corrected BIC alone does not
        partner.bank_details_approved_at = partner.bank_details_approved_by = None
    partner.save()
    audit_log(
        actor=actor,
        action="partner.bank_details_changed",
        target=partner,
        data={"from": old, "to": {"iban": masked_iban(new_iban), "bic": new_bic},
              "needs_approval": iban_changed},
    )  # fmt: skip
    for officer in finance_officers(partner_platform_ids(partner)):
        notify(
            template="partners/bank_details_changed",
            context={
                "partner_name": partner.name,
                "changed_by": actor.get_full_name() or actor.email,
                "iban_masked": masked_iban(new_iban),
                "bic": new_bic,
            },
            user=officer,
            channel="email",
        )
    return partner


def can_approve_bank_details(user, partner: Partner) -> bool:
    return any(
        may(user, DataKind.BANK_DETAILS, Mode.WRITE, organisation=platform_id)
        for platform_id in partner_platform_ids(partner)
    )


@transaction.atomic
def partner_bank_details_approve(*, actor, partner_id: int) -> Partner:
    """A finance officer of a platform the partner works with checked the new account."""
    partner = get_partner(partner_id, lock=True)
    if not can_approve_bank_details(actor, partner):
        raise NotFoundError(_("Partenaire introuvable."))
    if not partner.iban:
        raise ConflictError(
            _("Ce partenaire n'a pas encore donné ses coordonnées bancaires."),
            code=ErrorCode.BANK_DETAILS_MISSING,
        )
    if partner.bank_details_approved:
        return partner
    if partner.bank_details_changed_by_id == actor.pk:
        raise ConflictError(
            _("Une autre personne que celle qui a saisi l'IBAN doit le valider."),
            code=ErrorCode.BANK_DETAILS_UNAPPROVED,
        )
    partner.bank_details_approved_at, partner.bank_details_approved_by = timezone.now(), actor
    partner.save(
        update_fields=["bank_details_approved_at", "bank_details_approved_by", "updated_at"]
    )
    audit_log(
        actor=actor,
        action="partner.bank_details_approved",
        target=partner,
        data={"iban": masked_iban(partner.iban), "bic": partner.bic},
    )
    return partner
