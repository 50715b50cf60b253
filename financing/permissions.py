"""Who runs the money of a platform: predicates over the need-to-know table
(`accounts.need_to_know`)."""

from accounts.need_to_know import DataKind, Mode, may


def can_manage_finance(user, platform_id, kind: DataKind = DataKind.LOANS) -> bool:
    """Finance officers (and platform admins) run programmes, loans and repayments."""
    return may(user, kind, Mode.WRITE, organisation=platform_id)


def can_plan(user, platform_id) -> bool:
    """Advisers build a booking's financing plan; finance officers too."""
    return may(user, DataKind.FINANCING_PLAN, Mode.WRITE, organisation=platform_id)
