"""The loans list's one selector, shared by `GET /api/v1/loans/` and the loans page."""

from datetime import date
from decimal import Decimal

import pytest

from financing import selectors
from financing.models import Loan
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def loan(platform, person, lender, **fields) -> Loan:
    return Loan.objects.create(
        platform=platform, beneficiary=person, lender=lender, principal=Decimal("500.00"),
        annual_rate=Decimal("1"), term_months=10, first_due_on=date(2026, 1, 1),
        **{"kind": "micro_credit", **fields},
    )  # fmt: skip


@pytest.fixture
def loans(platform, adviser, other_platform):
    lender = OrganisationFactory(funder=True)
    lea = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Léa",
                             last_name="Martin")  # fmt: skip
    karim = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Karim",
                               last_name="Haddad")  # fmt: skip
    foreign = BeneficiaryFactory(platform=other_platform)
    return {
        "first": loan(platform, lea, lender),
        "late": loan(platform, lea, lender, kind="association_loan", status="disbursed",
                     arrears_bucket="31-60"),
        "karim": loan(platform, karim, lender, status="approved"),
        "foreign": loan(other_platform, foreign, lender),
    }  # fmt: skip


def ids(queryset) -> list[int]:
    return [item.pk for item in queryset]


def test_filters_the_latest_first_within_what_the_user_reads(finance_officer, loans):
    def found(**filters) -> list[int]:
        return ids(selectors.loan_list_filtered(user=finance_officer, **filters))

    assert found() == [loans["karim"].pk, loans["late"].pk, loans["first"].pk]
    assert found(person="MARTIN léa") == [loans["late"].pk, loans["first"].pk]
    assert found(status="approved") == [loans["karim"].pk]
    assert found(kind="association_loan") == [loans["late"].pk]
    assert found(bucket="31-60") == [loans["late"].pk]
    assert found(beneficiary_id=loans["karim"].beneficiary_id) == [loans["karim"].pk]
    assert found(beneficiary_id=loans["foreign"].beneficiary_id) == []


def test_the_api_offers_the_pages_filters(api_client, finance_officer, loans):
    api_client.force_authenticate(finance_officer)

    def found(**params) -> list[int]:
        response = api_client.get("/api/v1/loans/", params)
        assert response.status_code == 200, response.data
        return [item["id"] for item in response.data["results"]]

    assert found(person="haddad") == [loans["karim"].pk]
    assert found(bucket="31-60", kind="association_loan") == [loans["late"].pk]
    assert found(beneficiary=loans["first"].beneficiary_id, status="disbursed") == [
        loans["late"].pk
    ]
    # A value out of its list is a 400 naming the field (it used to be silently ignored).
    for params in ({"status": "nope"}, {"kind": "payday"}, {"beneficiary": "x"}):
        response = api_client.get("/api/v1/loans/", params)
        assert response.status_code == 400 and set(response.data) == set(params)
