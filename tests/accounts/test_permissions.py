"""One test per role: what each predicate says, and that it is scoped to the organisation."""

import pytest

from accounts import permissions as p
from accounts.enums import Role
from beneficiaries.models import Beneficiary
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

ALL = [
    p.is_platform_admin,
    p.is_adviser,
    p.is_finance_officer,
    p.is_platform_staff,
    p.is_partner_manager,
    p.is_partner_member,
    p.is_prescriber,
    p.is_beneficiary,
]


def true_predicates(user) -> set[str]:
    return {pred.__name__ for pred in ALL if pred(user)}


@pytest.mark.django_db
def test_admin(admin_user, platform, other_platform):
    assert true_predicates(admin_user) == {"is_platform_admin", "is_platform_staff"}
    assert p.is_platform_admin(admin_user, platform)
    assert not p.is_platform_admin(admin_user, other_platform)


@pytest.mark.django_db
def test_adviser(adviser, platform, other_platform):
    assert true_predicates(adviser) == {"is_adviser", "is_platform_staff"}
    assert p.is_adviser(adviser, platform) and p.is_adviser(adviser, platform.pk)
    assert not p.is_adviser(adviser, other_platform)


@pytest.mark.django_db
def test_finance_officer(finance_officer, platform, other_platform):
    assert true_predicates(finance_officer) == {"is_finance_officer", "is_platform_staff"}
    assert p.is_finance_officer(finance_officer, platform)
    assert not p.is_finance_officer(finance_officer, other_platform)


@pytest.mark.django_db
def test_partner_manager(partner_manager, partner_org):
    assert true_predicates(partner_manager) == {"is_partner_manager", "is_partner_member"}
    other_partner = OrganisationFactory(partner=True)
    assert p.is_partner_member(partner_manager, partner_org)
    assert not p.is_partner_member(partner_manager, other_partner)


@pytest.mark.django_db
def test_partner_staff(partner_staff, partner_org):
    assert true_predicates(partner_staff) == {"is_partner_member"}
    assert not p.is_partner_manager(partner_staff, partner_org)


@pytest.mark.django_db
def test_prescriber(prescriber, prescriber_org):
    assert true_predicates(prescriber) == {"is_prescriber"}
    assert p.is_prescriber(prescriber, prescriber_org)
    assert not p.is_prescriber(prescriber, OrganisationFactory(prescriber=True))


@pytest.mark.django_db
def test_beneficiary(platform):
    user = UserFactory()
    Beneficiary.objects.create(platform=platform, user=user, first_name="Léa", last_name="Martin")
    assert true_predicates(user) == {"is_beneficiary"}
    assert not p.is_staff_member(user)


@pytest.mark.django_db
def test_nobody_and_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert true_predicates(UserFactory()) == set()
    assert true_predicates(AnonymousUser()) == set()


@pytest.mark.django_db
def test_inactive_membership_or_organisation_grants_nothing(platform):
    user = MembershipFactory(role=Role.ADVISER, organisation=platform, active=False).user
    assert not p.is_adviser(user)
    closed = OrganisationFactory(is_active=False)
    user2 = MembershipFactory(role=Role.ADVISER, organisation=closed).user
    assert not p.is_adviser(user2)


@pytest.mark.django_db
def test_who_may_invite_whom(
    admin_user, adviser, partner_manager, partner_staff, platform, partner_org, prescriber_org
):
    assert p.can_invite(admin_user, platform, Role.ADVISER)
    assert p.can_invite(admin_user, platform, Role.FINANCE_OFFICER)
    assert not p.can_invite(admin_user, platform, Role.PARTNER_STAFF)  # wrong kind
    assert p.can_invite(admin_user, prescriber_org, Role.PRESCRIBER)  # attached to the platform
    assert p.can_invite(admin_user, partner_org, Role.PARTNER_MANAGER)
    assert p.can_invite(partner_manager, partner_org, Role.PARTNER_STAFF)
    assert not p.can_invite(partner_manager, platform, Role.ADVISER)
    assert not p.can_invite(partner_staff, partner_org, Role.PARTNER_STAFF)
    assert not p.can_invite(adviser, platform, Role.ADVISER)
    other = OrganisationFactory(prescriber=True)  # attached to no platform of theirs
    assert not p.can_invite(admin_user, other, Role.PRESCRIBER)
