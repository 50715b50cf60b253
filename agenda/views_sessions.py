"""Collective sessions and outreach dates: the list and the form to set one, a session's
page where advisers fill it with people, record who came and, for an outreach date, the
people met and the referrals it produced."""

from datetime import timedelta

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know
from agenda import forms, selectors, services, services_appointments
from agenda.enums import KindCategory
from agenda.generation import agenda_tz
from agenda.models import AppointmentKind
from agenda.notifications import place_text
from agenda.views_staff import advisers_of, platform_of, posted
from beneficiaries.enums import BeneficiaryStatus
from beneficiaries.models import Referral
from beneficiaries.selectors import beneficiary_list_for
from bookings import selectors_waitlist, services_waitlist
from core.formatting import moment_text
from core.web import page_status, run_service, submit

STAFF = {"audience": PLATFORM_STAFF}


def _when(slot) -> str:
    return moment_text(slot.starts_at, agenda_tz(), timezone.localdate())


@need_to_know(DataKind.APPOINTMENTS, shows=[DataKind.AGENDA], **STAFF)
def session_list(request):
    platform_id = platform_of(request.user, DataKind.APPOINTMENTS)
    services.kinds_ensure(platform_id=platform_id)
    form = forms.SessionForm(
        posted(request), advisers=advisers_of(platform_id),
        places=selectors.places_for(request.user).filter(active=True),
        kinds=AppointmentKind.objects.filter(platform_id=platform_id),
    )  # fmt: skip
    outcome = submit(request, form, services.session_create, platform_id=platform_id)
    if outcome is not None and outcome.ok:
        return redirect("agenda_session", session_id=outcome.value.pk)
    since = timezone.now() - timedelta(days=30)
    sessions = selectors.sessions_for(request.user).filter(starts_at__gte=since)
    rows = [{"session": s, "when": _when(s)} for s in sessions]
    return render(request, "agenda/sessions.html", {
        "title": _("Séances collectives et permanences"), "rows": rows, "form": form,
    }, status=page_status(form, outcome))  # fmt: skip


def _people(request, session):
    return (
        beneficiary_list_for(user=request.user)
        .filter(platform_id=session.platform_id)
        .exclude(status=BeneficiaryStatus.CLOSED)
        .order_by("last_name", "first_name")
    )


def _waiting_rows(request, session) -> list[dict]:
    """The session's waiting line, first in line first, with the seat offered if any."""
    entries = selectors_waitlist.with_position(
        selectors_waitlist.waitlist_entries_filtered(user=request.user, session_id=session.pk)
    )
    tz, today = agenda_tz(), timezone.localdate()
    rows = []
    for entry in entries:
        offer = entry.open_offers[0] if entry.open_offers else None
        until = moment_text(offer.expires_at, tz, today) if offer else ""
        rows.append({"entry": entry, "position": entry.ahead + 1, "until": until})
    return rows


def _session_page(
    request, session, *, add_form=None, outreach_form=None, seats_form=None, wait_form=None,
    status=200,
):  # fmt: skip
    people = selectors.session_people(session)
    outreach = session.kind.category == KindCategory.OUTREACH
    collective = session.kind.category == KindCategory.COLLECTIVE
    if add_form is None:
        add_form = forms.AddPersonForm(people=_people(request, session))
    if collective and wait_form is None:
        wait_form = forms.WaitlistForm(people=_people(request, session))
    if seats_form is None:
        seats_form = forms.SeatsForm(initial={"seats": session.capacity})
    if outreach and outreach_form is None:
        outreach_form = forms.OutreachForm(
            referrals=_outreach_referrals(session),
            initial={"people_met": session.people_met, "referrals": session.referrals.all()},
        )
    return render(request, "agenda/session.html", {
        "title": f"{session.kind.name} — {session.theme}", "session": session,
        "when": _when(session), "place": place_text(session.place), "people": people,
        "started": session.starts_at <= timezone.now(), "outreach": outreach,
        "add_form": add_form, "outreach_form": outreach_form, "collective": collective,
        "seats_form": seats_form, "wait_form": wait_form,
        "waiting": _waiting_rows(request, session) if collective else [],
        "referrals_count": session.referrals.count(),
        "attendance_choices": [("venu", _("Venu·e")), ("absent", _("Absent·e"))],
    }, status=status)  # fmt: skip


