from datetime import date

import factory

from beneficiaries.enums import Situation
from beneficiaries.models import Beneficiary, Referral


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = date(1995, 5, 17)
    situation = Situation.RSA
    commune = "Moulins"
    postcode = "03000"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    platform = factory.SelfAttribute("prescriber_organisation.platform")
    first_name = "Élodie"
    last_name = "Müller-Durand"
    birth_date = date(1990, 2, 1)
    situation = Situation.JOBSEEKER
    professional_project = "Aide-soignante à l'hôpital de Moulins"
    french_level = "B1"
    need = "Pas de voiture pour les horaires de nuit"


def give_sms_consent(person, *, by=None):
    """The person agreed to receive SMS (ConsentPurpose.SMS), as an adviser records it."""
    from django.utils import timezone

    from beneficiaries.enums import ConsentPurpose
    from beneficiaries.models import Consent

    return Consent.objects.create(
        beneficiary=person, purpose=ConsentPurpose.SMS, given_at=timezone.now(), recorded_by=by
    )
