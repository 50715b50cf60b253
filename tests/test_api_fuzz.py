"""The API against its own OpenAPI schema: schemathesis fuzzes every operation as every role,
with every check, in the demo world (so that ids resolve), each example rolled back.

`FUZZ_EXAMPLES` (default 4) bounds the examples per operation and role; generation is
derandomized (seeded per operation), so a failure replays."""

import os

import hypothesis
import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from accounts.enums import Role
from accounts.models import Organisation, User
from config.wsgi import application
from exchange.models import WebhookSubscription
from exchange.services import new_secret
from tests.factories import member

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))

# The demo accounts (accounts.demo), plus a partner staff member made here.
ROLES = {
    "platform_admin": "admin@demo.test",
    "adviser": "adviser@demo.test",
    "finance_officer": "finance@demo.test",
    "partner_manager": "garage@demo.test",
    "partner_staff": None,
    "prescriber": "prescriber@demo.test",
    "beneficiary": "beneficiary@demo.test",
}

# The role each operation is made for: its deterministic coverage phase (boundaries, missing
# and mistyped fields, every enum value...) runs as that role; every role fuzzes every operation.
OWNERS = [
    ("/api/v1/loan", "finance_officer"),
    ("/api/v1/programmes/", "finance_officer"),
    ("/api/v1/finance/", "finance_officer"),
    ("POST /api/v1/referrals/", "prescriber"),
    ("/api/v1/me/bookings/", "beneficiary"),
    ("/confirm/", "partner_manager"),
    ("/decline/", "partner_manager"),
    ("/complete/", "partner_manager"),
    ("/no-show/", "partner_manager"),
    ("PUT /api/v1/services/", "partner_manager"),
    ("PATCH /api/v1/services/", "partner_manager"),
    ("DELETE /api/v1/services/", "partner_manager"),
    ("POST /api/v1/services/", "partner_manager"),
    ("/api/v1/webhooks/", "partner_manager"),
]


def owner(label: str) -> str:
    return next((role for key, role in OWNERS if key in label), "adviser")


def app(environ, start_response):
    """The project's WSGI application, reached from 127.0.0.1 (allauth's rate limits, on the
    token endpoint, need a client address)."""
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return application(environ, start_response)


def load(phases: dict):
    config = schemathesis.Config.from_dict(
        {
            "seed": 20260101,
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                # Credentials are the role's token, sent by the test: never generated.
                "with-security-parameters": False,
                # DRF refuses NUL in text (ProhibitNullCharactersValidator); JSON Schema cannot
                # say so.
                "allow-x00": False,
            },
            "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}, **phases},
            "checks": {
                # Stateful checks: they need the state machine (`test_api_workflows`).
                "use_after_free": {"enabled": False},
                "ensure_resource_availability": {"enabled": False},
            },
            "operations": [
                {"include-name": label, "checks": {check: {"enabled": False} for check in checks}}
                for label, checks in EXCLUDED_CHECKS.items()
            ],
        }
    )
    loaded = schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True), config=config
    )
    loaded.app = app
    return loaded


