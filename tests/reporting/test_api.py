"""`GET /api/v1/reports/indicators/?from=&to=`: the contract's shape and types, platform
staff only, a query count that does not grow with the data, bad input as 400."""

import re

import pytest

from accounts.enums import Role
from reporting.enums import Family
from tests.factories import OrganisationFactory, member
from tests.partners.factories import PartnerFactory
from tests.reporting.test_pages import _more

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/indicators/?from=2025-01-01&to=2025-12-31"


def test_one_object_with_every_family_typed_as_the_contract_says(api_client, world):
    api_client.force_authenticate(world.users[Role.ADMIN])
    response = api_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["platform"], body["from"], body["to"]) == (world.platform.pk, "2025-01-01",
                                                             "2025-12-31")  # fmt: skip
    assert set(body) == {"platform", "from", "to", *Family.values}
    assert (
        body["referrals"]["received"] == 5 and body["referrals"]["median_days_to_answer"] == "2.0"
    )
    assert body["people"]["active"] == 4
    assert body["follow_up"]["seen_share"] == "33.3"
    assert body["outcomes"]["employment_exit_rate"] == "50.0" and body["outcomes"]["unknown"] == 1
    assert body["bookings"]["no_show_rate"] == "33.3"
    assert body["savings"]["savings"] == "110.00"
    assert body["financing"]["paid_by_people"] == "435.00"
    assert body["financing"]["par30"] == "50.0"
    for family in Family.values:
        for key, value in body[family].items():
            assert (
                value is None or isinstance(value, int) or re.fullmatch(r"-?\d+\.\d{1,2}", value)
            ), (family, key, value)


def test_the_default_period_is_this_year(api_client, world):
    api_client.force_authenticate(world.users[Role.ADMIN])
    body = api_client.get("/api/v1/reports/indicators/").json()
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-12-31")
    assert body["referrals"]["received"] == 0


@pytest.mark.parametrize("who", ["adviser", Role.FINANCE_OFFICER])
def test_platform_staff_read_their_platform(api_client, world, who):
    user = world.advisers[0] if who == "adviser" else world.users[who]
    api_client.force_authenticate(user)
    assert api_client.get(URL).json()["platform"] == world.platform.pk


def test_others_are_refused(api_client, world):
    partner_org = OrganisationFactory(partner=True)
    PartnerFactory(organisation=partner_org)
    prescriber = OrganisationFactory(prescriber=True, platform=world.platform)
    refused = [member(Role.PARTNER_MANAGER, partner_org), member(Role.PARTNER_STAFF, partner_org),
               member(Role.PRESCRIBER, prescriber), world.users[Role.FUNDER]]  # fmt: skip
    for user in refused:
        api_client.force_authenticate(user)
        assert api_client.get(URL).status_code == 403, user
    api_client.force_authenticate(None)
    assert api_client.get(URL).status_code == 401
    api_client.force_authenticate(world.users["other_admin"])
    assert api_client.get(URL + f"&platform={world.platform.pk}").status_code == 404
    assert api_client.get(URL).json()["referrals"]["received"] == 1  # the other platform's


@pytest.mark.parametrize("query,field", [
    ("?from=2025-02-30", "from"), ("?from=2025-12-31&to=2025-01-01", "to"),
    ("?from=2000-01-01&to=2025-01-01", "to"), ("?platform=abc", "platform"), ("?to=", "to"),
])  # fmt: skip
def test_bad_periods_are_400(api_client, world, query, field):
    api_client.force_authenticate(world.users[Role.ADMIN])
    response = api_client.get("/api/v1/reports/indicators/" + query)
    assert response.status_code == 400 and field in response.json()


def test_query_count_is_flat(api_client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(world.users[Role.ADMIN])
    counts = []
    api_client.get(URL)  # the first request fills the per-user caches
    for extra in (0, 20):
        _more(world, extra)
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15
