"""The front door (issue 16): a person asks to be called back through the public page, with
no account. The request lands in the platform's referral inbox as a self-referral
(`Referral.source = self`, no prescriber), and the platform's advisers are told.

Which platform: the one named in the page's address (`/etre-rappele/<slug>/`, the slug of
its name), otherwise the one whose département (`Organisation.territory`) holds the commune
the person typed — the nearest of them when a département has several.
"""

import math

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from beneficiaries.enums import HelpKind, ReferralSource, Situation
from beneficiaries.models import Referral
from beneficiaries.services import _notify_advisers
from core.audit import audit_log
from core.enums import ErrorCode
from core.errors import ApplicationError, NotFoundError
from core.phones import normalise_phone
from core.places import Place


def _platforms():
    return Organisation.objects.filter(kind=OrganisationKind.PLATFORM, is_active=True)


def platform_slug(platform: Organisation) -> str:
    return slugify(platform.name)


def platform_from_slug(slug: str) -> Organisation:
    for platform in _platforms().order_by("pk"):
        if platform_slug(platform) == slug:
            return platform
    raise NotFoundError(_("Cette plateforme n'existe pas."))


def platform_for_place(place: Place) -> Organisation:
    """The platform serving the commune: same département, the nearest when several."""
    department = place.commune.department if place.commune is not None else ""
    candidates = list(_platforms().filter(territory=department).order_by("pk"))
    if not department or not candidates:
        raise ApplicationError(
            _(
                "Nous n'avons pas encore de plateforme pour cette commune. "
                "Demandez conseil à votre mairie ou à France Services."
            ),
            code=ErrorCode.NO_PLATFORM,
        )

    def distance(platform) -> float:
        if platform.latitude is None or platform.longitude is None:
            return math.inf
        return math.hypot(
            float(platform.latitude) - place.latitude,
            (float(platform.longitude) - place.longitude) * math.cos(math.radians(place.latitude)),
        )

    return min(candidates, key=distance)


def _need_text(help_wanted: list[str], need: str) -> str:
    labels = [str(HelpKind(kind).label) for kind in help_wanted]
    lines = [f"– {label}" for label in labels]
    if need.strip():
        lines.append(need.strip())
    return "\n".join(lines) or _("À préciser au téléphone.")


@transaction.atomic
def self_referral_submit(
    *, platform: Organisation, first_name: str, last_name: str, phone: str, commune: str,
    postcode: str = "", email: str = "", help_wanted: list[str], need: str = "",
    contact_preference: str, consent: bool,
) -> Referral:  # fmt: skip
    """Write the request in the platform's inbox and tell its advisers. Only the platform's
    staff ever read it back (nothing is shown to whoever sent it)."""
    if not consent:
        raise ApplicationError(
            _("Cochez la case pour que la plateforme puisse vous rappeler."),
            code=ErrorCode.CONSENT_MISSING,
        )
    if platform.kind != OrganisationKind.PLATFORM:
        raise NotFoundError(_("Cette plateforme n'existe pas."))
    referral = Referral(
        platform=platform, source=ReferralSource.SELF, first_name=first_name.strip(),
        last_name=last_name.strip(), phone=normalise_phone(phone), email=email.strip(),
        commune=commune.strip(), postcode=postcode, situation=Situation.OTHER,
        need=_need_text(help_wanted, need), help_wanted=[HelpKind(k).value for k in help_wanted],
        contact_preference=contact_preference,
    )  # fmt: skip
    referral.full_clean(exclude=["platform", "prescriber_organisation", "prescriber"])
    referral.save()
    audit_log(actor=None, action="referral.self_submitted", target=referral,
              data={"at": timezone.now().isoformat()})  # fmt: skip
    _notify_advisers(referral, "beneficiaries/referral_received", organisation=referral.origin_name)
    return referral
