"""The public « Être rappelé·e » page (issue 16): no account, nothing of anyone shown. A
person leaves their name, phone and commune; the request reaches the platform's referral
inbox. Requests are limited per IP address (`SELF_REFERRAL_PER_IP_PER_HOUR`, in the cache)
and robots turned away (`forms_self_referral`)."""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from beneficiaries.enums import HelpKind
from beneficiaries.forms_self_referral import SelfReferralForm, new_stamp
from beneficiaries.services_self_referral import (
    platform_for_place,
    platform_from_slug,
    self_referral_submit,
)
from core.enums import ErrorCode
from core.errors import ApplicationError
from core.places import PlaceError, resolve_place
from core.web import page_status, run_service

TEMPLATES = "beneficiaries/self_referral/"
# The four kinds of help, each with its picture (static SVG) and the picture's short
# description (the label beside it says what the help is).
PICTOGRAMS = {
    HelpKind.REPAIR: ("img/help/repair.svg", gettext_lazy("dessin : une voiture et une clé")),
    HelpKind.RENTAL: ("img/help/rental.svg", gettext_lazy("dessin : une clé et un vélo")),
    HelpKind.TRANSPORT: (
        "img/help/transport.svg",
        gettext_lazy("dessin : une voiture avec deux personnes"),
    ),
    HelpKind.LICENCE: ("img/help/licence.svg", gettext_lazy("dessin : un permis de conduire")),
}


def _throttle(request) -> None:
    """At most SELF_REFERRAL_PER_IP_PER_HOUR requests per address and clock hour."""
    address = request.META.get("REMOTE_ADDR", "")
    key = f"self-referral:{address}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > settings.SELF_REFERRAL_PER_IP_PER_HOUR:
        raise ApplicationError(
            _("Trop de demandes depuis cet appareil. Réessayez dans une heure, ou appelez-nous."),
            code=ErrorCode.TOO_MANY_REQUESTS,
            status=429,
        )


def _where(form, platform):
    """The platform, and the commune's postcode: the address's platform, or the commune's."""
    try:
        place = resolve_place(form.cleaned_data["commune"])
    except PlaceError as exc:
        if platform is not None:
            return platform, ""  # the platform is known: keep the commune as written
        form.add_error("commune", str(exc))
        return None, ""
    postcode = ""
    if place.commune is not None:
        first = place.commune.postcodes.order_by("postcode").first()
        postcode = first.postcode if first else ""
    if platform is None:
        try:
            platform = platform_for_place(place)
        except ApplicationError as exc:
            form.add_error("commune", str(exc))
            return None, ""
    return platform, postcode


@never_cache
def self_referral(request, platform_slug: str | None = None):
    platform = platform_from_slug(platform_slug) if platform_slug else None
    form = SelfReferralForm(request.POST or None)
    outcome = None
    if request.method == "POST":
        _throttle(request)
        if form.is_bot():
            return redirect("self_referral_thanks")  # as if it worked; nothing written
        if form.is_valid():
            chosen, postcode = _where(form, platform)
            if chosen is not None:
                outcome = run_service(
                    request, self_referral_submit, form=form, platform=chosen,
                    postcode=postcode, **form.service_fields(),
                )  # fmt: skip
                if outcome.ok:
                    return redirect("self_referral_thanks")
    return render(
        request,
        TEMPLATES + "form.html",
        {
            "title": _("Être aidé·e pour se déplacer"),
            "form": form,
            "platform": platform,
            "stamp": new_stamp(),
            "help_choices": [
                (radio, *PICTOGRAMS[HelpKind(radio.data["value"])]) for radio in form["help_wanted"]
            ],
        },
        status=page_status(form, outcome),
    )


def self_referral_thanks(request):
    """The same words for everyone: nothing of the request is shown back."""
    return render(request, TEMPLATES + "thanks.html", {"title": _("Merci, c'est envoyé")})
