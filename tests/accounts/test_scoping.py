import pytest

from accounts import scoping
from accounts.enums import Role
from accounts.models import Organisation
from accounts.selectors import managed_organisations_for
from tests.factories import MembershipFactory, OrganisationFactory


@pytest.mark.django_db
def test_memberships_are_read_once_per_user_object(adviser, django_assert_num_queries):
    with django_assert_num_queries(1):
        scoping.memberships(adviser)
        scoping.roles(adviser)
        scoping.platform_ids(adviser)
        scoping.organisation_ids(adviser, roles=[Role.ADVISER])


@pytest.mark.django_db
def test_ids_by_kind_and_role(platform, partner_org, prescriber_org):
    user = MembershipFactory(role=Role.ADVISER, organisation=platform).user
    MembershipFactory(user=user, role=Role.PARTNER_STAFF, organisation=partner_org)
    scoping.forget_memberships(user)
    assert scoping.platform_ids(user) == {platform.pk}
    assert scoping.platform_ids(user, roles=[Role.FINANCE_OFFICER]) == set()
    assert scoping.partner_organisation_ids(user) == {partner_org.pk}
    assert scoping.prescriber_organisation_ids(user) == set()
    assert scoping.roles(user) == {Role.ADVISER, Role.PARTNER_STAFF}


@pytest.mark.django_db
def test_organisation_restrict(adviser, partner_manager, platform, partner_org, prescriber_org):
    foreign = OrganisationFactory(prescriber=True, platform=OrganisationFactory())
    visible_to_adviser = set(Organisation.objects.restrict(adviser))
    assert visible_to_adviser == {platform, partner_org, prescriber_org}
    assert foreign not in visible_to_adviser
    assert set(Organisation.objects.restrict(partner_manager)) == {partner_org}


@pytest.mark.django_db
def test_managed_organisations(admin_user, partner_manager, adviser, platform, partner_org):
    assert set(managed_organisations_for(user=admin_user)) >= {platform, partner_org}
    assert managed_organisations_for(user=partner_manager) == [partner_org]
    assert managed_organisations_for(user=adviser) == []
