"""The beneficiary's pages (« Mes rendez-vous »), the booking's documents and the private
calendar feeds.

A signed-in person sees their bookings and may cancel before the service's cut-off; the signed
link of their SMS and e-mails shows the same page without signing in, read-only. Any party of a
booking downloads its voucher and calendar entry. Each view gets a scoped object, calls one
service or document function, then renders, redirects or answers with the file."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.need_to_know import (
    BENEFICIARIES,
    PARTNERS,
    DataKind,
    Mode,
    need_to_know,
    signed_link,
)
from accounts.permissions import is_beneficiary
from beneficiaries.models import Beneficiary
from bookings import documents, feeds, hooks, ics, services
from bookings.enums import ActorRole, BookingStatus
from bookings.links import beneficiary_from_token
from bookings.links_waitlist import offer_url
from bookings.permissions import role_of
from bookings.selectors import (
    ACTIVE,
    booking_get_for,
    bookings_of_beneficiary,
    bookings_of_beneficiary_in_order,
)
from bookings.selectors_waitlist import waitlist_lines_of_person
from core.errors import NotFoundError, PermissionDeniedError, get_or_not_found
from core.formatting import day_label, euros
from core.web import run_service
from partners.models import Partner

FOR_PEOPLE = gettext_lazy("Cette page est réservée aux personnes accompagnées par la plateforme.")
WITH_VOUCHER = (*ACTIVE, BookingStatus.COMPLETED)
# What each status means for the person, in plain words.
STATUS_WORDS = {
    BookingStatus.REQUESTED: gettext_lazy(
        "En attente : le partenaire doit encore confirmer. Vous recevrez un message."
    ),
    BookingStatus.CONFIRMED: gettext_lazy("Confirmé : le partenaire vous attend."),
    BookingStatus.COMPLETED: gettext_lazy("Rendez-vous passé."),
    BookingStatus.DECLINED: gettext_lazy(
        "Le partenaire ne peut pas vous recevoir. Votre conseiller·ère va vous proposer une "
        "autre solution."
    ),
    BookingStatus.EXPIRED: gettext_lazy(
        "Le partenaire n'a pas répondu à temps. Votre conseiller·ère va vous proposer une "
        "autre solution."
    ),
    BookingStatus.CANCELLED: gettext_lazy("Annulé."),
    BookingStatus.NO_SHOW: gettext_lazy("Vous n'êtes pas venu·e à ce rendez-vous."),
}
CANCELLED_BY = {
    ActorRole.BENEFICIARY: gettext_lazy("Annulé par vous."),
    ActorRole.ADVISER: gettext_lazy("Annulé par votre conseiller·ère."),
    ActorRole.PARTNER: gettext_lazy("Annulé par le partenaire."),
}
CANCEL_REASONS = [
    ("empechement", gettext_lazy("J'ai un empêchement")),
    ("malade", gettext_lazy("Je suis malade")),
    ("autre-solution", gettext_lazy("J'ai trouvé une autre solution")),
    ("plus-besoin", gettext_lazy("Je n'en ai plus besoin")),
    ("autre", gettext_lazy("Une autre raison")),
]


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Pourquoi annulez-vous ?"),
        choices=CANCEL_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez une raison.")},
    )

    def reason_text(self) -> str:
        return str(dict(CANCEL_REASONS)[self.cleaned_data["reason"]])


# --- Helpers --------------------------------------------------------------------------------


def _signed_in_beneficiary(user) -> Beneficiary:
    if not is_beneficiary(user) or user.beneficiary.anonymised_at is not None:
        raise PermissionDeniedError(str(FOR_PEOPLE))
    return user.beneficiary


def _linked_beneficiary(token: str) -> Beneficiary:
    beneficiary = (
        Beneficiary.objects.filter(pk=beneficiary_from_token(token), anonymised_at__isnull=True)
        .select_related("platform", "adviser")
        .first()
    )
    if beneficiary is None:
        raise NotFoundError(_("Ce lien n'est pas valide."))
    return beneficiary


def _own_booking(beneficiary: Beneficiary, booking_id: int):
    return get_or_not_found(
        bookings_of_beneficiary(beneficiary_id=beneficiary.pk),
        booking_id,
        _("Rendez-vous introuvable."),
    )


def party_booking(user, booking_id: int):
    """The booking when the user is one of its parties (staff of its platform, the partner's
    members, the person); 404 for anyone else."""
    booking = booking_get_for(user=user, booking_id=booking_id)
    if role_of(user, booking) is None:
        raise NotFoundError(_("Réservation introuvable."))
    return booking


def cancel_deadline(booking):
    return booking.starts_at - timedelta(hours=booking.service.cancellation_cutoff_hours)


def _adviser_contact(beneficiary: Beneficiary) -> dict:
    adviser = beneficiary.adviser
    return {
        "name": (adviser.get_full_name() or adviser.email) if adviser else "",
        "phone": adviser.phone if adviser else "",
        "platform": beneficiary.platform.name,
    }


def _booking_row(booking, *, now, today, token: str | None) -> dict:
    service = booking.service
    organisation = service.partner.organisation
    when, until = documents.when_parts(booking, today)
    deadline = cancel_deadline(booking)
    active = booking.status in ACTIVE
    if token:
        voucher_url = reverse("my_booking_voucher_link", args=[token, booking.pk])
        calendar_url = reverse("my_booking_calendar_link", args=[token, booking.pk])
    else:
        voucher_url = reverse("booking_voucher", args=[booking.pk])
        calendar_url = reverse("booking_calendar", args=[booking.pk])
    status_words = STATUS_WORDS[booking.status]
    if booking.status == BookingStatus.CANCELLED and booking.cancelled_by in CANCELLED_BY:
        status_words = CANCELLED_BY[booking.cancelled_by]
    deadline_local = deadline.astimezone(documents.partner_tz(booking))
    return {
        "booking": booking,
        "service": service,
        "organisation": organisation,
        "when": when,
        "until": until,
        "local_time_note": documents.is_local_time_different(booking),
        "address": documents.address_lines(organisation),
        "directions_url": documents.directions_url(organisation),
        "deposit": euros(service.deposit) if service.deposit else "",
        "status_words": status_words,
        "active": active,
        "voucher_url": voucher_url if booking.status in WITH_VOUCHER else "",
        "calendar_url": calendar_url if active else "",
        "can_cancel": active and token is None and now <= deadline,
        "too_late_to_cancel": active and now > deadline,
        "deadline": f"{day_label(deadline_local.date(), today)}, "
        f"{documents.clock_text(deadline_local.time())}",
        "cancel_url": reverse("my_booking_cancel", args=[booking.pk]),
        "form": CancelForm(auto_id=f"annuler-{booking.pk}-%s"),
    }


def _render_page(request, beneficiary: Beneficiary, *, token: str | None):
    now = timezone.now()
    today = timezone.localdate()
    upcoming, past = bookings_of_beneficiary_in_order(beneficiary_id=beneficiary.pk, now=now)
    feed_url = feeds.beneficiary_feed_url(beneficiary)
    badges = hooks.payment_badges_of(
        bookings=[*upcoming, *past], viewer="person" if token is None else "link", request=request
    )
    rows = {
        "upcoming": [_booking_row(b, now=now, today=today, token=token) for b in upcoming],
        "past": [_booking_row(b, now=now, today=today, token=token) for b in past],
    }
    for row in (*rows["upcoming"], *rows["past"]):
        row["payment"] = badges.get(row["booking"].pk)
    waiting = waitlist_lines_of_person(beneficiary_id=beneficiary.pk)
    for line in waiting:
        line["offer_url"] = offer_url(line["offer"]) if line["offer"] else ""
    return render(
        request,
        "bookings/people/my_bookings.html",
        {
            "beneficiary": beneficiary,
            "upcoming": rows["upcoming"],
            "past": rows["past"],
            "waiting": waiting,
            "via_link": token is not None,
            "adviser": _adviser_contact(beneficiary),
            "feed_url": feed_url,
            "webcal_url": feeds.webcal(feed_url),
            "panels": hooks.people_page_panels(
                beneficiary=beneficiary, request=request, token=token
            ),  # fmt: skip
        },
    )


def _file(content: bytes, *, content_type: str, filename: str, attachment=True) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def voucher_response(booking) -> HttpResponse:
    return _file(
        documents.voucher_pdf(booking),
        content_type="application/pdf",
        filename=f"bon-de-prise-en-charge-{booking.reference}.pdf",
    )


def calendar_response(booking) -> HttpResponse:
    return _file(
        ics.booking_ics(booking),
        content_type="text/calendar; charset=utf-8",
        filename=f"rendez-vous-{booking.reference}.ics",
    )


# --- « Mes rendez-vous » ----------------------------------------------------------------------


@never_cache
@need_to_know(DataKind.BOOKINGS, audience=BENEFICIARIES, refusal=FOR_PEOPLE)
def my_bookings(request):
    return _render_page(request, _signed_in_beneficiary(request.user), token=None)


@signed_link(DataKind.BOOKINGS, link_for=BENEFICIARIES)
@never_cache
def my_bookings_link(request, token: str):
    """The page reached from the signed link in SMS and e-mails: read-only."""
    beneficiary = _linked_beneficiary(token)
    if request.user.is_authenticated and beneficiary.user_id == request.user.pk:
        return redirect("my_bookings")
    return _render_page(request, beneficiary, token=token)


@need_to_know(DataKind.BOOKINGS, mode=Mode.WRITE, audience=BENEFICIARIES, refusal=FOR_PEOPLE)
@require_POST
def my_booking_cancel(request, booking_id: int):
    beneficiary = _signed_in_beneficiary(request.user)
    booking = _own_booking(beneficiary, booking_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez pourquoi vous annulez, puis confirmez."))
        return redirect(reverse("my_bookings") + f"#rdv-{booking.pk}")
    # The page lists every booking with its own form: a refusal is a message above them.
    run_service(
        request, services.booking_cancel, actor=request.user, booking_id=booking.pk,
        reason=form.reason_text(),
        success_message=_(
            "Votre rendez-vous « %(service)s » est annulé. Le partenaire et votre "
            "conseiller·ère sont prévenus."
        ) % {"service": booking.service.name},
    )  # fmt: skip
    return redirect("my_bookings")


@signed_link(DataKind.BOOKING_DOCUMENTS, link_for=BENEFICIARIES)
@never_cache
def my_booking_voucher_link(request, token: str, booking_id: int):
    return voucher_response(_own_booking(_linked_beneficiary(token), booking_id))


@signed_link(DataKind.BOOKING_DOCUMENTS, link_for=BENEFICIARIES)
@never_cache
def my_booking_calendar_link(request, token: str, booking_id: int):
    return calendar_response(_own_booking(_linked_beneficiary(token), booking_id))


# --- Documents for every party of a booking ---------------------------------------------------


@never_cache
@need_to_know(DataKind.BOOKING_DOCUMENTS)
def booking_voucher(request, booking_id: int):
    return voucher_response(party_booking(request.user, booking_id))


@never_cache
@need_to_know(DataKind.BOOKING_DOCUMENTS)
def booking_calendar(request, booking_id: int):
    return calendar_response(party_booking(request.user, booking_id))


# --- Private calendar feeds -------------------------------------------------------------------


@signed_link(DataKind.BOOKINGS, DataKind.BOOKING_PARTIES, link_for=PARTNERS)
def partner_calendar_feed(request, token: str):
    partner = (
        Partner.objects.filter(
            pk=feeds.partner_from_feed_token(token), organisation__is_active=True
        )
        .select_related("organisation")
        .first()
    )
    if partner is None:
        raise NotFoundError(_("Cet agenda n'existe pas."))
    content = ics.calendar_feed(
        feeds.partner_feed_bookings(partner_id=partner.pk),
        _("Solimob — %(partner)s") % {"partner": partner.name},
        for_partner=True,
    )
    return _file(
        content, content_type="text/calendar; charset=utf-8", filename="agenda.ics",
        attachment=False,
    )  # fmt: skip


@signed_link(DataKind.BOOKINGS, link_for=BENEFICIARIES)
def beneficiary_calendar_feed(request, token: str):
    beneficiary = Beneficiary.objects.filter(
        pk=feeds.beneficiary_from_feed_token(token), anonymised_at__isnull=True
    ).first()
    if beneficiary is None:
        raise NotFoundError(_("Cet agenda n'existe pas."))
    content = ics.calendar_feed(
        feeds.beneficiary_feed_bookings(beneficiary_id=beneficiary.pk),
        _("Mes rendez-vous Solimob"),
    )
    return _file(
        content, content_type="text/calendar; charset=utf-8", filename="mes-rendez-vous.ics",
        attachment=False,
    )  # fmt: skip
