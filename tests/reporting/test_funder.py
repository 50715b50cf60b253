"""The funder's view: its programmes only, aggregated; no figure under 5 people, no name;
other funders' and other platforms' data never in."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role

pytestmark = pytest.mark.django_db
URL = reverse("reporting_funder") + "?from=2025-01-01&to=2025-12-31"


def page(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_a_funder_sees_its_programme_aggregated(client, world):
    html = page(client, world.users[Role.FUNDER])
    assert "Aide réparation" in html
    assert "Aide Région" not in html and "Aide Cher" not in html  # another funder's
    assert "1\xa0000,00\xa0€" in html and "350,00\xa0€" in html  # budget, committed
    # 3 awards, 3 people, 1 exit: all under 5.
    assert html.count("&lt; 5") >= 4


def test_no_name_and_no_small_count_anywhere(client, world):
    html = page(client, world.users[Role.FUNDER])
    # The page's content, whole words: the header names the signed-in funder, whose made-up
    # name may be a person's too.
    main = html.split("<main", 1)[1].split("</main>", 1)[0]

    def shown(name: str) -> bool:
        return re.search(rf"\b{re.escape(name)}\b", main) is not None

    for person in world.people.values():
        assert not shown(person.last_name) and not shown(person.first_name)
    for adviser in world.advisers:
        assert not shown(adviser.last_name)
    people = re.findall(
        r'id="indicator-funder-(awards|exits|employment|activity|unknown)">\s*<dt>[^<]*</dt>\s*'
        r'<dd><strong class="indicator-value">([^<]*)<',
        main,
    )
    assert len(people) == 5
    for key, value in people:
        assert value not in ("1", "2", "3", "4"), (key, value)
    assert ("awards", "&lt; 5") in people and ("unknown", "0") in people


def test_a_funder_of_two_platforms_sees_its_own_programmes_only(client, world):
    html = page(client, world.users["other_funder"])
    assert "Aide Région" in html and "Aide Cher" in html
    assert "Aide réparation" not in html


def test_a_platform_admin_sees_what_its_funders_see_of_its_own_platform(client, world):
    html = page(client, world.users[Role.ADMIN])
    assert "Aide réparation" in html and "Aide Région" in html
    assert "Aide Cher" not in html  # the other platform's
    html = page(client, world.users["other_admin"])
    assert "Aide Cher" in html and "Aide réparation" not in html


@pytest.mark.parametrize("who", [Role.FINANCE_OFFICER, "adviser"])
def test_other_staff_do_not_get_the_funder_view(client, world, who):
    user = world.advisers[0] if who == "adviser" else world.users[who]
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_a_funder_gets_no_platform_dashboard_nor_api(client, api_client, world):
    client.force_login(world.users[Role.FUNDER])
    assert client.get(reverse("reporting_dashboard")).status_code == 403
    api_client.force_authenticate(world.users[Role.FUNDER])
    assert api_client.get("/api/v1/reports/indicators/").status_code == 403


def test_the_funder_view_costs_the_same_whatever_the_data(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reporting.test_pages import _more

    client.force_login(world.users[Role.FUNDER])
    client.get(URL)
    counts = []
    for extra in (0, 10):
        _more(world, extra)
        with CaptureQueriesContext(connection) as queries:
            client.get(URL)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15
