"""Who may do what with payments: predicates over the need-to-know table."""

from accounts.need_to_know import DataKind, Mode, may


def can_manage_payments(user, platform_id) -> bool:
    """Finance officers (and platform admins) of the platform: lists, refunds, mandates."""
    return may(user, DataKind.PAYMENTS, Mode.WRITE, organisation=platform_id)


def can_pay_share(user, platform_id=None) -> bool:
    """The person, their adviser (and platform admins) pay a booking's share online."""
    return may(user, DataKind.SHARE_PAYMENT, Mode.WRITE, organisation=platform_id)
