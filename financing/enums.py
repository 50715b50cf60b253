from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandée")
    APPROVED = "approved", _("Accordée")
    PAID = "paid", _("Versée")
    REJECTED = "rejected", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")


# Statuses whose amount is committed on the envelope (leaving them releases it).
AWARD_COMMITTED = frozenset({AwardStatus.REQUESTED, AwardStatus.APPROVED, AwardStatus.PAID})

# DESIGN §4: requested → approved → paid; requested → rejected; requested|approved → cancelled.
AWARD_TRANSITIONS = {
    AwardStatus.REQUESTED: {AwardStatus.APPROVED, AwardStatus.REJECTED, AwardStatus.CANCELLED},
    AwardStatus.APPROVED: {AwardStatus.PAID, AwardStatus.CANCELLED},
}


class LoanKind(models.TextChoices):
    MICRO_CREDIT = "micro_credit", _("Microcrédit personnel accompagné")
    ASSOCIATION_LOAN = "association_loan", _("Prêt associatif")


class LoanMethod(models.TextChoices):
    DECLINING_BALANCE = "declining_balance", _("Mensualités constantes")
    FLAT = "flat", _("Intérêts fixes sur le capital de départ")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Demandé")
    APPROVED = "approved", _("Accordé")
    REJECTED = "rejected", _("Refusé")
    DISBURSED = "disbursed", _("Décaissé")
    REPAID = "repaid", _("Remboursé")
    DEFAULTED = "defaulted", _("En défaut")
    WRITTEN_OFF = "written_off", _("Passé en perte")
    CANCELLED = "cancelled", _("Annulé")


# What a finance officer does to a loan (DESIGN §4; the page offers these).
LOAN_TRANSITIONS = {
    LoanStatus.APPLIED: {LoanStatus.APPROVED, LoanStatus.REJECTED},
    LoanStatus.APPROVED: {LoanStatus.DISBURSED, LoanStatus.CANCELLED},
    LoanStatus.DISBURSED: {LoanStatus.DEFAULTED},
    LoanStatus.DEFAULTED: {LoanStatus.WRITTEN_OFF},
}

# What the ledger does by itself: a replay that settles every instalment repays the loan, a
# write-off entry on a defaulted loan writes it off, reversing an entry of a repaid loan
# reopens it. Nobody marks a loan repaid by hand.
LOAN_LEDGER_TRANSITIONS = {
    LoanStatus.DISBURSED: {LoanStatus.REPAID},
    LoanStatus.DEFAULTED: {LoanStatus.REPAID, LoanStatus.WRITTEN_OFF},
    LoanStatus.REPAID: {LoanStatus.DISBURSED},
}


class TransactionKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Décaissement")
    REPAYMENT = "repayment", _("Remboursement")
    WAIVER = "waiver", _("Remise")
    WRITE_OFF = "write_off", _("Passage en perte")
    REVERSAL = "reversal", _("Annulation d'écriture")


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Paiement en ligne")
    TRANSFER = "transfer", _("Virement")
    CASH = "cash", _("Espèces")
    CHEQUE = "cheque", _("Chèque")
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")


class LineKind(models.TextChoices):
    GRANT = "grant", _("Aide")
    LOAN = "loan", _("Prêt")
    BENEFICIARY = "beneficiary", _("Reste à charge de la personne")
    PLATFORM = "platform", _("Prise en charge par la plateforme")


class ArrearsBucket(models.TextChoices):
    CURRENT = "current", _("À jour")
    D1_30 = "1-30", _("1 à 30 jours")
    D31_60 = "31-60", _("31 à 60 jours")
    D61_90 = "61-90", _("61 à 90 jours")
    D90_PLUS = "90+", _("Plus de 90 jours")
