"""A person's data rights and the agenda (DESIGN §10): their export lists their
appointments, collective sessions and waiting-list entries; anonymising them cancels what is
to come (the seats go back, a session's to the next in its line), takes them out of every
line and keeps no reason or note they gave. Beneficiaries never imports the agenda: both go
through `beneficiaries.hooks`."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.enums import AppointmentStatus, KindCategory
from agenda.models import AgendaSlot, Appointment
from agenda.services import session_create
from agenda.services_appointments import appointment_book, appointment_cancel
from beneficiaries.privacy import anonymise, beneficiary_export
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.models_waitlist import WaitingListEntry, WaitingListOffer
from bookings.services_waitlist import waitlist_entry_add
from tests.agenda.conftest import soon
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def session(adviser, platform, places, kinds, theme, seats=1, days=5):
    return session_create(
        actor=adviser, platform_id=platform.pk, kind_id=kinds[KindCategory.COLLECTIVE].pk,
        place_id=places["vichy"].pk, adviser_id=adviser.pk,
        starts_at=timezone.now() + timedelta(days=days), theme=theme, seats=seats,
    )  # fmt: skip


@pytest.fixture
def nadia_s_agenda(
    open_agenda, person, platform, places, kinds, django_capture_on_commit_callbacks
):
    """Nadia: a diagnostic to come, a seat in « Le code » (Ahmed waiting behind her), in
    line for the full « Le budget » with a seat offered (Brigitte behind her), and a past
    appointment she cancelled with a reason."""
    adviser = open_agenda
    diagnostic = appointment_book(
        actor=adviser, beneficiary_id=person.pk,
        slot_id=AgendaSlot.objects.filter(kind__category=KindCategory.DIAGNOSTIC,
                                          starts_at__gt=soon(49)).order_by("starts_at")[0].pk,
    )  # fmt: skip
    code = session(adviser, platform, places, kinds, "Le code")
    seat = appointment_book(actor=adviser, slot_id=code.pk, beneficiary_id=person.pk)
    ahmed = BeneficiaryFactory(platform=platform, first_name="Ahmed")
    waitlist_entry_add(actor=adviser, beneficiary_id=ahmed.pk, session_id=code.pk)
    budget = session(adviser, platform, places, kinds, "Le budget", days=6)
    other = appointment_book(actor=adviser, slot_id=budget.pk,
                             beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    entry = waitlist_entry_add(actor=adviser, beneficiary_id=person.pk, session_id=budget.pk,
                               note="Nadia travaille le matin")  # fmt: skip
    brigitte = BeneficiaryFactory(platform=platform, first_name="Brigitte")
    waitlist_entry_add(actor=adviser, beneficiary_id=brigitte.pk, session_id=budget.pk)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=adviser, appointment_id=other.pk, reason="x")
    assert WaitingListOffer.objects.get().entry == entry  # the seat held for Nadia
    past = Appointment.objects.create(
        platform=platform, kind=diagnostic.kind, adviser=adviser, place=diagnostic.place,
        beneficiary=person, starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30, hours=-1), status=AppointmentStatus.CANCELLED,
        holding=False, cancel_reason="Mon fils est malade",
    )  # fmt: skip
    return {"diagnostic": diagnostic, "code": code, "seat": seat, "budget": budget,
            "entry": entry, "past": past, "ahmed": ahmed, "brigitte": brigitte}  # fmt: skip


def test_the_export_lists_appointments_sessions_and_waiting_lists(
    client, adviser, person, nadia_s_agenda
):
    data = beneficiary_export(user=adviser, beneficiary_id=person.pk)
    kinds = sorted(row["kind"] for row in data["appointments"])
    assert kinds == ["Diagnostic mobilité", "Diagnostic mobilité"]
    assert {row["cancel_reason"] for row in data["appointments"]} == {"", "Mon fils est malade"}
    place = nadia_s_agenda["diagnostic"].place.name
    assert {row["place"].split(",")[0] for row in data["appointments"]} == {place}
    assert [(s["theme"], s["status"]) for s in data["collective_sessions"]] == [
        ("Le code", "booked")
    ]
    (line,) = data["waiting_list"]
    assert line["for"] == "Séance collective « Le budget »" and line["status"] == "offered"
    assert line["note"] == "Nadia travaille le matin" and line["offers"][0]["status"] == "offered"
    client.force_login(adviser)
    page = client.get(reverse("beneficiary_export", args=[person.pk]))
    assert page.status_code == 200
    exported = json.loads(page.content)
    assert len(exported["appointments"]) == 2 and len(exported["waiting_list"]) == 1


def test_anonymising_cancels_what_is_to_come_and_passes_the_seats_on(
    person, nadia_s_agenda, django_capture_on_commit_callbacks
):
    agenda = nadia_s_agenda
    with django_capture_on_commit_callbacks(execute=True):
        anonymise(person)
    for name in ("diagnostic", "seat"):
        agenda[name].refresh_from_db()
        assert (agenda[name].status, agenda[name].holding) == (AppointmentStatus.CANCELLED, False)
    agenda["past"].refresh_from_db()
    assert agenda["past"].cancel_reason == ""
    entry = agenda["entry"]
    entry.refresh_from_db()
    assert (entry.status, entry.note) == (EntryStatus.REMOVED, "")
    offers = {o.entry.beneficiary_id: o.status for o in WaitingListOffer.objects.all()}
    assert offers == {
        person.pk: OfferStatus.WITHDRAWN,
        agenda["brigitte"].pk: OfferStatus.OFFERED,  # Nadia's held seat, to the next
        agenda["ahmed"].pk: OfferStatus.OFFERED,  # Nadia's seat in « Le code »
    }
    for name in ("code", "budget"):
        agenda[name].refresh_from_db()
        assert agenda[name].reserved == 1  # each seat held once, by the next in line
    assert not WaitingListEntry.objects.filter(
        beneficiary=person, status__in=["waiting", "offered"]
    ).exists()
