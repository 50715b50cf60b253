"""What the bad-input tests share: the URLs the resolver knows, a world for their ids, the
bad values, and requests whose effects the database forgets."""

import json
import re
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from bookings.services import booking_create
from financing import loans
from financing.services import programme_create
from tests.beneficiaries.factories import BeneficiaryFactory, ReferralFactory
from tests.bookings.conftest import make_slot
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

TODAY = "2026-03-02"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^\d+(\.\d+)?$")


def url_patterns(patterns=None, prefix=""):
    """(route, pattern) of every URL the resolver knows."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def build_world(*, platform, adviser, finance_officer, partner_org, prescriber_org) -> dict:
    """One of each thing the URLs name, visible to the platform's staff: their ids."""
    partner = PartnerFactory(organisation=partner_org)
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, min_notice_hours=0)
    person = BeneficiaryFactory(platform=platform, adviser=adviser)
    slots = [make_slot(service, 3, hour=9, capacity=5), make_slot(service, 4, capacity=5)]
    booking = booking_create(
        actor=adviser, beneficiary_id=person.pk, service_id=service.pk, slot_ids=[slots[0].pk]
    )
    referral = ReferralFactory(prescriber_organisation=prescriber_org)
    lender = OrganisationFactory(funder=True, name="Prêteur solidaire", platform=platform)
    funder = OrganisationFactory(funder=True, name="Département", platform=platform)
    loan = loans.loan_create(
        actor=finance_officer, beneficiary_id=person.pk, lender_id=lender.pk,
        kind="micro_credit", principal=Decimal("3000"), annual_rate=Decimal("3"),
        term_months=12, method="declining_balance",
        first_due_on=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    for status in ("approved", "disbursed"):
        loan = loans.loan_transition(actor=finance_officer, loan_id=loan.pk, to=status)
    repayment, _allocation = loans.entry_record(
        actor=finance_officer, loan_id=loan.pk, kind="repayment", amount=Decimal("10"),
        value_date=timezone.localdate(), method="cash",
    )  # fmt: skip
    programme = programme_create(
        actor=finance_officer, platform_id=platform.pk, funder_id=funder.pk, name="Aide",
        budget=Decimal("1000"), starts_on=timezone.localdate() - timedelta(days=1),
        eligible_categories=["garage"], eligible_situations=["rsa"],
    )  # fmt: skip
    return {
        "partner_id": partner.pk, "service_id": service.pk, "beneficiary_id": person.pk,
        "booking_id": booking.pk, "referral_id": referral.pk, "loan_id": loan.pk,
        "transaction_id": repayment.pk, "consent_id": 1, "slot": slots[1].pk,
        "lender": lender.pk, "funder": funder.pk, "programme": programme.pk,
        "programme_id": programme.pk, "token": "x", "what": "loans", "fmt": "csv",
    }  # fmt: skip


def resolved_url(route: str, pattern: URLPattern, world: dict, **override) -> str:
    """The pattern's URL with the world's ids; `route` is the whole route (the prefixes of
    its `include()`s may hold parameters too)."""
    names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(pattern.pattern.converters)
    kwargs = {name: world.get(name, 1) for name in names}
    return reverse(pattern.name, kwargs={**kwargs, **override})


def send(client, method, url, body=None, content_type="application/json", **extra):
    """The answer, or the exception: the test client re-raises what would be a 500."""
    try:
        if method == "get":
            return client.get(url, body or {}, **extra)
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        # generic(): the body goes as it is, whatever charset its content type names
        return client.generic(method.upper(), url, body, content_type=content_type, **extra)
    except Exception as exc:  # noqa: BLE001 - the failure is the finding
        return exc


def rolled_back(send_request):
    """Send a request whose effects the database forgets (a control, or a baseline)."""
    with transaction.atomic():
        response = send_request()
        transaction.set_rollback(True)
    return response


def broken(response) -> bool:
    return isinstance(response, Exception) or response.status_code >= 500


def outcome(response) -> tuple:
    """(status, code): "ok" below 400, "<fields>" for DRF's field errors (DESIGN §6), "no
    code" or "not json" for a refusal without a code; ("raised", ...) for a 500."""
    if isinstance(response, Exception):
        return ("raised", repr(response)[:200])
    if response.status_code >= 500:
        return (response.status_code, response.content[:200])
    if response.status_code < 400:
        return (response.status_code, "ok")
    if not response.get("Content-Type", "").startswith("application/json"):
        return (response.status_code, "not json")
    data = response.json()
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return (response.status_code, data["code"])
    if response.status_code == 400 and isinstance(data, dict) and data:
        return (400, "<fields>")
    return (response.status_code, "no code")


def bad_values(value) -> tuple[list, list]:
    """(values that must be refused, values that must only break nothing) for a field whose
    good value is `value`."""
    odd_types = [{"a": 1}, [1], True, 1.5, None, ""]
    if isinstance(value, bool):
        return ["a\x00"], odd_types
    if isinstance(value, int):
        refused = [2**63, 2**64, -(2**63) - 1, 10**30, "99999999999999999999", "1e400", "a\x00"]
        return refused, [2**31, 2**53 + 1, -1, *odd_types]
    if DATE.match(value):
        refused = ["0000-01-01", "99999-01-01", "2026-02-30", "31/12/2026", "a\x00"]
        return refused, ["0001-01-01", "9999-12-31", *odd_types]
    if NUMBER.match(value):
        refused = ["1" + "0" * 39 + ".00", "1e400", "NaN", "-Infinity", "0." + "0" * 40 + "1"]
        return [*refused, "a\x00"], ["99999999999999999999", "-1", *odd_types]
    return ["a\x00b", "\x00"], ["x" * 100_000, *odd_types]


# Query strings: bad values by parameter name (the first of each are sent all at once).
BAD_QUERY = {
    "page": ["99999999999999999999", "-1", "0", "abc", "1e400", "nan"],
    "page_size": ["99999999999999999999", "-1", "abc"],
    "from": ["0000-01-01", "99999-01-01", "2026-02-30", "01/02/2026", "0001-01-01", "9999-12-31"],
    "to": ["0000-01-01", "99999-01-01", "2026-13-01", "0001-01-01", "9999-12-31"],
    "available_from": ["0000-01-01", "99999-01-01", "0001-01-01", "9999-12-31"],
    "available_to": ["2026-02-30", "99999-12-31", "0001-01-01", "9999-12-31"],
    "near": ["nan,inf", "1e400,1e400", "inf,-inf", "91,181", "a,b", "1,2,3"],
    "radius_km": ["nan", "inf", "1e400", "-1", "99999999999999999999"],
    "max_price": ["nan", "-inf", "1e400", "1" + "0" * 40],
    "beneficiary": ["99999999999999999999", "-99999999999999999999", "1.5"],
    "status": ["x" * 300],
    "q": ["x" * 300],
}
