"""Waiting-list pages (issue 16): the platform's lines (advisers and admins), putting a person
in line, taking them off, answering an offer for them (a phone call); and the page of the
signed link sent to the person, where they take the place or let it go."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.need_to_know import (
    BENEFICIARIES,
    PLATFORM_STAFF,
    DataKind,
    Mode,
    need_to_know,
    signed_link,
)
from bookings import selectors_waitlist as selectors
from bookings import services_waitlist as services
from bookings.enums_waitlist import EntryStatus, OfferStatus
from bookings.forms_waitlist import WaitlistAddForm, WaitlistFilterForm
from bookings.links import my_bookings_url
from bookings.links_waitlist import offer_id_from_token
from bookings.waitlist_targets import target_of
from bookings.wording import person_label
from core.formatting import moment_text, short_date
from core.paging import page_context
from core.web import page_status, run_service, submit

TEMPLATES = "bookings/waitlist/"
PAGE_SIZE = 30


def _offer_text(offer, described) -> dict:
    tz = described.tz
    today = timezone.now().astimezone(tz).date()
    return {
        "offer": offer,
        "when": moment_text(offer.starts_at, tz, today),
        "until": moment_text(offer.expires_at, tz, today),
    }


def _row(entry) -> dict:
    offer = entry.open_offers[0] if getattr(entry, "open_offers", None) else None
    described = target_of(entry).describe(entry)
    if entry.wanted_from == entry.wanted_until:
        dates = _("le %(day)s") % {"day": short_date(entry.wanted_from)}
    else:
        dates = _("du %(first)s au %(last)s") % {
            "first": short_date(entry.wanted_from), "last": short_date(entry.wanted_until)
        }  # fmt: skip
    return {
        "entry": entry,
        "position": entry.ahead + 1,  # rank in its target's line (live entries)
        "person": person_label(entry.beneficiary),
        "target": described,
        "dates": dates,
        "offer": _offer_text(offer, described) if offer else None,
    }


@need_to_know(DataKind.WAITING_LIST, shows=[DataKind.IDENTITY], audience=PLATFORM_STAFF)
def waitlist_list(request):
    form = WaitlistFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    service_id = request.GET.get("service", "")
    session_id = request.GET.get("seance", "")
    entries = selectors.waitlist_entries_filtered(
        user=request.user, status=status,
        service_id=int(service_id) if service_id.isdigit() else None,
        session_id=int(session_id) if session_id.isdigit() else None,
    )  # fmt: skip
    paging = page_context(request, selectors.with_position(entries), PAGE_SIZE)
    page = paging["page_obj"]
    rows = [_row(entry) for entry in page.object_list]
    count = page.paginator.count
    return render(
        request,
        TEMPLATES + "list.html",
        {
            **paging,
            "title": _("Listes d'attente"),
            "form": form,
            "rows": rows,
            "filtered": bool(status or service_id or session_id),
            "count_text": ngettext("%(count)s personne", "%(count)s personnes", count)
            % {"count": count},
        },
    )


@need_to_know(DataKind.WAITING_LIST, mode=Mode.WRITE, shows=[DataKind.IDENTITY],
              audience=PLATFORM_STAFF)  # fmt: skip
def waitlist_add(request):
    initial = {k: request.GET[k] for k in ("beneficiary", "service") if request.GET.get(k)}
    form = WaitlistAddForm(request.POST or None, user=request.user, initial=initial)
    outcome = submit(
        request,
        form,
        services.waitlist_entry_add,
    )
    if outcome is not None and outcome.ok:
        entry = outcome.value
        return redirect(reverse("waitlist_list") + "?" + urlencode({"service": entry.service_id}))
    return render(
        request,
        TEMPLATES + "add.html",
        {"title": _("Mettre sur liste d'attente"), "form": form},
        status=page_status(form, outcome),
    )


def _back(request, entry):
    """Where an action on an entry returns: its target's page when it was sent from there
    (`retour=cible`, the session's page), else the waiting lists."""
    url = target_of(entry).describe(entry).staff_url
    if url and request.POST.get("retour") == "cible":
        return redirect(url)
    return redirect("waitlist_list")


@need_to_know(DataKind.WAITING_LIST, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def waitlist_remove(request, waiting_id: int):
    entry = selectors.waitlist_entry_get_for(user=request.user, entry_id=waiting_id)
    run_service(
        request, services.waitlist_entry_remove, actor=request.user, entry_id=entry.pk,
        success_message=_("%(person)s n'est plus sur la liste d'attente.")
        % {"person": entry.beneficiary},
    )  # fmt: skip
    return _back(request, entry)


@need_to_know(DataKind.WAITING_LIST, mode=Mode.WRITE, audience=PLATFORM_STAFF)
@require_POST
def waitlist_offer_answer(request, waiting_id: int, answer: str):
    """The adviser answers for the person (who said so on the phone)."""
    entry = selectors.waitlist_entry_get_for(user=request.user, entry_id=waiting_id)
    offer = entry.open_offers[0] if entry.open_offers else None
    if offer is None:
        messages.error(request, _("Aucune place n'est proposée à cette personne en ce moment."))
        return _back(request, entry)
    if answer == "accepter":
        outcome = run_service(
            request, services.waitlist_offer_accept, offer_id=offer.pk, actor=request.user,
            success_message=_("C'est réservé pour %(person)s.") % {"person": entry.beneficiary},
        )  # fmt: skip
        if outcome.ok and outcome.value.booking_id:
            return redirect("booking_detail", booking_id=outcome.value.booking_id)
    else:
        run_service(
            request, services.waitlist_offer_decline, offer_id=offer.pk, actor=request.user,
            success_message=_("La place est proposée à la personne suivante."),
        )  # fmt: skip
    return _back(request, entry)


# --- the person's signed link --------------------------------------------------------------


@signed_link(DataKind.WAITING_LIST, link_for=BENEFICIARIES)
@never_cache
def waitlist_offer_link(request, token: str):
    """« Une place pour vous »: take it or leave it, from the link of the SMS or e-mail,
    without an account. Answering is a POST (a link previewed by a messaging app must not
    answer for the person)."""
    offer = selectors.offer_for_link(offer_id=offer_id_from_token(token))
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer == "accept":
            run_service(request, services.waitlist_offer_accept, offer_id=offer.pk,
                        via_link=True)  # fmt: skip
        elif answer == "decline":
            run_service(request, services.waitlist_offer_decline, offer_id=offer.pk,
                        via_link=True)  # fmt: skip
        return redirect("waitlist_offer_link", token=token)
    entry = offer.entry
    described = target_of(entry).describe(entry)
    expired = offer.status == OfferStatus.OFFERED and offer.expires_at <= timezone.now()
    context = {
        **_offer_text(offer, described),
        "title": _("Une place pour vous"),
        "target": described,
        "person": entry.beneficiary,
        "open": offer.status == OfferStatus.OFFERED and not expired,
        "expired": expired or offer.status == OfferStatus.EXPIRED,
        "accepted": offer.status == OfferStatus.ACCEPTED,
        "declined": offer.status in (OfferStatus.DECLINED, OfferStatus.WITHDRAWN),
        "still_waiting": entry.status == EntryStatus.WAITING,
        "stays_in_line": not target_of(entry).one_date,
        "bookings_url": my_bookings_url(entry.beneficiary),
    }
    return render(request, TEMPLATES + "offer_link.html", context)
