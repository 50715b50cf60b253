"""The agenda's pages: the two clicks from the referral inbox or the record (nearest place
first), the appointment's page (attendance, follow-up within 6 weeks, cancel), sessions and
outreach dates, set-up pages, and the person's signed link (see, cancel, move)."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.enums import Role
from agenda.enums import AppointmentStatus, KindCategory
from agenda.links import appointment_url
from agenda.models import AgendaRule, AgendaSlot, Appointment, Place
from agenda.services_appointments import appointment_book, appointment_mark
from tests.agenda.conftest import soon
from tests.beneficiaries.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def test_two_clicks_from_the_inbox_book_the_nearest_place_first(client, open_agenda, referral):
    """The referral lives in Vichy: Moulins (about 49 km) comes before Montluçon (about 70)."""
    client.force_login(open_agenda)
    inbox = client.get(reverse("referral_inbox")).content.decode()
    book_url = reverse("agenda_book_referral", args=[referral.pk])
    assert book_url in inbox  # first click
    page = client.get(book_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("CMS de Moulins") < html.index("France Services Montluçon")
    first = AgendaSlot.objects.filter(place__name="CMS de Moulins", starts_at__gt=soon(1))
    slot = first.order_by("starts_at").first()
    answer = client.post(book_url, {"slot": slot.pk})  # second click
    appointment = Appointment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("agenda_appointment", args=[appointment.pk])
    assert (appointment.referral, appointment.slot) == (referral, slot)


def test_the_record_offers_the_booking_and_a_taken_slot_says_so(client, open_agenda, person,
                                                                 platform):  # fmt: skip
    client.force_login(open_agenda)
    record = client.get(reverse("beneficiary_detail", args=[person.pk])).content.decode()
    url = reverse("agenda_book_person", args=[person.pk])
    assert url in record
    html = client.get(url).content.decode()
    assert html.index("France Services Montluçon") < html.index("CMS de Moulins")  # lives there
    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon(1)).first()
    appointment_book(actor=open_agenda, slot_id=slot.pk,
                     beneficiary_id=BeneficiaryFactory(platform=platform).pk)  # fmt: skip
    refused = client.post(url, {"slot": slot.pk})
    assert refused.status_code == 409
    assert "vient d&#x27;être complet" in refused.content.decode()


def test_attendance_then_the_follow_up_is_proposed_within_six_weeks(client, open_agenda, person):
    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon(1)).first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    appointment_mark(actor=open_agenda, appointment_id=appointment.pk, to="attended",
                     now=slot.starts_at + timedelta(hours=2))  # fmt: skip
    client.force_login(open_agenda)
    page = client.get(reverse("agenda_appointment", args=[appointment.pk])).content.decode()
    assert "Prochain rendez-vous de suivi" in page
    follow = AgendaSlot.objects.filter(kind__category="follow_up").order_by("starts_at").first()
    answer = client.post(reverse("agenda_appointment_suivi", args=[appointment.pk]),
                         {"slot": follow.pk})  # fmt: skip
    created = Appointment.objects.get(follow_up_of=appointment)
    assert answer["Location"] == reverse("agenda_appointment", args=[created.pk])
    assert created.kind.category == KindCategory.FOLLOW_UP


def test_the_adviser_cancels_with_a_reason(client, open_agenda, person):
    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon(1)).first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    client.force_login(open_agenda)
    url = reverse("agenda_appointment_annuler", args=[appointment.pk])
    assert client.post(url, {}).status_code == 400
    client.post(url, {"reason": "Route coupée"})
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Route coupée")


def _token(appointment) -> str:
    return resolve(urlparse(appointment_url(appointment)).path).kwargs["token"]


def test_the_person_sees_cancels_and_moves_through_the_link(client, open_agenda, person):
    first, second = AgendaSlot.objects.filter(
        kind__category="diagnostic", starts_at__gt=soon(1)
    ).order_by("starts_at")[:2]
    appointment = appointment_book(actor=open_agenda, slot_id=first.pk, beneficiary_id=person.pk)
    token = _token(appointment)
    page = client.get(reverse("agenda_link", args=[token])).content.decode()
    assert first.place.name in page and "Changer l'heure" in page
    move = client.get(reverse("agenda_link_move", args=[token])).content.decode()
    assert f'value="{second.pk}"' in move
    client.post(reverse("agenda_link_move", args=[token]), {"slot": second.pk})
    new = Appointment.objects.get(moved_from=appointment)
    assert new.slot == second
    # The old link follows the move.
    cancel_url = reverse("agenda_link_cancel", args=[token])
    assert client.post(cancel_url, {}).status_code == 400
    client.post(cancel_url, {"reason": "malade"})
    new.refresh_from_db()
    assert new.status == AppointmentStatus.CANCELLED
    assert AgendaSlot.objects.filter(pk__in=[first.pk, second.pk], reserved__gt=0).count() == 0


def test_mes_rendez_vous_shows_the_appointment_beside_bookings(client, open_agenda, person):
    from tests.factories import UserFactory

    person.user = UserFactory()
    person.save()
    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon(1)).first()
    appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    client.force_login(person.user)
    page = client.get(reverse("my_bookings")).content.decode()
    assert "Avec la plateforme de mobilité" in page and "Diagnostic mobilité" in page


def test_a_session_is_filled_and_attendance_recorded(client, adviser, places, kinds, platform):
    client.force_login(adviser)
    answer = client.post(reverse("agenda_sessions"), {
        "kind": kinds[KindCategory.COLLECTIVE].pk, "theme": "Passer le code",
        "place": places["vichy"].pk, "adviser": adviser.pk,
        "day": (soon(72)).date().isoformat(), "start_time": "14:00", "seats": "5",
    })  # fmt: skip
    session = AgendaSlot.objects.get(session=True)
    assert answer["Location"] == reverse("agenda_session", args=[session.pk])
    people = [BeneficiaryFactory(platform=platform) for _ in range(2)]
    for p in people:
        client.post(reverse("agenda_session_add", args=[session.pk]), {"beneficiary": p.pk})
    again = client.post(reverse("agenda_session_add", args=[session.pk]),
                        {"beneficiary": people[0].pk})  # fmt: skip
    assert again.status_code == 409
    session.refresh_from_db()
    assert session.reserved == 2
    too_many = client.post(reverse("agenda_sessions"), {
        "kind": kinds[KindCategory.COLLECTIVE].pk, "theme": "x", "place": places["vichy"].pk,
        "adviser": adviser.pk, "day": soon(72).date().isoformat(), "start_time": "9:00",
        "seats": "6",
    })  # fmt: skip
    assert too_many.status_code == 400


def test_setup_pages_add_a_place_a_rule_and_a_closure(
    client, adviser, communes, kinds, django_capture_on_commit_callbacks
):
    client.force_login(adviser)
    client.post(reverse("agenda_places"), {"name": "Espace mobile", "kind": "mobile",
                                           "commune": "03100", "accessible": "on",
                                           "active": "on"})  # fmt: skip
    place = Place.objects.get(name="Espace mobile")
    assert place.commune.name == "Montluçon" and place.accessible
    unknown = client.post(reverse("agenda_places"), {"name": "X", "kind": "cms",
                                                     "commune": "Nulle-part"})  # fmt: skip
    assert unknown.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agenda_rules"), {
            "adviser": adviser.pk, "place": place.pk, "kind": kinds[KindCategory.DIAGNOSTIC].pk,
            "weekdays": ["0", "2"], "start_time": "9:00", "end_time": "12:00",
            "valid_from": soon(0).date().isoformat(),
        })  # fmt: skip
    assert AgendaRule.objects.filter(place=place).count() == 1
    assert AgendaSlot.objects.filter(place=place).exists()  # regenerated after commit
    overlap = client.post(reverse("agenda_rules"), {
        "adviser": adviser.pk, "place": place.pk, "kind": kinds[KindCategory.FOLLOW_UP].pk,
        "weekdays": ["2"], "start_time": "11:00", "end_time": "13:00",
        "valid_from": soon(0).date().isoformat(),
    })  # fmt: skip
    assert overlap.status_code == 400
    day = soon(24 * 8).date()
    client.post(reverse("agenda_closures"), {"adviser": adviser.pk, "start_date": day,
                                             "end_date": day + timedelta(days=6),
                                             "reason": "holidays"})  # fmt: skip
    assert client.get(reverse("agenda_week")).status_code == 200


def test_every_date_at_one_place_in_the_week_picker(client, open_agenda, person, places):
    """« Toutes les dates à … »: h-pick's week slot picker, one choice, HTMX swaps it alone."""
    client.force_login(open_agenda)
    url = reverse("agenda_book_person", args=[person.pk])
    place = places["moulins"]
    page = client.get(url, {"type": "diagnostic", "lieu": place.pk}).content.decode()
    assert 'id="id_slot"' in page and 'type="radio" name="slot"' in page
    assert "Heure du rendez-vous à CMS de Moulins" in page
    swapped = client.get(url, {"type": "diagnostic", "lieu": place.pk, "semaine": "2000-01-03"},
                         HTTP_HX_REQUEST="true", HTTP_HX_TARGET="id_slot")  # fmt: skip
    assert "<fieldset" in swapped.content.decode()[:300] and "<html" not in swapped.content.decode()
    slot = AgendaSlot.objects.filter(place=place, starts_at__gt=soon(1)).order_by("starts_at")[0]
    answer = client.post(f"{url}?type=diagnostic", {"lieu": place.pk, "slot": slot.pk})
    assert Appointment.objects.get().slot == slot and answer.status_code == 302


