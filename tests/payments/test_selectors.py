"""What a person paid of their share online, per booking, net of refunds."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from payments.enums import PaymentStatus
from payments.selectors import paid_online_by_booking
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.bookings.test_documents import make_booking
from tests.partners.factories import PartnerFactory, ServiceFactory
from tests.payments.conftest import pay

pytestmark = pytest.mark.django_db
D = Decimal


def test_paid_online_sums_money_that_arrived_net_of_refunds(platform, adviser, partner_org):
    person = BeneficiaryFactory(platform=platform, adviser=adviser)
    service = ServiceFactory(partner=PartnerFactory(organisation=partner_org))
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    paid, refunded, unpaid = (make_booking(service, person, start) for _ in range(3))
    pay(paid, "20.00", PaymentStatus.SUCCEEDED)
    pay(paid, "15.00", PaymentStatus.SUCCEEDED, refunded="5.00")
    pay(paid, "99.00", PaymentStatus.FAILED)
    pay(paid, "98.00", PaymentStatus.PENDING)
    pay(refunded, "30.00", PaymentStatus.REFUNDED, refunded="30.00")
    pay(unpaid, "12.00", PaymentStatus.CANCELLED)

    assert paid_online_by_booking([paid.pk, refunded.pk, unpaid.pk]) == {paid.pk: D("30.00")}
    assert paid_online_by_booking([]) == {}