def _outreach_referrals(session):
    """Referrals received on the session's platform from its day to 30 days after."""
    return Referral.objects.filter(
        platform_id=session.platform_id, created_at__gte=session.starts_at - timedelta(days=1),
        created_at__lte=session.starts_at + timedelta(days=30),
    ).order_by("created_at")  # fmt: skip


@need_to_know(DataKind.APPOINTMENTS, shows=[DataKind.IDENTITY, DataKind.WAITING_LIST], **STAFF)
def session_detail(request, session_id: int):
    session = selectors.session_get_for(user=request.user, session_id=session_id)
    return _session_page(request, session)


@need_to_know(DataKind.APPOINTMENTS, mode=Mode.WRITE, shows=[DataKind.IDENTITY], **STAFF)
@require_POST
def session_add_person(request, session_id: int):
    """Fill the session: one seat taken through the capacity guard, never more than its
    seats."""
    session = selectors.session_get_for(user=request.user, session_id=session_id)
    form = forms.AddPersonForm(request.POST, people=_people(request, session))
    if not form.is_valid():
        return _session_page(request, session, add_form=form, status=400)
    outcome = run_service(
        request, services_appointments.appointment_book, form=form, error_field="beneficiary",
        actor=request.user, slot_id=session.pk, beneficiary_id=form.cleaned_data["beneficiary"].pk,
        success_message=_("Personne inscrite ; elle reçoit un message."),
    )  # fmt: skip
    if not outcome.ok:
        return _session_page(request, session, add_form=form, status=outcome.status)
    return redirect("agenda_session", session_id=session.pk)


@need_to_know(DataKind.APPOINTMENTS, mode=Mode.WRITE, **STAFF)
@require_POST
def session_outreach(request, session_id: int):
    session = selectors.session_get_for(user=request.user, session_id=session_id)
    form = forms.OutreachForm(request.POST, referrals=_outreach_referrals(session))
    outcome = submit(request, form, services.outreach_record, session_id=session.pk)
    if outcome is None or not outcome.ok:
        return _session_page(request, session, outreach_form=form,
                             status=page_status(form, outcome))  # fmt: skip
    return redirect("agenda_session", session_id=session.pk)


@need_to_know(DataKind.APPOINTMENTS, mode=Mode.WRITE, **STAFF)
@require_POST
def session_seats(request, session_id: int):
    """More seats (the first in the waiting line is offered them) or fewer (never below the
    people in it)."""
    session = selectors.session_get_for(user=request.user, session_id=session_id)
    form = forms.SeatsForm(request.POST)
    outcome = submit(request, form, services.session_seats_set, session_id=session.pk,
                     success_message=_("Nombre de places enregistré."))  # fmt: skip
    if outcome is None or not outcome.ok:
        return _session_page(request, session, seats_form=form,
                             status=page_status(form, outcome))  # fmt: skip
    return redirect("agenda_session", session_id=session.pk)


@need_to_know(DataKind.WAITING_LIST, mode=Mode.WRITE, shows=[DataKind.IDENTITY], **STAFF)
@require_POST
def session_waitlist_add(request, session_id: int):
    """Put a person on the waiting list of a full collective session: the first seat freed
    is offered to the first in line by SMS or e-mail."""
    session = selectors.session_get_for(user=request.user, session_id=session_id)
    form = forms.WaitlistForm(request.POST, people=_people(request, session))
    outcome = submit(
        request, form, services_waitlist.waitlist_entry_add, session_id=session.pk,
        error_field="beneficiary",
        success_message=_("Personne mise sur la liste d'attente : la première place libérée "
                          "lui sera proposée."),
    )  # fmt: skip
    if outcome is None or not outcome.ok:
        return _session_page(request, session, wait_form=form,
                             status=page_status(form, outcome))  # fmt: skip
    return redirect("agenda_session", session_id=session.pk)
