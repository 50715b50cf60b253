"""A finance officer of several platforms picks the platform of the statements pages
(`?platform=`, the first of theirs by default); another platform is not found."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Membership
from beneficiaries.enums import Situation
from bookings.models import Booking
from settlements import services
from settlements.models import Settlement
from tests.beneficiaries.factories import BeneficiaryFactory
from tests.factories import OrganisationFactory
from tests.partners.factories import AgreementFactory
from tests.settlements.conftest import paris

pytestmark = pytest.mark.django_db
NOV = {"period_start": date(2026, 11, 1), "period_end": date(2026, 11, 30)}


@pytest.fixture
def two(world, other_platform):
    """The garage works for both platforms, with a November booking on each; the finance
    officer runs the statements of both."""
    Membership.objects.create(user=world.finance, organisation=other_platform,
                              role="finance_officer")  # fmt: skip
    AgreementFactory(partner=world.partner, platform=other_platform)
    here = world.done(2, paris(2026, 11, 5, 10), lines=[{"kind": "platform", "amount": "20"}])
    there = world.done(3, paris(2026, 11, 6, 10), lines=[{"kind": "platform", "amount": "30"}])
    Booking.objects.filter(pk=there.pk).update(
        platform=other_platform,
        beneficiary=BeneficiaryFactory(platform=other_platform, situation=Situation.RSA),
    )
    return here, there


def test_the_month_page_shows_the_platform_picked(client, world, other_platform, two):
    here, there = two
    client.force_login(world.finance)
    first = client.get(reverse("settlement_month"), {"month": "2026-11"})
    assert first.status_code == 200
    html = first.content.decode()
    assert "20,00" in html and "30,00" not in html  # the first platform by default
    assert f"?platform={other_platform.pk}&amp;month=2026-11" in html
    picked = client.get(reverse("settlement_month"),
                        {"month": "2026-11", "platform": other_platform.pk})  # fmt: skip
    html = picked.content.decode()
    assert picked.status_code == 200 and "30,00" in html and "20,00" not in html
    assert f'name="platform" value="{other_platform.pk}"' in html  # kept by the month filter
    assert other_platform.name in picked.context["title"]


def test_drafts_are_built_for_the_platform_picked(client, world, other_platform, two):
    here, there = two
    client.force_login(world.finance)
    built = client.post(reverse("settlement_build_all"),
                        {"month": "2026-11", "platform": other_platform.pk})  # fmt: skip
    assert built["Location"].endswith(f"?month=2026-11&platform={other_platform.pk}")
    statement = Settlement.objects.get()
    assert statement.platform_id == other_platform.pk
    assert list(statement.lines.values_list("booking", flat=True)) == [there.pk]


def test_the_transfer_page_lists_the_platform_picked(client, world, other_platform, two,
                                                     settings):  # fmt: skip
    settings.SETTLEMENT_DEBTOR_NAME = "Plateforme B"
    settings.SETTLEMENT_DEBTOR_IBAN = "FR7630004000031234567890143"
    client.force_login(world.finance)
    officer = type(world.finance).objects.get(pk=world.finance.pk)  # memberships read afresh
    mine = {}
    for platform in (world.platform, other_platform):
        draft = services.settlement_build(actor=officer, platform_id=platform.pk,
                                          partner_id=world.partner.pk, **NOV)  # fmt: skip
        mine[platform.pk] = services.settlement_issue(actor=officer, settlement_id=draft.pk)
    url = reverse("settlement_transfer_file")
    default = client.get(url).content.decode()
    assert mine[world.platform.pk].reference in default
    assert mine[other_platform.pk].reference not in default
    picked = client.get(url, {"platform": other_platform.pk}).content.decode()
    assert mine[other_platform.pk].reference in picked
    assert mine[world.platform.pk].reference not in picked
    refused = client.post(f"{url}?platform={other_platform.pk}",
                          {"settlements": [mine[world.platform.pk].pk]})  # fmt: skip
    assert refused.status_code == 400  # not a statement of the platform picked
    sent = client.post(f"{url}?platform={other_platform.pk}",
                       {"settlements": [mine[other_platform.pk].pk]})  # fmt: skip
    assert sent.status_code == 200 and sent["Content-Type"] == "application/xml"


@pytest.mark.parametrize("name", ["settlement_month", "settlement_transfer_file"])
def test_a_platform_not_theirs_is_not_found(client, world, other_platform, name):
    client.force_login(world.finance)  # runs the first platform only
    stranger = OrganisationFactory(name="Plateforme C")
    for platform in (other_platform.pk, stranger.pk, "abc"):
        assert client.get(reverse(name), {"platform": platform}).status_code == 404
    build = {"month": "2026-11", "platform": other_platform.pk}
    assert client.post(reverse("settlement_build_all"), build).status_code == 404
    assert not Settlement.objects.exists()
    only = client.get(reverse(name), {"platform": world.platform.pk})
    assert only.status_code == 200 and "Plateformes" not in only.content.decode()
