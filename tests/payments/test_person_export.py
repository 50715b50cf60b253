"""A person's data export (right of access) holds what the apps above beneficiaries keep on
them: bookings with the partners, grants, loans with their schedule, online payments."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from beneficiaries import privacy
from financing import services as financing
from financing.models import Installment, Loan
from payments.enums import PaymentStatus
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.test_documents import make_booking
from tests.factories import OrganisationFactory
from tests.partners.factories import PartnerFactory, ServiceFactory
from tests.payments.conftest import pay

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_export_holds_bookings_grants_loans_and_payments(
    adviser, finance_officer, platform, partner_org
):
    lea = BeneficiaryFactory(platform=platform, adviser=adviser, first_name="Léa")
    other = BeneficiaryFactory(platform=platform, adviser=adviser)
    service = ServiceFactory(partner=PartnerFactory(organisation=partner_org), name="Vidange")
    booking = make_booking(service, lea, datetime(2026, 11, 2, 9, tzinfo=UTC))
    theirs = make_booking(service, other, datetime(2026, 11, 3, 9, tzinfo=UTC))
    programme = financing.programme_create(
        actor=finance_officer, platform_id=platform.pk,
        funder_id=OrganisationFactory(funder=True, platform=platform).pk, name="Aide garage",
        budget=D("1000.00"), starts_on=date(2025, 1, 1),
    )  # fmt: skip
    for person, amount in ((lea, "300"), (other, "200")):
        financing.award_create(
            actor=finance_officer, programme_id=programme.pk, beneficiary=person, amount=D(amount)
        )
    loan = Loan.objects.create(
        platform=platform, beneficiary=lea, lender=OrganisationFactory(funder=True),
        principal=D("500.00"), annual_rate=D("1"), term_months=10, first_due_on=date(2026, 1, 1),
        kind="micro_credit",
    )  # fmt: skip
    Installment.objects.create(loan=loan, number=1, due_on=date(2026, 1, 1),
                               principal_due=D("50.00"), interest_due=D("0.42"))  # fmt: skip
    pay(booking, "12.50", PaymentStatus.SUCCEEDED, refunded="2.50")
    pay(theirs, "8.00", PaymentStatus.SUCCEEDED)

    data = privacy.beneficiary_export(user=adviser, beneficiary_id=lea.pk)

    (row,) = data["bookings"]
    assert (row["reference"], row["service_name"], row["status"]) == (
        booking.reference,
        "Vidange",
        booking.status,
    )
    assert row["partner_name"] == partner_org.name and row["starts_at"].startswith("2026-11-02")
    assert [(g["programme_name"], g["amount"]) for g in data["grants"]] == [
        ("Aide garage", "300.00")
    ]
    (exported_loan,) = data["loans"]
    assert (exported_loan["principal"], exported_loan["kind"]) == ("500.00", "micro_credit")
    assert exported_loan["installments"] == [{
        "number": 1, "due_on": "2026-01-01", "principal_due": "50.00", "interest_due": "0.42",
        "principal_paid": "0.00", "interest_paid": "0.00",
    }]  # fmt: skip
    (payment,) = data["payments"]
    assert (payment["amount"], payment["amount_refunded"], payment["booking_reference"]) == (
        "12.50",
        "2.50",
        booking.reference,
    )
    # Each their own: the other person's export holds their booking, grant and payment only.
    data = privacy.beneficiary_export(user=adviser, beneficiary_id=other.pk)
    assert [row["reference"] for row in data["bookings"]] == [theirs.reference]
    assert [g["amount"] for g in data["grants"]] == ["200.00"]
    assert data["loans"] == []
    assert [(p["amount"], p["booking_reference"]) for p in data["payments"]] == [
        ("8.00", theirs.reference)
    ]
