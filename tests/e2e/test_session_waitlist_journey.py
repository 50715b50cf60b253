"""An adviser fills a collective session, puts a person on its waiting list, opens one more
seat (offered to the first in line by SMS), registers her when she says yes, then takes a
second person off the line. In a real browser, with CSP and axe checked on every page."""

import re

import pytest
from playwright.sync_api import expect

from agenda.enums import KindCategory
from agenda.models import AgendaSlot, Appointment
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.models import Beneficiary
from bookings.models_waitlist import WaitingListEntry
from core import sms
from tests.e2e.test_booking_journey import no_sideways_scrolling
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def label(person) -> str:
    return f"{person.last_name} {person.first_name}"


def full_name(person) -> str:
    return f"{person.first_name} {person.last_name}"


def test_a_full_session_offers_its_new_seat_to_the_first_in_line(page, live_server, demo_data):
    session = AgendaSlot.objects.get(session=True, kind__category=KindCategory.COLLECTIVE,
                                     theme="Le budget d'une voiture")  # fmt: skip
    registered = session.reserved
    inside = Appointment.objects.filter(slot=session).values_list("beneficiary_id", flat=True)
    first, second = (
        Beneficiary.objects.filter(platform_id=session.platform_id)
        .exclude(status=BeneficiaryStatus.CLOSED).exclude(pk__in=list(inside))
        .exclude(phone="").order_by("last_name", "first_name")[:2]
    )  # fmt: skip
    sms.outbox.clear()

    sign_in(page, live_server, "adviser@demo.test")
    page.goto(f"{live_server.url}/agenda/seances/{session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Le budget d'une voiture")
    # No seat left: the seats brought down to the people already in.
    page.get_by_label("Nombre de places").fill(str(registered))
    page.get_by_role("button", name="Changer le nombre de places").click()
    expect(page.get_by_role("status")).to_contain_text("Nombre de places enregistré")
    expect(page.get_by_text(f"{registered} inscrit·es sur {registered} places")).to_be_visible()
    expect(page.get_by_role("heading", name="Inscrire une personne")).to_have_count(0)

    # The first person on the waiting list, with a note.
    line = page.locator("section[aria-labelledby=attente]")
    expect(line).to_contain_text("Personne n'attend une place.")
    page.get_by_label("Personne à mettre sur liste d'attente").select_option(label=label(first))
    page.get_by_label("Note (facultatif)").fill("Joignable l'après-midi.")
    page.get_by_role("button", name="Mettre sur liste d'attente").click()
    expect(page.get_by_role("status")).to_contain_text("Personne mise sur la liste d'attente")
    expect(line.locator("ol li")).to_have_count(1)
    expect(line.locator("ol li").first).to_contain_text(full_name(first))
    no_sideways_scrolling(page)

    # One more seat: it is held for her, and she is told by SMS.
    page.get_by_label("Nombre de places").fill(str(registered + 1))
    page.get_by_role("button", name="Changer le nombre de places").click()
    expect(line.locator("ol li").first).to_contain_text("place gardée jusqu'au")
    [message] = [m for m in sms.outbox if m["to"] == first.phone]
    assert "une place s'est libérée" in message["body"]
    assert "Elle est gardée pour vous jusqu'au" in message["body"]

    # She says yes on the phone: the adviser registers her from the line.
    page.get_by_role("button", name=f"Inscrire (elle accepte) : {full_name(first)}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Le budget d'une voiture")
    inscrits = page.locator("section[aria-labelledby=inscrits]")
    expect(inscrits.get_by_role("link", name=full_name(first))).to_be_visible()
    seats = f"{registered + 1} inscrit·es sur {registered + 1} places"
    expect(page.get_by_text(seats)).to_be_visible()
    expect(line).to_contain_text("Personne n'attend une place.")
    assert Appointment.objects.filter(slot=session, beneficiary=first, status="booked").exists()

    # A second person put on the line, then taken off it.
    page.get_by_label("Personne à mettre sur liste d'attente").select_option(label=label(second))
    page.get_by_role("button", name="Mettre sur liste d'attente").click()
    expect(line.locator("ol li")).to_have_count(1)
    page.get_by_role("button", name=f"Retirer de la liste : {full_name(second)}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Le budget d'une voiture")
    expect(line).to_contain_text("Personne n'attend une place.")
    assert WaitingListEntry.objects.get(session=session, beneficiary=second).status == "removed"
    assert WaitingListEntry.objects.get(session=session, beneficiary=first).status == "booked"
    assert re.search(rf"/agenda/seances/{session.pk}/$", page.url)
