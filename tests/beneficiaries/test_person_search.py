"""The person search (`GET /personnes/recherche/?q=`): names, commune and birth year,
accents and case aside; the caller's platform only; staff of the platform only; at most 20
people; one query whatever the number of people."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.enums import Role
from beneficiaries.duplicates import search_text, search_words
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.models import Beneficiary
from beneficiaries.selectors import SEARCH_LIMIT, beneficiary_search
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

URL = reverse("beneficiary_search")


def found(client, user, q: str) -> list[str]:
    client.force_login(user)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


@pytest.fixture
def people(platform, other_platform):
    return {
        "helene": BeneficiaryFactory(
            platform=platform, first_name="Hélène", last_name="Lefèvre-Ça",
            commune="Montluçon", birth_date=date(1988, 4, 2),
        ),
        "lea": BeneficiaryFactory(
            platform=platform, first_name="Léa", last_name="Martin", commune="Moulins",
            birth_date=date(1990, 1, 5),
        ),
        "closed": BeneficiaryFactory(
            platform=platform, first_name="Léa", last_name="Martinez", commune="Moulins",
            status=BeneficiaryStatus.CLOSED,
        ),
        "elsewhere": BeneficiaryFactory(
            platform=other_platform, first_name="Léa", last_name="Martin", commune="Vichy",
            birth_date=date(1990, 1, 5),
        ),
    }  # fmt: skip


def test_search_words_and_text_drop_accents_case_and_punctuation():
    assert search_words("  Hélène LEFÈVRE-ça, 1988 ") == ["helene", "lefevre", "ca", "1988"]
    person = Beneficiary(
        first_name="Hélène", last_name="Lefèvre-Ça", commune="Montluçon",
        birth_date=date(1988, 4, 2),
    )  # fmt: skip
    assert search_text(person) == "lefevre ca helene montlucon 1988"


@pytest.mark.parametrize(
    "q",
    ["helene", "HÉLÈNE", "lefevre", "Lefèvre-Ça", "montlucon", "MONTLUÇON", "1988",
     "hel mont 88", "ca helene"],
)  # fmt: skip
def test_the_search_finds_by_name_commune_or_birth_year_whatever_the_accents(
    client, adviser, people, q
):
    assert found(client, adviser, q) == ["LEFÈVRE-ÇA Hélène (1988) — Montluçon"]


def test_only_the_callers_platform_and_open_files_are_found(client, adviser, people):
    # Léa Martin of the other platform (same name, same birth date) is never found; the
    # closed file of Léa Martinez neither.
    assert found(client, adviser, "lea mart") == ["MARTIN Léa (1990) — Moulins"]
    assert found(client, adviser, "vichy") == []
    assert found(client, adviser, "") == []
    assert found(client, adviser, "x" * 500) == []


def test_the_search_is_saved_with_the_person_and_follows_its_changes(adviser, people):
    lea = people["lea"]
    lea.commune = "Yzeure"
    lea.save()
    assert [p.pk for p in beneficiary_search(user=adviser, q="yzeure")] == [lea.pk]
    assert beneficiary_search(user=adviser, q="moulins lea") == []


def test_at_most_twenty_people_by_name(client, adviser, platform):
    for i in range(SEARCH_LIMIT + 5):
        BeneficiaryFactory(platform=platform, first_name="Paul", last_name=f"Durand{i:02d}")
    labels = found(client, adviser, "durand")
    assert len(labels) == SEARCH_LIMIT
    assert labels[0].startswith("DURAND00 Paul") and labels[-1].startswith("DURAND19 Paul")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin_user", 200), ("adviser", 200), ("finance_officer", 200),
        ("partner_manager", 403), ("partner_staff", 403), ("prescriber", 403),
    ],
)  # fmt: skip
def test_staff_of_the_platform_only(client, request, people, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL, {"q": "martin"})
    assert response.status_code == status
    if status == 200:
        assert [r["label"] for r in response.json()["results"]] == ["MARTIN Léa (1990) — Moulins"]
    else:
        # (not "Martin" alone: the signed-in user's own made-up name may be Martin)
        assert "Léa".encode() not in response.content and b"Moulins" not in response.content


def test_the_person_themself_and_anonymous_visitors_are_refused(client, platform, people):
    user = UserFactory()
    BeneficiaryFactory(platform=platform, user=user, first_name="Zoé", last_name="Martin")
    client.force_login(user)
    assert client.get(URL, {"q": "martin"}).status_code == 403
    client.logout()
    response = client.get(URL, {"q": "martin"})
    assert response.status_code == 302
    assert "next=/personnes/recherche/" in response.url


def test_a_member_of_another_platform_finds_only_its_own(client, other_platform, people):
    adviser = member(Role.ADVISER, other_platform)
    assert found(client, adviser, "martin") == ["MARTIN Léa (1990) — Vichy"]


@pytest.mark.parametrize("count", [10, 5000])
def test_the_query_count_does_not_grow_with_the_people(
    client, adviser, platform, count, django_assert_num_queries
):
    batch = []
    for i in range(count):
        person = Beneficiary(
            platform=platform, first_name="Jeanne", last_name=f"Dupont{i:04d}",
            commune="Vichy", birth_date=date(1980, 1, 1),
        )  # fmt: skip
        person.search_text = search_text(person)
        batch.append(person)
    Beneficiary.objects.bulk_create(batch, batch_size=1000)
    client.force_login(adviser)
    # session, user, memberships (need-to-know), the search
    with django_assert_num_queries(4):
        response = client.get(URL, {"q": "jeanne dupont"})
    assert len(response.json()["results"]) == min(count, SEARCH_LIMIT)


def test_an_anonymised_person_loses_the_search_text_and_is_never_found(adviser, people):
    from beneficiaries import privacy

    helene = people["helene"]
    privacy.anonymise(helene)
    helene.refresh_from_db()
    assert helene.search_text == ""
    assert beneficiary_search(user=adviser, q="montlucon") == []
    assert beneficiary_search(user=adviser, q="anonyme") == []
