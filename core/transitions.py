"""State machines, done one way (DESIGN §4).

Each app keeps its transition table in its `enums.py` (from-status → the statuses it may go
to: `bookings.enums.TRANSITIONS`, `financing.enums.LOAN_TRANSITIONS`, `AWARD_TRANSITIONS`,
`beneficiaries.enums.REFERRAL_TRANSITIONS`). A transition service locks its row, calls
`ensure_transition` (409 `invalid_transition`, naming the current status, before any side
effect), does its work, writes its own event row where the app keeps one (`BookingEvent`),
saves, and calls `record_transition` for the audit row, in the same transaction.
"""

from collections.abc import Collection, Mapping

from django.db import models
from django.utils.translation import gettext as _

from core import hooks
from core.audit import audit_log
from core.errors import InvalidTransition

Table = Mapping[str, Collection[str]]


def allowed_targets(table: Table, status: str) -> list[str]:
    """The statuses `status` may go to, in a stable order (for the buttons of a page)."""
    return sorted(table.get(status, ()))


def ensure_transition(
    table: Table, instance: models.Model, to: str, *, subject: str, field: str = "status"
) -> str:
    """The current status, when the table lets it go to `to`; otherwise InvalidTransition.

    `subject` names the thing in the message, with its article (« la réservation »)."""
    current = getattr(instance, field)
    if to not in table.get(current, ()):
        status = getattr(instance, f"get_{field}_display")()
        raise InvalidTransition(
            _("Impossible : %(subject)s est « %(status)s ».")
            % {"subject": subject, "status": status}
        )
    return current


def record_transition(
    instance: models.Model, *, actor, name: str, from_status: str, to: str,
    data: dict | None = None,
) -> None:  # fmt: skip
    """The audit row of a transition: action `<name>.<to>` (`booking.confirmed`), with the
    status it left. Call it in the transaction of the change, once the row is saved."""
    audit_log(
        actor=actor,
        action=f"{name}.{to}",
        target=instance,
        data={"from": str(from_status), **(data or {})},
    )
    hooks.transition_recorded.send(
        sender=type(instance), instance=instance, name=name, from_status=str(from_status), to=to
    )
