"""The payments API: every endpoint as every role, the answers' shapes, refunds, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.enums import PaymentPurpose, PaymentStatus
from payments.models import Payment, Refund
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = ["admin", "adviser", "finance", "manager", "staff", "prescriber", "person", "anonymous"]


@pytest.fixture
def users(admin_user, adviser, finance_officer, partner_manager, partner_staff, prescriber,
          person_user):  # fmt: skip
    return {
        "admin": admin_user, "adviser": adviser, "finance": finance_officer,
        "manager": partner_manager, "staff": partner_staff, "prescriber": prescriber,
        "person": person_user.user, "anonymous": None,
    }  # fmt: skip


def as_user(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def paid(booking, amount="7.00", status=PaymentStatus.SUCCEEDED, n=[0]):  # noqa: B006
    n[0] += 1
    return Payment.objects.create(
        platform=booking.platform, beneficiary=booking.beneficiary, booking=booking,
        purpose=PaymentPurpose.BENEFICIARY_SHARE, amount=D(amount), status=status,
        stripe_payment_intent_id=f"pi_test_{n[0]}_{booking.pk}_{amount}",
    )  # fmt: skip


START = {"admin": 201, "adviser": 201, "finance": 403, "manager": 404, "staff": 404,
         "prescriber": 404, "person": 201, "anonymous": 401}  # fmt: skip
READ = {"admin": 200, "adviser": 403, "finance": 200, "manager": 404, "staff": 404,
        "prescriber": 404, "person": 403, "anonymous": 401}  # fmt: skip
REFUND = {**READ, "admin": 201, "finance": 201}
MANDATE = {**READ, "admin": 201, "finance": 201}


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_share_payment_by_role(api_client, users, role, stripe_on, shared_booking):
    response = as_user(api_client, users[role]).post(
        f"/api/v1/bookings/{shared_booking.pk}/payment/"
    )
    assert response.status_code == START[role], response.content
    if response.status_code == 201:
        assert set(response.json()) == {
            "id", "purpose", "amount", "status", "client_secret", "publishable_key"
        }  # fmt: skip
        assert response.json()["amount"] == "7.00"


@pytest.mark.parametrize("role", ROLES)
def test_reading_payments_by_role(api_client, users, role, shared_booking):
    payment = paid(shared_booking)
    client = as_user(api_client, users[role])
    listed = client.get("/api/v1/payments/")
    one = client.get(f"/api/v1/payments/{payment.pk}/")
    assert (listed.status_code, one.status_code) == (READ[role], READ[role])
    if READ[role] == 200:
        assert listed.json()["count"] == 1
        assert one.json()["amount"] == "7.00" and one.json()["refunds"] == []
        assert one.json()["beneficiary_name"]


@pytest.mark.parametrize("role", ROLES)
def test_refunding_by_role(api_client, users, role, stripe_on, shared_booking):
    payment = paid(shared_booking)
    response = as_user(api_client, users[role]).post(
        f"/api/v1/payments/{payment.pk}/refund/", {"amount": "2.50", "reason": "Geste"},
        format="json",
    )  # fmt: skip
    assert response.status_code == REFUND[role], response.content
    if response.status_code == 201:
        assert response.json()["amount"] == "2.50" and response.json()["status"] == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_asking_for_a_mandate_by_role(api_client, users, role, stripe_on, person_user,
                                      finance_officer):  # fmt: skip
    from financing import loans
    from tests.payments.test_gateway import _a_loan

    loan = _a_loan(loans, finance_officer, person_user)
    response = as_user(api_client, users[role]).post(f"/api/v1/loans/{loan.pk}/mandate/")
    assert response.status_code == MANDATE[role], response.content
    if response.status_code == 201:
        assert response.json()["client_secret"].startswith("seti_")


def test_other_platforms_do_not_see_each_others_payments(api_client, shared_booking):
    other = OrganisationFactory(name="Plateforme B")
    officer = member("finance_officer", other)
    payment = paid(shared_booking)
    api_client.force_authenticate(officer)
    assert api_client.get("/api/v1/payments/").json()["count"] == 0
    assert api_client.get(f"/api/v1/payments/{payment.pk}/").status_code == 404
    refused = api_client.post(f"/api/v1/payments/{payment.pk}/refund/", {"reason": "x"},
                              format="json")  # fmt: skip
    assert refused.status_code == 404


def test_someone_elses_booking_is_404_for_a_person(api_client, stripe_on, shared_booking,
                                                   platform, adviser):  # fmt: skip
    from tests.factories import UserFactory

    stranger = BeneficiaryFactory(platform=platform, adviser=adviser, user=UserFactory())
    api_client.force_authenticate(stranger.user)
    assert api_client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/").status_code == 404


def test_payments_off_is_409_payments_disabled(api_client, settings, shared_booking,
                                               person_user, finance_officer):  # fmt: skip
    settings.STRIPE_SECRET_KEY = ""
    api_client.force_authenticate(person_user.user)
    response = api_client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/")
    assert (response.status_code, response.json()["code"]) == (409, "payments_disabled")
    api_client.force_authenticate(finance_officer)
    payment = paid(shared_booking)
    refund = api_client.post(f"/api/v1/payments/{payment.pk}/refund/", {"reason": "x"},
                             format="json")  # fmt: skip
    assert (refund.status_code, refund.json()["code"]) == (409, "payments_disabled")


def test_nothing_to_pay_without_a_share(api_client, stripe_on, shared_booking, person_user,
                                        adviser):  # fmt: skip
    from financing.plans import plan_set

    plan_set(actor=adviser, booking_id=shared_booking.pk,
             lines=[{"kind": "platform", "amount": shared_booking.total_price}])  # fmt: skip
    api_client.force_authenticate(person_user.user)
    response = api_client.post(f"/api/v1/bookings/{shared_booking.pk}/payment/")
    assert (response.status_code, response.json()["code"]) == (409, "nothing_to_pay")


def test_refund_amounts_are_checked(api_client, stripe_on, shared_booking, finance_officer):
    payment = paid(shared_booking)
    api_client.force_authenticate(finance_officer)
    url = f"/api/v1/payments/{payment.pk}/refund/"
    too_much = api_client.post(url, {"amount": "7.01", "reason": "x"}, format="json")
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_too_large")
    assert api_client.post(url, {"amount": "5.00"}, format="json").status_code == 400
    assert api_client.post(url, {"amount": 5, "reason": "x"}, format="json").status_code == 400
    assert api_client.post(url, {"amount": "5.00", "reason": "x"}, format="json").status_code == 201
    # 2 € are left once 5 € are on their way.
    left = api_client.post(url, {"amount": "2.01", "reason": "x"}, format="json")
    assert left.status_code == 409
    full = api_client.post(url, {"reason": "le reste"}, format="json")
    assert full.status_code == 201 and full.json()["amount"] == "2.00"
    assert Refund.objects.count() == 2
    pending = paid(shared_booking, status=PaymentStatus.PENDING, amount="3.00")
    refused = api_client.post(f"/api/v1/payments/{pending.pk}/refund/", {"reason": "x"},
                              format="json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")


def test_list_filters(api_client, shared_booking, finance_officer):
    paid(shared_booking)
    paid(shared_booking, status=PaymentStatus.FAILED, amount="3.00")
    api_client.force_authenticate(finance_officer)
    assert api_client.get("/api/v1/payments/?status=failed").json()["count"] == 1
    assert api_client.get("/api/v1/payments/?purpose=installment").json()["count"] == 0
    name = shared_booking.beneficiary.last_name
    assert api_client.get(f"/api/v1/payments/?person={name}").json()["count"] == 2
    assert api_client.get("/api/v1/payments/?status=nope").status_code == 400


def test_the_list_costs_the_same_queries_for_3_or_30_payments(
    api_client, shared_booking, finance_officer
):
    api_client.force_authenticate(finance_officer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get("/api/v1/payments/?page_size=100").status_code == 200
        return len(queries)

    for _ in range(3):
        paid(shared_booking)
    count_queries()  # the user's memberships are read once and kept on the user
    few = count_queries()
    assert few <= 3
    for _ in range(27):
        paid(shared_booking)
    assert count_queries() == few
