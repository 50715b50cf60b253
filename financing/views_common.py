"""What the finance pages share (HTML, French): who may open them, and the plain French they
use for people, loans and instalments (amounts, rates and days: `core.formatting`).

The pages are split by subject: `views_programmes` (grant envelopes and their awards),
`views_portfolio` (the portfolio, the instalments of the month, late borrowers, exports),
`views_loans` (loans with their schedule and ledger) and `views_plan` (a booking's financing
plan, built by the adviser).

Finance officers and platform admins run these pages; advisers read their platform's loans
(list and loan page, without any button) and build financing plans; anyone else gets 403,
and an object of another platform is 404. Every write goes through `financing.services` or
`financing.loans`; their errors come back in French next to the form, with their status."""

import re
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.enums import OrganisationKind
from accounts.scoping import platform_ids
from core.errors import PermissionDeniedError
from core.formatting import euros, percent
from financing import selectors

T = "financing/"
ZERO = Decimal("0.00")
LENDER_KINDS = (OrganisationKind.FUNDER, OrganisationKind.PLATFORM)
AMOUNT_IN_MESSAGE = re.compile(r"(-?\d+\.\d{2})\s?€")


# --- Access and plain French ----------------------------------------------------------------


def _finance_platforms(user) -> set[int]:
    found = platform_ids(user, roles=selectors.FINANCE_ROLES)
    if not found:
        raise PermissionDeniedError(
            _("Ces pages sont réservées aux chargé·es de financement et à la coordination.")
        )
    return found


def _read_platforms(user) -> set[int]:
    found = platform_ids(user, roles=selectors.READ_ROLES)
    if not found:
        raise PermissionDeniedError(_("Ces pages sont réservées à l'équipe de la plateforme."))
    return found


def bar_width(part, whole) -> str:
    """A CSS width (dot decimal, 0–100 %) for a bar drawn next to its figures."""
    return f"{min(max(percent(part, whole), ZERO), Decimal(100))}%"


def person_text(person) -> str:
    return f"{person.last_name.upper()} {person.first_name}"


def days_text(days: int) -> str:
    return ngettext("%(n)s jour", "%(n)s jours", days) % {"n": days}


def loan_label(loan) -> str:
    """« Microcrédit personnel accompagné de 2 000,00 € — Caisse d'Épargne (Décaissé) »."""
    return _("%(kind)s de %(amount)s — %(lender)s (%(status)s)") % {
        "kind": loan.get_kind_display(),
        "amount": euros(loan.principal),
        "lender": loan.lender.name,
        "status": loan.get_status_display().lower(),
    }


def french_amounts(message: str) -> str:
    """« 250.50 € » → « 250,50 € » in a service's message (until the services say amounts
    the French way themselves)."""
    return AMOUNT_IN_MESSAGE.sub(lambda m: euros(Decimal(m.group(1))), message)


def allocation_text(allocation) -> str:
    """« échéance 3 (intérêts 7,30 €, capital 79,94 €) ; 12,00 € gardés en avance »."""
    parts = [
        _("échéance %(n)s (intérêts %(interest)s, capital %(principal)s)")
        % {"n": n, "interest": euros(interest), "principal": euros(principal)}
        for n, interest, principal in allocation.parts
    ]
    if allocation.credit:
        parts.append(_("%(amount)s gardés en avance (trop-perçu)") % {
            "amount": euros(allocation.credit)
        })  # fmt: skip
    return " ; ".join(parts) or _("rien à payer")


# --- Instalments (the month's list and the loan page) ---------------------------------------


def _amounts(item) -> dict:
    return {
        "amount_due": euros(item.amount_due),
        "paid": euros(item.principal_paid + item.interest_paid),
        "remaining": euros(item.outstanding),
    }


def installment_state(installment, today: date) -> tuple[str, bool]:
    """(« en retard de 12 jours, payée en partie », late?) for an instalment of a loan that
    is being repaid."""
    remaining = installment.outstanding
    paid = installment.principal_paid + installment.interest_paid
    if remaining <= 0:
        return _("payée"), False
    if installment.due_on < today:
        text = _("en retard de %(days)s") % {"days": days_text((today - installment.due_on).days)}
        if paid:
            text += _(", payée en partie")
        return text, True
    if installment.due_on == today:
        return _("à payer aujourd'hui"), False
    return (_("à venir, payée en partie") if paid else _("à venir")), False
