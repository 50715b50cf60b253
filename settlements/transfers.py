"""The SEPA credit transfer file (pain.001.001.03, `sepaxml`) for a batch of issued
statements, from the platform's own account (settings `SETTLEMENT_DEBTOR_*`). The file is
validated against the XSD that sepaxml ships before it is handed out; the statements keep
when they were last exported and the file's message id (a file can be made again: the bank
refuses a message id twice, and the finance officer marks statements paid once the transfer
went out)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, ConflictError, InvalidTransition, NotFoundError
from partners.models import Partner
from settlements.enums import SettlementStatus
from settlements.models import Settlement
from settlements.permissions import can_run_settlements
from settlements.services import AlreadySettled, ensure_bank_details

SCHEMA = "pain.001.001.03"


def debtor() -> dict:
    name, iban = settings.SETTLEMENT_DEBTOR_NAME, settings.SETTLEMENT_DEBTOR_IBAN
    if not (name and iban):
        raise ConflictError(
            _("Le compte de la plateforme n'est pas configuré (SETTLEMENT_DEBTOR_NAME, "
              "SETTLEMENT_DEBTOR_IBAN)."),
            code=ErrorCode.BANK_DETAILS_MISSING,
        )  # fmt: skip
    config = {"name": name, "IBAN": iban.replace(" ", ""), "batch": True, "currency": "EUR"}
    if settings.SETTLEMENT_DEBTOR_BIC:
        config["BIC"] = settings.SETTLEMENT_DEBTOR_BIC
    return config


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@transaction.atomic
def transfer_file(*, actor, settlement_ids: list[int], execution_date=None) -> bytes:
    if not settlement_ids:
        raise ValidationError({"settlements": _("Choisissez au moins un relevé.")})
    # The partners are locked too: their account cannot change between the file and the
    # statements' copy of it below (no key lock: their other rows may still refer to them).
    settlements = list(
        Settlement.objects.select_for_update(of=("self", "partner"), no_key=True)
        .select_related("partner__organisation")
        .filter(pk__in=sorted(set(settlement_ids)))
        .order_by("pk")
    )
    visible = [s for s in settlements if can_run_settlements(actor, s.platform_id)]
    if len(visible) != len(set(settlement_ids)):
        raise NotFoundError(_("Relevé introuvable."))
    if len({s.platform_id for s in visible}) > 1:
        raise ValidationError({"settlements": _("Un fichier par plateforme.")})
    for settlement in visible:
        if settlement.status == SettlementStatus.PAID:
            raise AlreadySettled(_("Le relevé %(ref)s est déjà payé.") % {"ref": settlement})
        if settlement.status != SettlementStatus.ISSUED:
            raise InvalidTransition(
                _("Le relevé %(ref)s n'est pas émis (« %(status)s »).")
                % {"ref": settlement, "status": settlement.get_status_display()}
            )
        if settlement.total <= 0:
            raise ConflictError(
                _("Le relevé %(ref)s ne doit rien au partenaire (%(total)s €).")
                % {"ref": settlement, "total": settlement.total},
                code=ErrorCode.NOTHING_TO_TRANSFER,
            )
        ensure_bank_details(settlement.partner)
    execution_date = execution_date or timezone.localdate()
    sepa = SepaTransfer(debtor(), schema=SCHEMA, clean=True)
    for settlement in visible:
        partner = settlement.partner
        payment = {
            "name": partner.name, "IBAN": partner.iban, "amount": cents(settlement.total),
            "execution_date": execution_date, "endtoend_id": settlement.reference,
            "description": f"Solimob {settlement.reference} "
            f"{settlement.period_start:%m/%Y}",
        }  # fmt: skip
        if partner.bic:
            payment["BIC"] = partner.bic
        sepa.add_payment(payment)
    try:
        xml = sepa.export(validate=True)
    except SepaValidationError as exc:
        raise ApplicationError(
            _("Le fichier de virement ne respecte pas le schéma pain.001 : vérifiez les "
              "coordonnées bancaires."), code=ErrorCode.INVALID,
        ) from exc  # fmt: skip
    now = timezone.now()
    partner = Partner.objects.filter(pk=OuterRef("partner_id"))
    Settlement.objects.filter(pk__in=[s.pk for s in visible]).update(
        iban=Subquery(partner.values("iban")), bic=Subquery(partner.values("bic")),
        exported_at=now, transfer_message_id=sepa.msg_id, updated_at=now,
    )  # fmt: skip
    audit_log(
        actor=actor, action="settlement.transfer_file", target=None,
        data={"settlements": [s.pk for s in visible], "message_id": sepa.msg_id,
              "total": str(sum((s.total for s in visible), Decimal(0)))},
    )  # fmt: skip
    return xml
