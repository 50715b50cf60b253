"""Signed links for people without an account: partners answer a request, beneficiaries see
their bookings. Links expire; an answer link works once (the booking leaves `requested`)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError, NotFoundError

PARTNER_SALT = "solimob.booking.partner-answer"
BENEFICIARY_SALT = "solimob.booking.my-bookings"
ACTIONS = ("confirm", "decline")


def partner_answer_url(booking, action: str) -> str:
    token = signing.dumps({"b": booking.pk, "a": action}, salt=PARTNER_SALT)
    return settings.SITE_URL + reverse("booking_partner_link", kwargs={"token": token})


def partner_answer_from_token(token: str) -> tuple[int, str]:
    max_age = timedelta(hours=settings.PARTNER_LINK_MAX_AGE_HOURS)
    try:
        data = signing.loads(token, salt=PARTNER_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ApplicationError(
            _("Ce lien a expiré. Connectez-vous à votre espace partenaire pour répondre."),
            code=ErrorCode.LINK_EXPIRED,
        ) from exc
    except signing.BadSignature as exc:
        raise NotFoundError(_("Ce lien n'est pas valide.")) from exc
    if data.get("a") not in ACTIONS:
        raise NotFoundError(_("Ce lien n'est pas valide."))
    return int(data["b"]), data["a"]


def my_bookings_url(beneficiary) -> str:
    token = signing.dumps({"p": beneficiary.pk}, salt=BENEFICIARY_SALT)
    return settings.SITE_URL + reverse("my_bookings_link", kwargs={"token": token})


def beneficiary_from_token(token: str) -> int:
    max_age = timedelta(days=settings.BENEFICIARY_LINK_MAX_AGE_DAYS)
    try:
        return int(signing.loads(token, salt=BENEFICIARY_SALT, max_age=max_age)["p"])
    except signing.SignatureExpired as exc:
        raise ApplicationError(
            _("Ce lien a expiré. Demandez un nouveau lien à votre conseiller·ère."),
            code=ErrorCode.LINK_EXPIRED,
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFoundError(_("Ce lien n'est pas valide.")) from exc
