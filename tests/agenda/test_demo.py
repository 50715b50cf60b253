"""The demo agenda: places, the adviser's hours, appointments (the demo beneficiary's among
them) and sessions, created once."""

import pytest
from django.core.management import call_command

from agenda.models import AgendaRule, AgendaSlot, Appointment, Place
from beneficiaries.models import Beneficiary


@pytest.mark.django_db
def test_seed_demo_makes_an_agenda_once(client):
    call_command("seed_demo")
    first = (Place.objects.count(), AgendaRule.objects.count(), Appointment.objects.count(),
             AgendaSlot.objects.filter(session=True).count())  # fmt: skip
    call_command("seed_demo")
    again = (Place.objects.count(), AgendaRule.objects.count(), Appointment.objects.count(),
             AgendaSlot.objects.filter(session=True).count())  # fmt: skip
    assert first == again
    assert first[0] == 4 and first[1] == 5 and first[2] >= 5 and first[3] == 2
    person = Beneficiary.objects.get(user__email="beneficiary@demo.test")
    client.force_login(person.user)
    page = client.get("/mes-rendez-vous/").content.decode()
    assert "Avec la plateforme de mobilité" in page
