"""Who runs and who reads statements: predicates over the need-to-know table."""

from accounts.need_to_know import DataKind, Mode, may
from settlements.enums import PARTNER_VISIBLE


def can_run_settlements(user, platform_id) -> bool:
    """Finance officers (and admins) of the platform build, issue, pay and export."""
    return may(user, DataKind.SETTLEMENTS, Mode.WRITE, organisation=platform_id)


def can_read_settlement(user, settlement) -> bool:
    """The platform's finance team; the partner's manager once the statement is issued."""
    if can_run_settlements(user, settlement.platform_id):
        return True
    return settlement.status in PARTNER_VISIBLE and may(
        user, DataKind.SETTLEMENTS, organisation=settlement.partner.organisation_id
    )
