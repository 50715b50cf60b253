"""Signed links for people without an account: partners answer a request, beneficiaries see
their bookings. Links expire; an answer link works once (the booking leaves `requested`)."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.links import invalid_link, read_signed, signed_id, signed_url

PARTNER_SALT = "solimob.booking.partner-answer"
BENEFICIARY_SALT = "solimob.booking.my-bookings"
ACTIONS = ("confirm", "decline")


def partner_answer_url(booking, action: str) -> str:
    return signed_url("booking_partner_link", {"b": booking.pk, "a": action}, salt=PARTNER_SALT)


def partner_answer_from_token(token: str) -> tuple[int, str]:
    data = read_signed(
        token,
        salt=PARTNER_SALT,
        max_age=timedelta(hours=settings.PARTNER_LINK_MAX_AGE_HOURS),
        expired=ApplicationError(
            _("Ce lien a expiré. Connectez-vous à votre espace partenaire pour répondre."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    if data.get("a") not in ACTIONS:
        raise invalid_link()
    return signed_id(data, "b"), data["a"]


def my_bookings_url(beneficiary) -> str:
    return signed_url("my_bookings_link", {"p": beneficiary.pk}, salt=BENEFICIARY_SALT)


def beneficiary_from_token(token: str) -> int:
    data = read_signed(
        token,
        salt=BENEFICIARY_SALT,
        max_age=timedelta(days=settings.BENEFICIARY_LINK_MAX_AGE_DAYS),
        expired=ApplicationError(
            _("Ce lien a expiré. Demandez un nouveau lien à votre conseiller·ère."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    return signed_id(data, "p")
