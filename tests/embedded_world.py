"""Run by tests/test_embedded_writes.py in the server's own environment (`python -m
tests.embedded_world`): migrate a fresh SQLite file, create a platform, its adviser, a
partner's service with a few slots and people to book for, and print their ids as JSON."""

import json
import os
from datetime import datetime, time, timedelta

SLOTS, PEOPLE = 8, 20


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)

    from accounts.enums import Role
    from partners.models import Slot
    from tests.beneficiaries.factories import BeneficiaryFactory
    from tests.factories import PASSWORD, OrganisationFactory, member
    from tests.partners.factories import AgreementFactory, PartnerFactory, ServiceFactory

    platform = OrganisationFactory(name="Plateforme embarquée")
    adviser = member(Role.ADVISER, platform, email="conseil@exemple.test")
    partner = PartnerFactory(
        organisation=OrganisationFactory(partner=True, name="Garage embarqué", platform=platform)
    )
    AgreementFactory(partner=partner, platform=platform)
    service = ServiceFactory(partner=partner, min_notice_hours=0, cancellation_cutoff_hours=0)
    tz = timezone.get_current_timezone()
    start = datetime.combine(timezone.localdate() + timedelta(days=3), time(8), tzinfo=tz)
    slots = [
        Slot.objects.create(
            service=service,
            starts_at=start + timedelta(hours=hour),
            ends_at=start + timedelta(hours=hour + 1),
            capacity=2,
        )
        for hour in range(SLOTS)
    ]
    people = [BeneficiaryFactory(platform=platform, adviser=adviser) for _ in range(PEOPLE)]
    print(json.dumps({
        "email": adviser.email, "password": PASSWORD, "service": service.pk,
        "slots": [slot.pk for slot in slots], "people": [person.pk for person in people],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
