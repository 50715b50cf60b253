import re

import pytest
from django.core.management import call_command

from accounts.demo import ACCOUNTS, DEMO_PASSWORD
from accounts.models import Membership, Organisation, User
from beneficiaries.models import Beneficiary, Referral
from core.models import AuditLog
from core.phones import is_valid_phone, normalise_phone


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (User, Organisation, Membership, Beneficiary, AuditLog)
    }


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["User"] == 9


@pytest.mark.django_db
@pytest.mark.parametrize("email", list(ACCOUNTS))
def test_every_demo_account_signs_in_and_only_sees_links_that_work(client, email):
    call_command("seed_demo")
    response = client.post("/comptes/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    links = {
        href for href in re.findall(r'href="(/[^"]*)"', html) if not href.startswith("/static/")
    }
    assert links, "the home page links somewhere"
    for href in sorted(links):
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_demo_roles_match_design(client):
    call_command("seed_demo")
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles == {
        "admin@demo.test": "admin",
        "adviser@demo.test": "adviser",
        "finance@demo.test": "finance_officer",
        "garage@demo.test": "partner_manager",
        "rental@demo.test": "partner_manager",
        "transport@demo.test": "partner_manager",
        "school@demo.test": "partner_manager",
        "prescriber@demo.test": "prescriber",
    }
    assert Beneficiary.objects.get(user__email="beneficiary@demo.test").platform.name == (
        "Plateforme Mobilité Allier"
    )


@pytest.mark.django_db
def test_demo_phones_are_valid_and_stored_e164():
    call_command("seed_demo")
    phones = [
        *User.objects.exclude(phone="").values_list("phone", flat=True),
        *Beneficiary.objects.exclude(phone="").values_list("phone", flat=True),
        *Referral.objects.exclude(phone="").values_list("phone", flat=True),
    ]
    assert phones, "the demo has people with a phone"
    assert [p for p in phones if not is_valid_phone(p) or normalise_phone(p) != p] == []


@pytest.mark.django_db
def test_last_month_gives_one_paid_and_one_issued_statement():
    from financing.models import GrantAward
    from settlements.models import Settlement

    call_command("seed_demo")
    call_command("seed_demo")
    statements = Settlement.objects.order_by("partner__organisation__name")
    assert [(s.partner.name, s.status) for s in statements] == [
        ("Auto-école sociale de Moulins", "issued"),
        ("Garage solidaire du Bourbonnais", "paid"),
    ]
    paid = statements.get(status="paid")
    award = GrantAward.objects.get(booking__settlement_lines__settlement=paid)
    assert award.status == "paid" and paid.total > 0
    assert all(s.lines.filter(active=True).exists() for s in statements)
