"""Factories shared by every app's tests (people and organisations)."""

from decimal import Decimal

import factory
from allauth.account.models import EmailAddress

from accounts.enums import OrganisationKind, Role
from accounts.models import Membership, Organisation, User

PASSWORD = "Un-mot-de-passe-2026"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.PLATFORM
    address = "1 place de l'Hôtel de Ville"
    commune = "Moulins"
    postcode = "03000"
    territory = "03"
    latitude = Decimal("46.5659")
    longitude = Decimal("3.3328")

    class Params:
        partner = factory.Trait(kind=OrganisationKind.PARTNER)
        prescriber = factory.Trait(kind=OrganisationKind.PRESCRIBER)
        funder = factory.Trait(kind=OrganisationKind.FUNDER)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADVISER


def member(role: str, organisation: Organisation, **user_fields) -> User:
    """A fresh user holding `role` in `organisation`."""
    return MembershipFactory(
        role=role, organisation=organisation, user=UserFactory(**user_fields)
    ).user
