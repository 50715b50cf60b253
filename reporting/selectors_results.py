"""Indicator families about results: outcomes at exit, bookings, savings delivered."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from beneficiaries.enums import OutcomeCode
from bookings.enums import BookingStatus
from core.formatting import cents, percent
from partners.enums import PartnerCategory
from reporting.enums import Family, Unit
from reporting.selectors import FamilyReport, Figure, Report, Table, months_of
from reporting.selectors_families import ACTIVITY, EMPLOYMENT, _month_label, hours
from reporting.selectors_families import days as as_days

ZERO = Decimal("0.00")


def outcomes(report: Report) -> FamilyReport:
    scope = report.scope
    exits = [p for p in report.people
             if p.exited_on is not None and scope.start <= p.exited_on <= scope.end]  # fmt: skip
    by_code = defaultdict(int)
    for p in exits:
        by_code[p.outcome] += 1
    employment = sum(by_code[c] for c in EMPLOYMENT)
    activity = sum(by_code[c] for c in ACTIVITY)
    unknown = by_code[OutcomeCode.UNKNOWN]
    followed = len(report.people)
    target_activity = Decimal(settings.REPORTING_TARGETS["activity"])
    target_employment = Decimal(settings.REPORTING_TARGETS["employment_exits"])
    P = Unit.PEOPLE
    figures = [
        Figure("exits", _("Sorties"), len(exits), P, _("Sorties enregistrées pendant la période.")),
        Figure("employment", _("Sorties vers l'emploi"), employment, P,
               _("Emploi durable (CDI, CDD ou intérim de plus de 6 mois, création) ou emploi "
                 "de transition (moins de 6 mois, contrat aidé).")),
        Figure("activity", _("Retours à l'activité ou à l'emploi"), activity, P,
               _("Emploi durable, emploi de transition, formation qualifiante ou autre sortie "
                 "positive (les « sorties dynamiques »).")),
        Figure("unknown", _("Sorties sans information"), unknown, P,
               _("Sortie « inconnue » : comptée à part, jamais comme un succès.")),
        Figure("employment_exit_rate", _("Part des sorties liées à l'emploi"),
               percent(employment, len(exits)), Unit.RATE,
               _("Sorties vers l'emploi ÷ toutes les sorties de la période (inconnues "
                 "comprises). Objectif : %(t)s %%.") % {"t": target_employment},
               target_employment),
        Figure("activity_rate", _("Taux de retour à l'activité ou à l'emploi"),
               percent(activity, followed), Unit.RATE,
               _("Retours à l'activité ou à l'emploi ÷ personnes suivies pendant la période. "
                 "Objectif : %(t)s %%.") % {"t": target_activity},
               target_activity),
    ]  # fmt: skip
    figures += [
        Figure(f"exit_{code}", label, by_code[code], P, _("Sorties de ce type."))
        for code, label in OutcomeCode.choices
    ]
    tables = [
        Table("sorties", _("Sorties par situation"), [_("Situation à la sortie"), _("Personnes"),
              _("Part des sorties (%)")], [None, P, Unit.RATE],
              [[label, by_code[code], percent(by_code[code], len(exits))]
               for code, label in OutcomeCode.choices]),
        Table("objectifs", _("Résultats et objectifs"), [_("Indicateur"), _("Réalisé (%)"),
              _("Objectif (%)")], [None, Unit.RATE, Unit.RATE],
              [[f.label, f.value, f.target] for f in figures if f.target is not None]),
    ]  # fmt: skip
    return FamilyReport(Family.OUTCOMES, figures, tables)


def _by(rows, key):
    out = defaultdict(lambda: defaultdict(int))
    for row in rows:
        out[row[key]][row["status"]] += row["count"]
        out[row[key]]["total"] += row["count"]
        out[row[key]]["saving"] += row["saving"] or ZERO
    return out


def bookings(report: Report) -> FamilyReport:
    b = report.bookings
    S = BookingStatus
    no_show_base = b[S.COMPLETED] + b[S.NO_SHOW]
    C = Unit.COUNT
    figures = [
        Figure(
            "total",
            _("Réservations"),
            b["total"],
            C,
            _("Réservations dont le rendez-vous (ou le début) tombe dans la période."),
        ),
    ]
    figures += [Figure(status, label, b[status], C, _("Réservations à ce statut aujourd'hui."))
                for status, label in S.choices]  # fmt: skip
    figures += [
        Figure("no_show_rate", _("Taux d'absence"), percent(b[S.NO_SHOW], no_show_base),
               Unit.RATE, _("Absences ÷ (réalisées + absences).")),
        Figure("median_partner_answer_hours", _("Délai médian de réponse des partenaires"),
               hours(b["median_answer"]), Unit.HOURS,
               _("Médiane, en heures, entre la demande et la confirmation ou le refus.")),
        Figure("median_lead_days", _("Délai médian avant le rendez-vous"),
               as_days(b["median_lead"]), Unit.DAYS,
               _("Médiane, en jours, entre la demande et le début du service.")),
    ]  # fmt: skip
    categories = _by(report.bookings_by_category_partner, "service__category")
    partners = _by(report.bookings_by_category_partner, "service__partner__organisation__name")
    labels = dict(PartnerCategory.choices)
    heads = [_("Réservations"), _("Réalisées"), _("Annulées"), _("Absences")]

    def counts(d):
        return [d["total"], d[S.COMPLETED], d[S.CANCELLED], d[S.NO_SHOW]]

    months = report.bookings_by_month
    tables = [
        Table("categories", _("Réservations par type de service"), [_("Type"), *heads],
              [None, C, C, C, C],
              [[labels.get(k, k), *counts(v)] for k, v in sorted(categories.items())]),
        Table("partenaires", _("Réservations par partenaire"), [_("Partenaire"), *heads],
              [None, C, C, C, C],
              [[k, *counts(v)] for k, v in sorted(partners.items(), key=lambda i: -i[1]["total"])]),
        Table("statuts", _("Réservations par statut"), [_("Statut"), _("Réservations")],
              [None, C], [[label, b[status]] for status, label in S.choices]),
        Table("reservations_mois", _("Réservations par mois"),
              [_("Mois"), _("Réservations"), _("Réalisées")], [None, C, C],
              [[_month_label(m), months.get(m, {}).get("count", 0),
                months.get(m, {}).get("completed", 0)]
               for m in months_of(report.scope.start, report.scope.end)]),
    ]  # fmt: skip
    return FamilyReport(Family.BOOKINGS, figures, tables)


def savings(report: Report) -> FamilyReport:
    b = report.bookings
    market, solidarity = cents(b["market_total"]), cents(b["solidarity_total"])
    saved = market - solidarity
    M = Unit.MONEY
    figures = [
        Figure("completed", _("Réservations réalisées"), b[BookingStatus.COMPLETED], Unit.COUNT,
               _("Réservations réalisées de la période (une réservation annulée ne compte "
                 "pas, même si elle avait été réalisée).")),
        Figure("market_total", _("Prix du marché"), market, M,
               _("Ce qu'auraient coûté ces services au prix du marché.")),
        Figure("solidarity_total", _("Prix solidaire"), solidarity, M,
               _("Ce qu'ils ont coûté au prix solidaire.")),
        Figure("savings", _("Économies réalisées"), saved, M,
               _("Prix du marché - prix solidaire des réservations réalisées.")),
        Figure("savings_rate", _("Part économisée"), percent(saved, market), Unit.RATE,
               _("Économies ÷ prix du marché.")),
    ]  # fmt: skip
    months = report.bookings_by_month
    categories = _by(report.bookings_by_category_partner, "service__category")
    labels = dict(PartnerCategory.choices)
    tables = [
        Table("economies_mois", _("Économies réalisées par mois"), [_("Mois"), _("Économies")],
              [None, M], [[_month_label(m), cents(months.get(m, {}).get("saving", ZERO))]
                          for m in months_of(report.scope.start, report.scope.end)]),
        Table("economies_types", _("Économies par type de service"), [_("Type"), _("Économies")],
              [None, M], [[labels.get(k, k), cents(v["saving"])]
                          for k, v in sorted(categories.items())]),
    ]  # fmt: skip
    return FamilyReport(Family.SAVINGS, figures, tables)


def _builders() -> dict:
    from reporting.selectors_families import follow_up, people, referrals
    from reporting.selectors_money import financing

    return {
        Family.REFERRALS: referrals, Family.PEOPLE: people, Family.FOLLOW_UP: follow_up,
        Family.OUTCOMES: outcomes, Family.BOOKINGS: bookings, Family.SAVINGS: savings,
        Family.FINANCING: financing,
    }  # fmt: skip
