"""The money family: grant envelopes and their pace, loans, what people paid themselves."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core.formatting import cents, percent
from reporting.enums import Family, Unit
from reporting.selectors import FamilyReport, Figure, Report, Table, months_of
from reporting.selectors_families import _month_label

ZERO = Decimal("0.00")


def elapsed_share(programme: dict, scope) -> Decimal:
    """How much of the envelope's time has gone by at the reference date, in percent: its
    own dates, or the end of the period when it has no end."""
    start, end = programme["starts_on"], programme["ends_on"] or scope.end
    if end < start:
        return Decimal(100)
    total = (end - start).days + 1
    gone = min(max((scope.reference - start).days + 1, 0), total)
    return percent(gone, total)


def financing(report: Report) -> FamilyReport:
    scope, loans = report.scope, report.loans
    programmes = report.programmes
    budget = sum((p["budget"] for p in programmes), ZERO)
    committed = sum((p["committed"] for p in programmes), ZERO)
    paid = sum((p["paid"] for p in programmes), ZERO)
    granted = sum((p["granted"] for p in programmes), ZERO)
    share, repaid = report.paid_by_people["share"], report.paid_by_people["repayment"]
    own_total, repaid_total = sum(share.values(), ZERO), sum(repaid.values(), ZERO)
    outstanding = cents(loans["outstanding"])
    M, R, C = Unit.MONEY, Unit.RATE, Unit.COUNT
    figures = [
        Figure("budget", _("Budget des enveloppes"), cents(budget), M,
               _("Budget des enveloppes d'aides ouvertes pendant la période.")),
        Figure("committed", _("Engagé"), cents(committed), M,
               _("Aides accordées et pas annulées, à ce jour (payées comprises).")),
        Figure("paid", _("Payé"), cents(paid), M, _("Aides payées, à ce jour.")),
        Figure("granted", _("Aides accordées pendant la période"), cents(granted), M,
               _("Aides approuvées ou payées, demandées pendant la période.")),
        Figure("consumption_rate", _("Taux de consommation"), percent(committed, budget), R,
               _("Engagé ÷ budget, à comparer au temps écoulé de chaque enveloppe.")),
        Figure("loans_outstanding", _("Prêts en cours"), loans["loans_outstanding"], C,
               _("Prêts décaissés pas encore remboursés (ou en défaut).")),
        Figure("outstanding", _("Encours"), outstanding, M,
               _("Capital restant dû de ces prêts, à ce jour.")),
        Figure("par30", _("PAR30"), percent(loans["at_risk_30"], loans["outstanding"]), R,
               _("Capital restant dû des prêts en retard de plus de 30 jours ÷ encours.")),
        Figure("defaults", _("Prêts en défaut"), loans["defaults"], C,
               _("Prêts en défaut ou passés en perte, à ce jour.")),
        Figure("defaulted_balance", _("Capital en défaut"), cents(loans["defaulted_balance"]),
               M, _("Capital restant dû de ces prêts.")),
        Figure("disbursed", _("Prêts décaissés pendant la période"), loans["disbursed"], C,
               _("Prêts dont les fonds ont été versés pendant la période.")),
        Figure("disbursed_amount", _("Montant décaissé"), cents(loans["disbursed_amount"]), M,
               _("Capital de ces prêts.")),
        Figure("own_share", _("Reste à charge payé"), cents(own_total), M,
               _("Part des personnes (lignes « personne » des plans de financement) dans les "
                 "réservations réalisées de la période.")),
        Figure("repayments", _("Remboursements de prêts"), cents(repaid_total), M,
               _("Remboursements reçus pendant la période (date de valeur), hors "
                 "remboursements annulés.")),
        Figure("paid_by_people", _("Payé par les personnes elles-mêmes"),
               cents(own_total + repaid_total), M,
               _("Reste à charge payé + remboursements de prêts.")),
    ]  # fmt: skip
    rows = [
        [p["name"], p["funder__name"], cents(p["budget"]), cents(p["committed"]),
         cents(p["paid"]), percent(p["committed"], p["budget"]), elapsed_share(p, scope)]
        for p in programmes
    ]  # fmt: skip
    months = months_of(scope.start, scope.end)
    tables = [
        Table("enveloppes", _("Enveloppes d'aides : consommation et temps écoulé"),
              [_("Enveloppe"), _("Financeur"), _("Budget"), _("Engagé"), _("Payé"),
               _("Consommé (%)"), _("Temps écoulé (%)")],
              [None, None, M, M, M, R, R], rows),
        Table("paye_personnes", _("Payé par les personnes, par mois"),
              [_("Mois"), _("Reste à charge"), _("Remboursements de prêts")], [None, M, M],
              [[_month_label(m), cents(share.get(m, ZERO)), cents(repaid.get(m, ZERO))]
               for m in months]),
    ]  # fmt: skip
    return FamilyReport(Family.FINANCING, figures, tables)
