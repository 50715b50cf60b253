"""Booking an appointment in two clicks (from the referral inbox or the person's record:
the places nearest the person's home first, then a time), an appointment's page
(attendance, cancellation, the follow-up proposed at its end) and each adviser's calendar
feed."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.need_to_know import PLATFORM_STAFF, DataKind, Mode, need_to_know, signed_link
from agenda import ics, selectors, services_appointments
from agenda.enums import AppointmentStatus, KindCategory
from agenda.forms import StaffCancelForm
from agenda.generation import agenda_tz
from agenda.links import adviser_from_feed_token
from agenda.models import Place
from agenda.notifications import place_text, when_text
from agenda.slot_display import offers_context, picker_only, slot_days, week_choice
from beneficiaries.selectors import beneficiary_get_for, referral_get_for_staff
from core.errors import NotFoundError
from core.web import run_service

BOOKABLE = (KindCategory.DIAGNOSTIC, KindCategory.FOLLOW_UP)
BOOK = {"mode": Mode.WRITE, "shows": [DataKind.AGENDA, DataKind.IDENTITY, DataKind.CONTACT],
        "audience": PLATFORM_STAFF}  # fmt: skip


def _category(request) -> str:
    wanted = request.GET.get("type", KindCategory.DIAGNOSTIC)
    return wanted if wanted in BOOKABLE else KindCategory.DIAGNOSTIC


def _chosen_place(request, platform_id: int):
    value = (request.POST.get("lieu") or request.GET.get("lieu") or "").strip()
    if not value.isdigit() or len(value) > 12:
        return None
    return Place.objects.filter(pk=int(value), platform_id=platform_id, active=True).first()


def _book_page(request, *, person, platform_id: int, who: dict, back_url: str):
    """GET: the places nearest the person with their first free times; POST `slot`: book it
    (the second click) and go to the appointment."""
    category = _category(request)
    status = 200
    if request.method == "POST":
        slot_id = request.POST.get("slot", "")
        outcome = run_service(
            request, services_appointments.appointment_book, actor=request.user,
            slot_id=int(slot_id) if slot_id.isdigit() else 0, **who,
            success_message=_("Rendez-vous pris. La personne reçoit un message avec le lien."),
        )  # fmt: skip
        if outcome.ok:
            return redirect("agenda_appointment", appointment_id=outcome.value.pk)
        status = outcome.status
    home = selectors.home_of(person)
    context = {
        "title": _("Rendez-vous pour %(name)s")
        % {"name": f"{person.first_name} {person.last_name}"},
        "person": person, "home": home, "category": category,
        "categories": [(c, KindCategory(c).label) for c in BOOKABLE], "back_url": back_url,
    }  # fmt: skip
    place = _chosen_place(request, platform_id)
    if place is not None:  # every date at one place: the week slot picker
        context["place"] = place
        context["picker"] = week_choice(
            request, slots=selectors.free_slots(platform_ids=[platform_id], category=category,
                                                place_id=place.pk).filter(session=False),
            path=request.path, keep={"type": category, "lieu": place.pk},
            label=_("Heure du rendez-vous à %(place)s") % {"place": place.name},
        )  # fmt: skip
        if picker_only(request):
            return render(request, "core/week_picker.html", {"picker": context["picker"]})
    else:
        offers = selectors.offer_by_place(platform_id=platform_id, category=category, home=home)
        context["offers"] = offers_context(offers)
    return render(request, "agenda/book.html", context, status=status)


@need_to_know(DataKind.APPOINTMENTS, **BOOK)
def book_for_person(request, beneficiary_id: int):
    person = beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
    return _book_page(
        request, person=person, platform_id=person.platform_id,
        who={"beneficiary_id": person.pk},
        back_url=reverse("beneficiary_detail", args=[person.pk]),
    )  # fmt: skip


@need_to_know(DataKind.APPOINTMENTS, DataKind.REFERRAL, **BOOK)
def book_for_referral(request, referral_id: int):
    referral = referral_get_for_staff(user=request.user, referral_id=referral_id)
    if referral.status not in services_appointments.OPEN_REFERRAL:
        raise NotFoundError(_("Orientation introuvable."))
    return _book_page(
        request, person=referral, platform_id=referral.platform_id,
        who={"referral_id": referral.pk}, back_url=reverse("referral_inbox"),
    )  # fmt: skip


@need_to_know(DataKind.APPOINTMENTS, shows=[DataKind.IDENTITY, DataKind.CONTACT],
              audience=PLATFORM_STAFF)  # fmt: skip
def appointment_detail(request, appointment_id: int):
    """The appointment; once it has started, who came; at its end, the follow-up to book
    (no later than its kind says: 6 weeks)."""
    appointment = selectors.appointment_get_for(user=request.user, appointment_id=appointment_id)
    return _detail_page(request, appointment)


def _detail_page(request, appointment, *, cancel_form=None, status=200):
    now = timezone.now()
    started = appointment.starts_at <= now
    deadline = selectors.follow_up_deadline(appointment)
    follow_ups = []
    follow_kind = None
    if appointment.status == AppointmentStatus.ATTENDED and deadline is not None:
        follow_kind = selectors.follow_up_kind(appointment)
        if follow_kind is not None:
            follow_ups = list(selectors.free_slots(
                platform_ids=[appointment.platform_id], kind_id=follow_kind.pk, now=now,
                until=deadline,
            )[:60])  # fmt: skip
            follow_ups.sort(key=lambda s: (s.adviser_id != appointment.adviser_id, s.starts_at))
            follow_ups = sorted(follow_ups[:12], key=lambda s: s.starts_at)
    already = appointment.follow_ups.filter(status=AppointmentStatus.BOOKED).first()
    return render(request, "agenda/appointment.html", {
        "title": f"{appointment.kind.name} — {appointment.person.first_name} "
                 f"{appointment.person.last_name}",
        "appointment": appointment, "when": when_text(appointment),
        "place": place_text(appointment.place), "started": started,
        "can_cancel": appointment.status == AppointmentStatus.BOOKED and not started,
        "can_mark": appointment.status == AppointmentStatus.BOOKED and started,
        "cancel_form": cancel_form or StaffCancelForm(),
        "follow_up_days": slot_days(follow_ups, show_place=True),
        "follow_up_deadline": f"{deadline.astimezone(agenda_tz()):%d/%m/%Y}" if deadline else "",
        "follow_up": already,
        "person_url": (reverse("beneficiary_detail", args=[appointment.beneficiary_id])
                       if appointment.beneficiary_id else ""),
    }, status=status)  # fmt: skip


@need_to_know(DataKind.APPOINTMENTS, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def appointment_action(request, appointment_id: int, action: str):
    appointment = selectors.appointment_get_for(user=request.user, appointment_id=appointment_id)
    if action == "annuler":
        form = StaffCancelForm(request.POST)
        if not form.is_valid():
            return _detail_page(request, appointment, cancel_form=form, status=400)
        run_service(request, services_appointments.appointment_cancel, actor=request.user,
                    appointment_id=appointment.pk, reason=form.cleaned_data["reason"],
                    success_message=_("Rendez-vous annulé, la personne est prévenue."),
                    )  # fmt: skip
    elif action in ("venu", "absent"):
        to = AppointmentStatus.ATTENDED if action == "venu" else AppointmentStatus.NO_SHOW
        run_service(request, services_appointments.appointment_mark, actor=request.user,
                    appointment_id=appointment.pk, to=to,
                    success_message=_("Présence enregistrée."))  # fmt: skip
    elif action == "suivi":
        slot_id = request.POST.get("slot", "")
        who = ({"beneficiary_id": appointment.beneficiary_id} if appointment.beneficiary_id
               else {"referral_id": appointment.referral_id})  # fmt: skip
        outcome = run_service(
            request, services_appointments.appointment_book, actor=request.user,
            slot_id=int(slot_id) if slot_id.isdigit() else 0, follow_up_of_id=appointment.pk,
            success_message=_("Suivi pris. La personne reçoit un message avec le lien."), **who,
        )  # fmt: skip
        if outcome.ok:
            return redirect("agenda_appointment", appointment_id=outcome.value.pk)
    else:
        raise NotFoundError(_("Action inconnue."))
    if request.POST.get("retour") == "seance" and appointment.slot_id:
        return redirect("agenda_session", session_id=appointment.slot_id)
    return redirect("agenda_appointment", appointment_id=appointment.pk)


@signed_link(DataKind.APPOINTMENTS, link_for={Role.ADMIN, Role.ADVISER})
def adviser_feed(request, token: str):
    """The adviser's private calendar feed (signed address, no account in the calendar)."""
    from django.contrib.auth import get_user_model

    adviser = (
        get_user_model().objects.filter(pk=adviser_from_feed_token(token), is_active=True).first()
    )
    if adviser is None:
        raise NotFoundError(_("Cet agenda n'existe pas."))
    content = ics.adviser_calendar(adviser, now=timezone.now())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
