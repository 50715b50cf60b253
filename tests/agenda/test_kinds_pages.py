"""Appointment kinds set from the pages by the platform's admins (with the audit log and
French errors; every other role refused), and opening rules changed from the pages."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from agenda.enums import KindCategory
from agenda.models import AgendaRule, AgendaSlot, AppointmentKind
from core.models import AuditLog
from tests.agenda.conftest import make_rule
from tests.factories import member

pytestmark = pytest.mark.django_db


def kind_body(kind, **changes):
    body = {"name": kind.name, "duration_minutes": kind.duration_minutes, "seats": kind.seats,
            "follow_up_within_days": kind.follow_up_within_days or ""}  # fmt: skip
    return {**body, **changes}


def test_the_admin_lists_and_changes_a_kind_with_its_audit_row(
    client, admin_user, kinds, open_agenda, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    page = client.get(reverse("agenda_kinds"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Diagnostic mobilité" in html and "90 minutes" in html and "Ajouter" not in html
    follow_up = kinds[KindCategory.FOLLOW_UP]
    url = reverse("agenda_kind_edit", args=[follow_up.pk])
    assert "Rendez-vous de suivi" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, kind_body(follow_up, duration_minutes=60))
    assert answer.status_code == 302 and answer["Location"] == reverse("agenda_kinds")
    follow_up.refresh_from_db()
    assert follow_up.duration_minutes == 60
    row = AuditLog.objects.get(action="agenda.kind_updated")
    assert (row.actor, row.data) == (admin_user, {"duration_minutes": [45, 60]})
    # The advisers' follow-up slots are cut again in hours (Vichy, Fridays 9:00–12:00).
    lengths = {s.ends_at - s.starts_at for s in AgendaSlot.objects.filter(kind=follow_up)}
    assert lengths == {timedelta(minutes=60)}


@pytest.mark.parametrize(
    ("category", "changes", "message"),
    [
        (KindCategory.COLLECTIVE, {"seats": 6}, "Entre 1 et 5 places pour ce type."),
        (KindCategory.DIAGNOSTIC, {"seats": 2}, "tête-à-tête : 1 place"),
        (KindCategory.DIAGNOSTIC, {"duration_minutes": 10}, "supérieure ou égale à 15"),
        (KindCategory.FOLLOW_UP, {"name": ""}, "Indiquez le nom du type de rendez-vous."),
    ],
)
def test_the_errors_are_said_in_french_and_nothing_changes(
    client, admin_user, kinds, category, changes, message
):
    client.force_login(admin_user)
    kind = kinds[category]
    answer = client.post(reverse("agenda_kind_edit", args=[kind.pk]), kind_body(kind, **changes))
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert AppointmentKind.objects.get(pk=kind.pk).seats == kind.seats
    assert not AuditLog.objects.filter(action__startswith="agenda.kind").exists()


def test_the_admin_adds_the_kind_a_platform_lacks(client, admin_user, kinds):
    kinds[KindCategory.OUTREACH].delete()
    client.force_login(admin_user)
    html = client.get(reverse("agenda_kinds")).content.decode()
    assert "Ajouter un type de rendez-vous" in html and 'value="outreach"' in html
    assert 'value="diagnostic"' not in html  # one kind per category
    answer = client.post(reverse("agenda_kinds"), {
        "category": "outreach", "name": "Permanence au marché", "duration_minutes": 240,
        "seats": 40,
    })  # fmt: skip
    assert answer.status_code == 302
    created = AppointmentKind.objects.get(category="outreach")
    assert (created.name, created.seats) == ("Permanence au marché", 40)
    row = AuditLog.objects.get(action="agenda.kind_created")
    assert row.target_id == str(created.pk) and row.data["seats"] == [None, 40]


@pytest.mark.parametrize("role", ["adviser", "finance_officer", "partner_manager", "prescriber"])
def test_nobody_but_the_platform_s_admins_sets_kinds(client, request, kinds, role):
    client.force_login(request.getfixturevalue(role))
    kind = kinds[KindCategory.DIAGNOSTIC]
    assert client.get(reverse("agenda_kinds")).status_code == 403
    answer = client.post(reverse("agenda_kind_edit", args=[kind.pk]), kind_body(kind, seats=1))
    assert answer.status_code == 403
    assert not AuditLog.objects.filter(action__startswith="agenda.kind").exists()


def test_another_platform_s_admin_does_not_find_the_kind(client, kinds, other_platform):
    client.force_login(member("admin", other_platform))
    kind = kinds[KindCategory.DIAGNOSTIC]
    assert client.get(reverse("agenda_kind_edit", args=[kind.pk])).status_code == 404


def test_signed_out_visitors_go_to_the_sign_in_page(client, kinds):
    answer = client.get(reverse("agenda_kinds"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("account_login"))


def test_the_kinds_tab_shows_for_admins_only(client, admin_user, adviser, kinds):
    client.force_login(adviser)
    assert reverse("agenda_kinds") not in client.get(reverse("agenda_rules")).content.decode()
    client.force_login(admin_user)
    assert reverse("agenda_kinds") in client.get(reverse("agenda_rules")).content.decode()


def test_an_opening_rule_is_changed_from_its_page(
    client, adviser, places, kinds, partner_manager, django_capture_on_commit_callbacks
):
    diagnostic = kinds[KindCategory.DIAGNOSTIC]
    rule = make_rule(adviser, places["moulins"], diagnostic, (0, 1), 9, 12)
    other = make_rule(adviser, places["vichy"], diagnostic, (3,), 9, 12)
    client.force_login(adviser)
    url = reverse("agenda_rule_edit", args=[rule.pk])
    assert url in client.get(reverse("agenda_rules")).content.decode()
    body = {"adviser": adviser.pk, "place": places["montlucon"].pk, "kind": diagnostic.pk,
            "weekdays": ["0", "3"], "start_time": "14:00", "end_time": "17:00",
            "valid_from": "2020-01-01"}  # fmt: skip
    overlap = client.post(url, {**body, "start_time": "10:00", "end_time": "13:00"})
    assert overlap.status_code == 400
    assert "chevauchent un autre horaire" in overlap.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, body)
    assert answer.status_code == 302
    rule.refresh_from_db()
    assert (rule.place, rule.weekdays, rule.start_time) == (places["montlucon"], [0, 3], time(14))
    row = AuditLog.objects.get(action="agenda.rule_updated")
    assert set(row.data) == {"place_id", "weekdays", "start_time", "end_time"}
    assert AgendaSlot.objects.filter(place=places["montlucon"]).exists()
    assert not AgendaSlot.objects.filter(place=places["moulins"]).exists()
    assert AgendaRule.objects.get(pk=other.pk).start_time == time(9)
    client.force_login(partner_manager)
    assert client.get(url).status_code in (403, 404)