def test_the_person_moves_in_the_week_picker_and_may_pick_another_place(
    client, open_agenda, person, places
):
    slot = AgendaSlot.objects.filter(place=places["montlucon"], starts_at__gt=soon(1)).first()
    appointment = appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    token = _token(appointment)
    page = client.get(reverse("agenda_link_move", args=[token])).content.decode()
    assert 'type="radio" name="slot"' in page
    other = reverse("agenda_link_move", args=[token]) + f"?lieu={places['moulins'].pk}"
    assert other.replace("&", "&amp;") in page or other in page
    there = client.get(other).content.decode()
    moulins = AgendaSlot.objects.filter(place=places["moulins"], starts_at__gt=soon(1)).first()
    assert f'value="{moulins.pk}"' in there


def test_the_advisers_feed_lists_their_appointments(client, open_agenda, person):
    from agenda.links import adviser_feed_url

    slot = AgendaSlot.objects.filter(kind__category="diagnostic", starts_at__gt=soon(1)).first()
    appointment_book(actor=open_agenda, slot_id=slot.pk, beneficiary_id=person.pk)
    path = urlparse(adviser_feed_url(open_agenda)).path
    feed = client.get(path)
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert "Diagnostic mobilité — Nadia Benali" in body and slot.place.name in body


def test_a_closure_from_the_page_removes_the_free_slots(
    client, open_agenda, places, django_capture_on_commit_callbacks
):
    from agenda.generation import agenda_tz

    last = AgendaSlot.objects.filter(place=places["montlucon"]).order_by("starts_at").last()
    local_day = last.starts_at.astimezone(agenda_tz()).date()

    def that_day() -> int:
        return sum(
            1 for s in AgendaSlot.objects.filter(place=places["montlucon"])
            if s.starts_at.astimezone(agenda_tz()).date() == local_day
        )  # fmt: skip

    assert that_day() == 2  # the morning's two diagnostics
    client.force_login(open_agenda)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agenda_closures"), {"place": places["montlucon"].pk,
                                                 "start_date": local_day, "end_date": local_day,
                                                 "reason": "place_closed"})  # fmt: skip
    assert that_day() == 0
    assert AgendaSlot.objects.filter(place=places["moulins"]).exists()  # other places stay