# Checks that cannot apply to an operation, and why. `positive_data_acceptance` expects every
# schema-valid request to be accepted; these operations also apply rules that OpenAPI 3.0
# cannot state, and answer them with a 400.
REJECTS_SOME_VALID_SHAPES = {
    "POST /api/v1/auth/token/": "well-formed credentials of no account are refused "
    "(400 invalid_credentials)",
    "GET /api/v1/services/": "SearchForm's rules: a known place or person, dates from today, "
    "a place to sort by distance or to filter on who covers it",
    "GET /api/v1/services/{service_id}/slots/": "`to` follows `from`, at most 92 days later",
    "POST /api/v1/services/": "`partner` is needed by whoever manages several partners",
    "POST /api/v1/beneficiaries/": "phone numbers follow the numbering plan (phonenumbers)",
    "PATCH /api/v1/beneficiaries/{beneficiary_id}/": "phone numbers follow the numbering plan",
    "POST /api/v1/referrals/": "phone numbers follow the numbering plan (phonenumbers)",
    "POST /api/v1/beneficiaries/{beneficiary_id}/consents/": "sharing needs a referring prescriber",
    "POST /api/v1/beneficiaries/{beneficiary_id}/follow-ups/": "a follow-up is noted once held "
    "(not in the future)",
    "POST /api/v1/bookings/{booking_id}/cancel/": "a person cancels online only before the "
    "service's cut-off",
    "PUT /api/v1/bookings/{booking_id}/financing/": "the lines add up to the booking's total",
    "POST /api/v1/loans/": "a micro-credit's bounds depend on its kind; the lender must exist",
    "POST /api/v1/programmes/": "the funder must exist; the end follows the start",
    "POST /api/v1/webhooks/": "the URL must be HTTPS on a public host whose name resolves",
    "PATCH /api/v1/webhooks/{subscription_id}/": "the URL must be HTTPS on a public host whose "
    "name resolves",
    # Issue 16 (front door)
    "POST /api/v1/waiting-list/": "the wanted dates run from today, the last after the first, "
    "at most a year ahead",
    # reporting
    "GET /api/v1/reports/indicators/": "`to` follows `from`, at most ten years later",
    "POST /api/v1/loans/{loan_id}/repayments/": "a value date is not in the future",
    "POST /api/v1/loans/{loan_id}/entries/": "a value date is not in the future",
    "POST /api/v1/settlements/": "the partner must serve the platform and have bookings done "
    "and not yet settled (409 already_settled)",
    "POST /api/v1/settlements/transfer-file/": "the statements must exist, be issued and owe "
    "something, the platform's account be configured",
    "POST /api/v1/settlements/{settlement_id}/mark-paid/": "only an issued statement, paid on a "
    "day between its issue and today",
    "PUT /api/v1/partners/{partner_id}/bank-details/": "an IBAN whose checksum holds (schwifty)",
    # agenda (issue 16)
    "GET /api/v1/agenda/slots/": "`to` follows `from`, at most 92 days later",
    "GET /api/v1/agenda/sessions/": "`to` follows `from`, at most 92 days later",
    "GET /api/v1/appointments/": "`to` follows `from`, at most 92 days later",
    "POST /api/v1/agenda/sessions/": "the kind must be a session's and bounds the seats; the "
    "place and adviser must be the platform's; the date is to come",
    "POST /api/v1/appointments/": "one of beneficiary or referral; a slot not started yet; a "
    "follow-up within its kind's delay",
    "POST /api/v1/appointments/{appointment_id}/move/": "a slot not started yet (slot_passed)",
    "POST /api/v1/appointments/{appointment_id}/attended/": "attendance once the appointment "
    "has started (not_started)",
    "POST /api/v1/appointments/{appointment_id}/no-show/": "attendance once the appointment "
    "has started (not_started)",
}
EXCLUDED_CHECKS = {
    label: {"positive_data_acceptance": reason}
    for label, reason in REJECTS_SOME_VALID_SHAPES.items()
}

coverage = load({"coverage": {"enabled": True}, "fuzzing": {"enabled": False}})
fuzzing = load({"coverage": {"enabled": False}, "fuzzing": {"enabled": True}})

# Real ids of the demo world, per path parameter, filled in by the `world` fixture.
IDS: dict[str, list[int]] = {}


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, ids that exist (the other half: what schemathesis generated)."""
    known = {name: IDS[name] for name in path_parameters or {} if IDS.get(name)}
    if not known:
        return st.just(path_parameters)
    real = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.one_of(st.just(path_parameters), real.map(lambda ids: {**path_parameters, **ids}))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo platform, made once for the module inside a transaction rolled back at its
    end; each test, and each example in it, runs in a savepoint of its own."""
    from beneficiaries.models import Beneficiary, Consent, Referral
    from bookings.models import Booking
    from financing.models import Loan, LoanTransaction
    from partners.models import Partner, Service
    from settlements.models import Settlement

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        garage = Organisation.objects.get(name="Garage solidaire du Bourbonnais")
        staff = member(Role.PARTNER_STAFF, garage, email="staff@demo.test")
        hook = WebhookSubscription.objects.create(
            organisation=garage, url="https://hooks.garage.example/solimob",
            events=["booking.confirmed"], secret=new_secret(),
        )  # fmt: skip
        tokens = {}
        for role, email in ROLES.items():
            user = staff if email is None else User.objects.get(email=email)
            tokens[role] = Token.objects.get_or_create(user=user)[0].key
        for name, model in {
            "beneficiary_id": Beneficiary,
            "booking_id": Booking,
            "consent_id": Consent,
            "loan_id": Loan,
            "partner_id": Partner,
            "referral_id": Referral,
            "service_id": Service,
            "settlement_id": Settlement,
            "transaction_id": LoanTransaction,
        }.items():
            IDS[name] = sorted(model.objects.values_list("pk", flat=True))[:20]
        IDS["subscription_id"] = [hook.pk]
        yield tokens
        IDS.clear()
        transaction.set_rollback(True)


@pytest.fixture
def in_process(db):
    """Requests run in this thread, on this connection: like Django's test client, keep
    Django from closing the connection (and the test transaction) around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(case, token: str) -> None:
    """One example, rolled back."""
    with transaction.atomic():
        try:
            case.call_and_validate(headers={"Authorization": f"Token {token}"})
        finally:
            transaction.set_rollback(True)


SETTINGS = hypothesis.settings(
    deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)


@coverage.parametrize()
@SETTINGS
def test_api_coverage(case, world, in_process):
    call(case, world[owner(case.operation.label)])


@pytest.mark.parametrize("role", list(ROLES))
@fuzzing.parametrize()
@SETTINGS
def test_api(case, role, world, in_process):
    call(case, world[role])
