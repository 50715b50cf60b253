"""The person's pages, opened from the signed link of their SMS or e-mail, without an
account: see the appointment, cancel it, or move it to another free time of the same kind
(the week slot picker)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.need_to_know import BENEFICIARIES, DataKind, signed_link
from agenda import selectors, services_appointments
from agenda.enums import AppointmentStatus
from agenda.forms import CancelForm
from agenda.links import appointment_from_token
from agenda.models import Appointment, Place
from agenda.notifications import place_text, when_text
from agenda.slot_display import picker_only, week_choice
from agenda.views_staff import posted  # noqa: E402
from core.errors import NotFoundError
from core.web import page_status, run_service

LINK = {"link_for": BENEFICIARIES}


def _appointment(token: str) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=appointment_from_token(token))
        .select_related("kind", "place", "place__commune", "adviser", "beneficiary", "referral")
        .first()
    )
    if appointment is None or (
        appointment.beneficiary_id and appointment.beneficiary.anonymised_at is not None
    ):
        raise NotFoundError(_("Ce lien n'est pas valide."))
    return appointment


def _current(appointment: Appointment) -> Appointment:
    """A moved appointment's link leads to where it went."""
    seen = 0
    while seen < 10 and hasattr(appointment, "moved_to"):
        appointment = appointment.moved_to
        seen += 1
    return appointment


def _open(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > timezone.now()


def _context(appointment: Appointment) -> dict:
    return {
        "appointment": appointment, "when": when_text(appointment),
        "place": place_text(appointment.place), "open": _open(appointment),
        "adviser": appointment.adviser,
    }  # fmt: skip


@signed_link(DataKind.APPOINTMENTS, **LINK)
@never_cache
def appointment_link(request, token: str):
    appointment = _current(_appointment(token))
    return render(request, "agenda/people/appointment.html", {
        **_context(appointment), "token": token, "title": _("Votre rendez-vous"),
    })  # fmt: skip


@signed_link(DataKind.APPOINTMENTS, **LINK)
@never_cache
def appointment_link_cancel(request, token: str):
    appointment = _current(_appointment(token))
    form = CancelForm(posted(request))
    outcome = None
    if request.method == "POST" and _open(appointment) and form.is_valid():
        outcome = run_service(
            request, services_appointments.appointment_cancel_by_person, form=form,
            appointment_id=appointment.pk, **form.service_fields(),
        )  # fmt: skip
        if outcome.ok:
            messages.success(request, _("Votre rendez-vous est annulé. Votre conseiller·ère "
                                        "est prévenu·e et vous rappellera."))  # fmt: skip
            return redirect("agenda_link", token=token)
    return render(request, "agenda/people/cancel.html", {
        **_context(appointment), "token": token, "form": form,
        "title": _("Annuler le rendez-vous"),
    }, status=page_status(form, outcome) if request.method == "POST" else 200)  # fmt: skip


def _place_id(request, appointment: Appointment) -> int:
    value = (request.POST.get("lieu") or request.GET.get("lieu") or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else appointment.place_id


@signed_link(DataKind.APPOINTMENTS, **LINK)
@never_cache
def appointment_link_move(request, token: str):
    """Another free time of the same kind, in the week slot picker: at the same place
    first; the other places with free times are offered as links."""
    appointment = _current(_appointment(token))
    place_id = _place_id(request, appointment)
    outcome = None
    if request.method == "POST" and _open(appointment):
        slot_id = request.POST.get("slot", "")
        outcome = run_service(
            request, services_appointments.appointment_move, actor=None,
            appointment_id=appointment.pk, slot_id=int(slot_id) if slot_id.isdigit() else 0,
        )  # fmt: skip
        if outcome.ok:
            messages.success(request, _("C'est noté : votre rendez-vous est déplacé."))
            return redirect("agenda_link", token=token)
    context = {**_context(appointment), "token": token, "title": _("Déplacer le rendez-vous")}
    if _open(appointment):
        free = selectors.free_slots(
            platform_ids=[appointment.platform_id], kind_id=appointment.kind_id
        ).filter(session=False)
        path = reverse("agenda_link_move", args=[token])
        context["picker"] = week_choice(
            request, slots=free.filter(place_id=place_id), path=path, keep={"lieu": place_id},
            label=_("Choisissez une autre heure"),
        )  # fmt: skip
        if picker_only(request):
            return render(request, "core/week_picker.html", {"picker": context["picker"]})
        context["place_id"] = place_id
        context["places"] = [
            {"place": place, "url": f"{path}?lieu={place.pk}", "current": place.pk == place_id}
            for place in Place.objects.filter(
                pk__in=free.values("place_id"), active=True
            ).order_by("name")
        ]  # fmt: skip
    return render(request, "agenda/people/move.html", context,
                  status=outcome.status if outcome is not None else 200)  # fmt: skip
