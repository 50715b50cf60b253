"""One selector per indicator family, each figure with its definition (shown next to it on
the page, in the bilan and in the API's documentation). They read `Report`'s raw reads and
count in Python; none makes a query of its own."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.enums import DiagnosisDecision, OutcomeCode, RefusalReason
from core.formatting import percent
from reporting.enums import Family, Unit
from reporting.selectors import FamilyReport, Figure, Report, Table, months_of

TENTH = Decimal("0.1")
EMPLOYMENT = {OutcomeCode.DURABLE_EMPLOYMENT, OutcomeCode.TRANSITION_EMPLOYMENT}
ACTIVITY = EMPLOYMENT | {OutcomeCode.TRAINING, OutcomeCode.POSITIVE_OTHER}


def days(delta: timedelta | None) -> Decimal | None:
    if delta is None:
        return None
    return (Decimal(delta.total_seconds()) / 86400).quantize(TENTH)


def hours(delta: timedelta | None) -> Decimal | None:
    if delta is None:
        return None
    return (Decimal(delta.total_seconds()) / 3600).quantize(TENTH)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _month_label(day) -> str:
    return f"{day.year}-{day.month:02d}"


def _local_month(moment) -> date:
    if hasattr(moment, "tzinfo") and moment.tzinfo is not None:
        moment = timezone.localtime(moment)
    return date(moment.year, moment.month, 1)


# --- Referrals ------------------------------------------------------------------------------


def referrals(report: Report) -> FamilyReport:
    r = report.referrals
    people = report.people
    diagnosed = sum(1 for p in people if p.diagnoses_light or p.diagnoses_reinforced)
    reasons = dict(RefusalReason.choices)
    P, D = Unit.PEOPLE, Unit.DAYS
    figures = [
        Figure("received", _("Orientations reçues"), r["received"], P,
               _("Fiches de repérage créées pendant la période, tous prescripteurs.")),
        Figure("answered", _("Orientations répondues"), r["answered"], P,
               _("Parmi elles, celles qui ont reçu une réponse (acceptée ou refusée).")),
        Figure("accepted", _("Acceptées"), r["accepted"], P, _("Réponse : accompagnement.")),
        Figure("refused", _("Refusées"), r["refused"], P, _("Réponse : refus, motif ci-dessous.")),
        Figure("reoriented", _("Réorientées"), r["reoriented"], P,
               _("Refusées avec une orientation proposée (FLE, autre dispositif).")),
        Figure("expired", _("Expirées sans réponse"), r["expired"], P,
               _("Sans réponse au bout du délai (30 jours par défaut).")),
        Figure("withdrawn", _("Retirées"), r["withdrawn"], P, _("Retirées par le prescripteur.")),
        Figure("waiting", _("En attente de réponse"), r["waiting"], P,
               _("Toujours sans réponse aujourd'hui.")),
        Figure("median_days_to_answer", _("Délai médian de réponse"), days(r["median_answer"]), D,
               _("Médiane, en jours, du temps entre la réception et la réponse des fiches "
                 "répondues.")),
        Figure("diagnoses", _("Personnes ayant eu un diagnostic"), diagnosed, P,
               _("Personnes dont un diagnostic mobilité a eu lieu pendant la période.")),
    ]  # fmt: skip
    figures += [
        Figure(f"refused_{code}", _("Refus : %(reason)s") % {"reason": label},
               r[f"refused_{code}"], P, _("Orientations refusées pour ce motif."))
        for code, label in reasons.items()
    ]  # fmt: skip
    by_prescriber, by_month = defaultdict(int), defaultdict(int)
    for row in report.referrals_by_prescriber:
        by_prescriber[row["prescriber_organisation__name"]] += row["count"]
        by_month[_local_month(row["month"])] += row["count"]
    months = months_of(report.scope.start, report.scope.end)
    tables = [
        Table("entonnoir", _("Du repérage à l'accompagnement"), [_("Étape"), _("Personnes")],
              [None, P], [[f.label, f.value] for f in figures
                          if f.key in ("received", "answered", "accepted", "diagnoses")]),
        Table("prescripteurs", _("Orientations par prescripteur"),
              [_("Prescripteur"), _("Orientations")], [None, P],
              sorted([[name, n] for name, n in by_prescriber.items()], key=lambda r: -r[1])),
        Table("refus", _("Refus par motif"), [_("Motif"), _("Orientations")], [None, P],
              [[label, r[f"refused_{code}"]] for code, label in reasons.items()]),
        Table("orientations_mois", _("Orientations reçues par mois"),
              [_("Mois"), _("Orientations")], [None, P],
              [[_month_label(m), by_month.get(m, 0)] for m in months]),
    ]  # fmt: skip
    return FamilyReport(Family.REFERRALS, figures, tables)


# --- People: the file, diagnoses, advisers against the norm ---------------------------------


def _active_at(person, day: date) -> bool:
    return person.created_on <= day and (person.exited_on is None or person.exited_on > day)


def people(report: Report) -> FamilyReport:
    scope, rows = report.scope, report.people
    ref = scope.reference
    active = [p for p in rows if _active_at(p, ref)]
    new = sum(1 for p in rows if p.created_on >= scope.start)
    light = sum(p.diagnoses_light for p in rows)
    reinforced = sum(p.diagnoses_reinforced for p in rows)
    norm = settings.CASELOAD_NORM
    per_adviser = defaultdict(int)
    for p in active:
        per_adviser[p.adviser_id] += 1
    adviser_rows, fte_total = [], Decimal("0")
    for user_id, name, fte in report.advisers:
        capacity = (norm * fte).quantize(TENTH)
        fte_total += fte
        adviser_rows.append([name, fte, per_adviser.get(user_id, 0), capacity,
                             percent(per_adviser.get(user_id, 0), capacity)])  # fmt: skip
    capacity = (norm * fte_total).quantize(TENTH)
    P = Unit.PEOPLE
    figures = [
        Figure("followed", _("Personnes suivies pendant la période"), len(rows), P,
               _("Dossiers ouverts avant la fin de la période et sans sortie avant son début.")),
        Figure("new", _("Nouvelles personnes"), new, P,
               _("Dossiers ouverts pendant la période.")),
        Figure("active", _("File active"), len(active), P,
               _("Personnes suivies à la fin de la période (ou aujourd'hui) : dossier ouvert, "
                 "sans sortie.")),
        Figure("diagnoses", _("Diagnostics mobilité"), light + reinforced, Unit.COUNT,
               _("Diagnostics tenus pendant la période.")),
        Figure("light_advice", _("dont conseil ponctuel"), light, Unit.COUNT,
               _("Diagnostics concluant à un conseil ponctuel.")),
        Figure("reinforced", _("dont accompagnement renforcé"), reinforced, Unit.COUNT,
               _("Diagnostics concluant à un accompagnement renforcé.")),
        Figure("fte", _("Conseiller·ères (ETP)"), fte_total.quantize(TENTH), Unit.DAYS,
               _("Somme des temps de travail des conseiller·ères (1 = temps plein).")),
        Figure("load", _("Charge de la file active"), percent(len(active), capacity), Unit.RATE,
               _("File active ÷ (%(norm)s personnes × ETP) : la norme est de %(norm)s "
                 "personnes par référent·e à temps plein.") % {"norm": norm},
               Decimal(100)),
    ]  # fmt: skip
    tables = [
        Table("file_active", _("File active par conseiller·ère"),
              [_("Conseiller·ère"), _("ETP"), _("File active"), _("Norme"), _("Charge (%)")],
              [None, Unit.DAYS, P, Unit.DAYS, Unit.RATE], adviser_rows),
        Table("diagnostics", _("Diagnostics par décision"), [_("Décision"), _("Diagnostics")],
              [None, Unit.COUNT],
              [[DiagnosisDecision.LIGHT_ADVICE.label, light],
               [DiagnosisDecision.REINFORCED.label, reinforced]]),
    ]  # fmt: skip
    return FamilyReport(Family.PEOPLE, figures, tables)


# --- Follow-up cadence and support contracts ------------------------------------------------


def contract_dates(support_start: date, until: date, since: date | None = None) -> list[date]:
    """Start of every support contract (6 months by default, renewable) from the start of
    reinforced support until `until` — only those from `since` on, if given (the first
    contract always counts as the first, whichever are listed)."""
    months, dates, k = settings.SUPPORT_CONTRACT_MONTHS, [], 0
    if since is not None:  # skip the contracts that began at least a term before `since`
        gone = (since.year - support_start.year) * 12 + since.month - support_start.month
        k = max(gone // months - 1, 0)
    while (day := add_months(support_start, k * months)) <= until:
        dates.append(day)
        k += 1
    return dates


def follow_up(report: Report) -> FamilyReport:
    scope, ref = report.scope, report.scope.reference
    window = settings.FOLLOW_UP_OVERDUE_DAYS
    month_start = ref.replace(day=1)
    month_end = add_months(month_start, 1) - timedelta(days=1)
    reinforced, seen, overdue, never = [], 0, [], 0
    running = started = due = 0
    for p in report.people:
        if p.support_start is None:
            continue
        exit_day = p.exited_on
        in_support_until = min(exit_day, scope.end) if exit_day else scope.end
        if p.support_start <= scope.end and in_support_until >= scope.start:
            running += 1  # a contract in force at some time of the period
        contracts = contract_dates(p.support_start, max(in_support_until, month_end),
                                   since=min(scope.start, month_start))  # fmt: skip
        started += sum(1 for d in contracts if scope.start <= d <= min(scope.end, in_support_until))
        due += sum(1 for d in contracts if p.support_start < d  # renewals only
                   and month_start <= d <= month_end
                   and (exit_day is None or exit_day > d))  # fmt: skip
        if not (_active_at(p, ref) and p.support_start <= ref and p.last_decision == "reinforced"):
            continue
        reinforced.append(p)
        last = max(d for d in (p.last_seen, p.support_start) if d is not None)
        if p.last_seen is None:
            never += 1
        if (ref - last).days <= window:
            seen += 1
        else:
            overdue.append((p, last))
    P = Unit.PEOPLE
    figures = [
        Figure("reinforced", _("Personnes en accompagnement renforcé"), len(reinforced), P,
               _("À la fin de la période (ou aujourd'hui) : dernier diagnostic « renforcé », "
                 "sans sortie.")),
        Figure("seen_within_6_weeks", _("Vues dans les 6 dernières semaines"), seen, P,
               _("Dernier entretien de suivi (ou le diagnostic) il y a %(days)s jours au plus.")
               % {"days": window}),
        Figure("seen_share", _("Part vue dans les 6 semaines"), percent(seen, len(reinforced)),
               Unit.RATE, _("Personnes vues dans les 6 semaines ÷ personnes en renforcé ; "
                            "norme : un entretien au moins toutes les 6 semaines."),
               Decimal(100)),
        Figure("overdue", _("Suivis en retard"), len(overdue), P,
               _("Personnes en renforcé sans entretien depuis plus de %(days)s jours.")
               % {"days": window}),
        Figure("never_seen", _("Sans aucun entretien de suivi"), never, P,
               _("Personnes en renforcé sans entretien depuis le diagnostic.")),
        Figure("contracts_running", _("Contrats d'accompagnement en cours"), running,
               Unit.COUNT, _("Contrats (6 mois, renouvelables, à partir du diagnostic "
                             "« renforcé ») en vigueur à un moment de la période.")),
        Figure("contracts_started", _("Contrats signés ou renouvelés"), started, Unit.COUNT,
               _("Débuts de contrat (premier ou renouvellement) pendant la période.")),
        Figure("renewals_due", _("Renouvellements à faire ce mois-ci"), due, Unit.COUNT,
               _("Contrats arrivant à leur terme dans le mois de la date de référence, "
                 "personne toujours suivie.")),
    ]  # fmt: skip
    overdue.sort(key=lambda item: item[1])
    tables = [
        Table("retards", _("Suivis en retard"),
              [_("Personne"), _("Dernier contact"), _("Jours sans contact")],
              [None, None, Unit.COUNT],
              [[f"{p.last_name.upper()} {p.first_name}", last.isoformat(), (ref - last).days,
                p.pk] for p, last in overdue], personal=True),
    ]  # fmt: skip
    return FamilyReport(Family.FOLLOW_UP, figures, tables)
