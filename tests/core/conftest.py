import pytest

from tests.core.bad_input import build_world


@pytest.fixture
def world(platform, adviser, finance_officer, partner_org, prescriber_org) -> dict:
    """Ids of one of each thing the URLs name (tests/core/bad_input.py)."""
    return build_world(
        platform=platform,
        adviser=adviser,
        finance_officer=finance_officer,
        partner_org=partner_org,
        prescriber_org=prescriber_org,
    )
