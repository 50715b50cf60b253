"""What a funder sees: only the programmes it pays for, aggregated, never a person; counts
of people under 5 are written "< 5" by the pages and exports (`reporting.display`)."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from beneficiaries.enums import OutcomeCode
from beneficiaries.selectors_indicators import outcome_counts
from core.formatting import cents, percent
from financing.selectors_indicators import funded_beneficiary_ids, programme_rows
from reporting.enums import Unit
from reporting.selectors import Figure, Scope, Table
from reporting.selectors_families import ACTIVITY, EMPLOYMENT
from reporting.selectors_money import elapsed_share

ZERO = Decimal("0.00")


def funder_report(*, funder_ids, platform_ids, start: date, end: date):
    """(figures, tables) of the funder's programmes (of `platform_ids` only, when given: a
    platform admin looking at what its funder sees). Three queries."""
    scope = Scope(tuple(platform_ids) if platform_ids is not None else None, start, end)
    programmes = programme_rows(platform_ids=platform_ids, funder_ids=funder_ids,
                                start=start, end=end)  # fmt: skip
    helped = funded_beneficiary_ids(funder_ids=funder_ids, start=start, end=end)
    if platform_ids is not None:
        helped = helped.filter(programme__platform_id__in=platform_ids)
    exits = outcome_counts(beneficiary_ids=helped, start=start, end=end)
    total_exits = sum(exits.values())
    employment = sum(exits.get(c, 0) for c in EMPLOYMENT)
    activity = sum(exits.get(c, 0) for c in ACTIVITY)
    budget = sum((p["budget"] for p in programmes), ZERO)
    committed = sum((p["committed"] for p in programmes), ZERO)
    P, M = Unit.PEOPLE, Unit.MONEY
    figures = [
        Figure("programmes", _("Enveloppes"), len(programmes), Unit.COUNT,
               _("Vos enveloppes ouvertes pendant la période.")),
        Figure("budget", _("Budget"), cents(budget), M, _("Budget de ces enveloppes.")),
        Figure("committed", _("Engagé"), cents(committed), M,
               _("Aides accordées et pas annulées, à ce jour.")),
        Figure("paid", _("Payé"), cents(sum((p["paid"] for p in programmes), ZERO)), M,
               _("Aides payées, à ce jour.")),
        Figure("granted", _("Aides accordées pendant la période"),
               cents(sum((p["granted"] for p in programmes), ZERO)), M,
               _("Aides approuvées ou payées, demandées pendant la période.")),
        Figure("awards", _("Nombre d'aides"), sum(p["award_count"] for p in programmes), P,
               _("Aides approuvées ou payées de la période.")),
        Figure("exits", _("Sorties des personnes aidées"), total_exits, P,
               _("Sorties, pendant la période, des personnes aidées par vos enveloppes.")),
        Figure("employment", _("dont vers l'emploi"), employment, P,
               _("Emploi durable ou de transition.")),
        Figure("activity", _("dont retour à l'activité ou à l'emploi"), activity, P,
               _("Emploi, formation qualifiante ou autre sortie positive.")),
        Figure("unknown", _("dont sans information"), exits.get(OutcomeCode.UNKNOWN, 0), P,
               _("Sorties « inconnues » : jamais comptées comme un succès.")),
    ]  # fmt: skip
    tables = [
        Table("enveloppes", _("Vos enveloppes"),
              [_("Enveloppe"), _("Budget"), _("Engagé"), _("Payé"), _("Consommé (%)"),
               _("Temps écoulé (%)"), _("Aides de la période"), _("Personnes aidées")],
              [None, M, M, M, Unit.RATE, Unit.RATE, P, P],
              [[p["name"], cents(p["budget"]), cents(p["committed"]), cents(p["paid"]),
                percent(p["committed"], p["budget"]), elapsed_share(p, scope),
                p["award_count"], p["people_count"]] for p in programmes]),
        Table("sorties", _("Sorties des personnes aidées"), [_("Situation"), _("Personnes")],
              [None, P], [[label, exits.get(code, 0)] for code, label in OutcomeCode.choices]),
    ]  # fmt: skip
    return figures, tables
