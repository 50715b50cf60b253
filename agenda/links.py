"""Signed links of the agenda: the person's link to one appointment (see, cancel, move;
no account needed) and each adviser's private calendar feed."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from core.enums import ErrorCode
from core.errors import ApplicationError
from core.links import read_signed, signed_id, signed_url

APPOINTMENT_SALT = "solimob.agenda.appointment"
FEED_SALT = "solimob.agenda.adviser-feed"


def appointment_url(appointment) -> str:
    return signed_url("agenda_link", {"a": appointment.pk}, salt=APPOINTMENT_SALT)


def appointment_from_token(token: str) -> int:
    data = read_signed(
        token,
        salt=APPOINTMENT_SALT,
        max_age=timedelta(days=settings.AGENDA_LINK_MAX_AGE_DAYS),
        expired=ApplicationError(
            _("Ce lien a expiré. Appelez votre conseiller·ère pour changer ce rendez-vous."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    return signed_id(data, "a")


def adviser_feed_url(adviser) -> str:
    return signed_url("agenda_adviser_feed", {"u": adviser.pk}, salt=FEED_SALT)


def adviser_from_feed_token(token: str) -> int:
    data = read_signed(
        token,
        salt=FEED_SALT,
        max_age=timedelta(days=settings.AGENDA_FEED_MAX_AGE_DAYS),
        expired=ApplicationError(
            _("Cette adresse d'agenda a expiré : copiez la nouvelle depuis votre agenda."),
            code=ErrorCode.LINK_EXPIRED,
        ),
    )
    return signed_id(data, "u")
