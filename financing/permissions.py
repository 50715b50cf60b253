from accounts import permissions as p


def can_manage_finance(user, platform_id) -> bool:
    """Finance officers (and platform admins) run programmes, loans and repayments."""
    return p.is_finance_officer(user, platform_id) or p.is_platform_admin(user, platform_id)


def can_plan(user, platform_id) -> bool:
    """Advisers build a booking's financing plan; finance officers too."""
    return p.is_adviser(user, platform_id) or can_manage_finance(user, platform_id)