def test_a_closure_taken_back_gives_the_free_slots_back(
    client, open_agenda, places, django_capture_on_commit_callbacks
):
    from agenda.generation import agenda_tz
    from agenda.models import AgendaClosure
    from core.models import AuditLog

    last = AgendaSlot.objects.filter(place=places["montlucon"]).order_by("starts_at").last()
    local_day = last.starts_at.astimezone(agenda_tz()).date()
    client.force_login(open_agenda)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agenda_closures"), {"place": places["montlucon"].pk,
                                                 "start_date": local_day, "end_date": local_day,
                                                 "reason": "place_closed"})  # fmt: skip
    closure = AgendaClosure.objects.get()
    assert not AgendaSlot.objects.filter(pk=last.pk).exists()
    page = client.get(reverse("agenda_closures")).content.decode()
    assert reverse("agenda_closure_delete", args=[closure.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agenda_closure_delete", args=[closure.pk]))
    assert response.status_code == 302
    assert not AgendaClosure.objects.exists()
    assert AgendaSlot.objects.filter(place=places["montlucon"], starts_at=last.starts_at).exists()
    assert AuditLog.objects.filter(action="agenda.closure_deleted").count() == 1


def test_only_the_platforms_agenda_managers_take_a_closure_back(
    client, open_agenda, places, other_platform, partner_manager
):
    from agenda.models import AgendaClosure
    from tests.factories import member

    now = timezone.now()
    closure = AgendaClosure.objects.create(
        platform=places["montlucon"].platform, starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )  # fmt: skip
    url = reverse("agenda_closure_delete", args=[closure.pk])
    elsewhere = member(Role.ADVISER, other_platform)
    client.force_login(elsewhere)
    client.post(url)  # another platform's adviser: nothing found, nothing deleted
    client.force_login(partner_manager)
    assert client.post(url).status_code == 403
    assert AgendaClosure.objects.filter(pk=closure.pk).exists()
    client.force_login(open_agenda)
    assert client.get(url).status_code == 405
    client.post(url)
    assert not AgendaClosure.objects.filter(pk=closure.pk).exists()
